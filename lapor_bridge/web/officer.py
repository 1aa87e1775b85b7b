"""The officer's pages: the agency queue."""

from __future__ import annotations

from flask import Blueprint, g, render_template, request

from lapor_bridge.services.queue import agency_queue
from lapor_bridge.web import service_context
from lapor_bridge.web.auth import roles_required

bp = Blueprint("officer", __name__, url_prefix="/petugas")


@bp.route("/")
@roles_required("officer", "regional_admin")
def queue():
    """The complaints routed to the officer's agency, newest first."""
    page = request.args.get("halaman", 1, type=int)
    return render_template("officer/queue.html", queue=agency_queue(service_context(), g.user, page))
