"""The regional admin's triage queue: top-3 suggestions, one-click dispose, archive."""

from __future__ import annotations

from flask import Blueprint, g, render_template, request

from lapor_bridge.services.queue import agency_queue
from lapor_bridge.services.triage import ARCHIVE_REASONS
from lapor_bridge.web import service_context
from lapor_bridge.web.auth import roles_required

bp = Blueprint("triage", __name__, url_prefix="/verifikasi")


@bp.route("/")
@roles_required("regional_admin")
def index():
    """Complaints waiting for an agency, oldest deadline first, with the model's suggestions."""
    page = request.args.get("halaman", 1, type=int)
    return render_template("triage/queue.html",
                           queue=agency_queue(service_context(), g.user, page, "aktif"),
                           archive_reasons=ARCHIVE_REASONS)
