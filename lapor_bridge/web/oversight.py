"""Read-only lists across agencies: the coordinator's province, the admin's region."""

from __future__ import annotations

from flask import Blueprint, g, render_template, request

from lapor_bridge.services.alerts import alerts_for
from lapor_bridge.services.oversight import complaints_in_scope
from lapor_bridge.web import service_context
from lapor_bridge.web.auth import roles_required

bp = Blueprint("oversight", __name__, url_prefix="/pantau")


@bp.route("/")
@roles_required("coordinator", "regional_admin", "sysadmin")
def index():
    """Every complaint in the person's scope, or only the overdue ones (``?terlambat=1``)."""
    context = service_context()
    overdue = request.args.get("terlambat") == "1"
    page = request.args.get("halaman", 1, type=int)
    return render_template(
        "oversight/list.html", queue=complaints_in_scope(context, g.user, page, overdue),
        overdue=overdue, alerts=alerts_for(context, g.user))
