"""Admin pages of the LAPOR! sync: instansi mapping, failed messages, sync health."""

from __future__ import annotations

from flask import Blueprint, abort, g, render_template, request, url_for

from lapor_bridge.services.federation.outbox import outbox_counts
from lapor_bridge.services.federation.uplink import current_uplink
from lapor_bridge.services.sync.admin import (
    dead_letters,
    institution_mapping,
    map_agency,
    retry_dead,
)
from lapor_bridge.services.sync.health import sync_health
from lapor_bridge.web import service_context
from lapor_bridge.web.auth import roles_required
from lapor_bridge.web.outcome import change_and_return

bp = Blueprint("sync_admin", __name__, url_prefix="/admin/lapor")
ADMINS = ("sysadmin", "regional_admin")


@bp.route("/instansi", methods=["GET", "POST"])
@roles_required(*ADMINS)
def mapping():
    """Pick the LAPOR! instansi of each agency; unmapped agencies are shown as warnings."""
    if request.method == "POST":
        raw = request.form.get("institution_id", "").strip()
        agency_id = request.form.get("agency_id", type=int)
        if agency_id is None or (raw and not raw.isdigit()):
            abort(400)
        return change_and_return(
            lambda: map_agency(service_context(), g.user, agency_id, int(raw) if raw else None),
            lambda name: f"Pemetaan {name} disimpan.", url_for(".mapping"))
    return render_template("sync/mapping.html", page=institution_mapping(service_context(), g.user))


@bp.route("/gagal")
@roles_required(*ADMINS)
def failed():
    """Messages LAPOR! never accepted, with a retry button each."""
    return render_template("sync/failed.html", rows=dead_letters(service_context(), g.user))


@bp.route("/gagal/<int:outbox_id>/ulang", methods=["POST"])
@roles_required(*ADMINS)
def retry(outbox_id: int):
    """Queue a failed message again."""
    return change_and_return(
        lambda: retry_dead(service_context(), g.user, outbox_id),
        lambda number: f"Pesan untuk laporan {number} dikirim ulang.", url_for(".failed"))


@bp.route("/kesehatan")
@roles_required(*ADMINS)
def health():
    """Backlog per region, oldest unsent item, error classes, last good run per job; and,
    at a federation member, its reports to the province."""
    ctx = service_context()
    uplink = current_uplink(ctx)
    return render_template("sync/health.html", health=sync_health(ctx, g.user), uplink=uplink,
                           federation_outbox=outbox_counts(ctx) if uplink else None)
