"""The regional admin's work: verify, dispose to an agency, archive or reject.

The triage queue holds the complaints the model could not route confidently (or
an officer sent back); the admin sees the model's top-3 suggestions and disposes
in one click, or archives with one of LAPOR!'s reasons.
"""

from __future__ import annotations

from sqlalchemy import select

from lapor_bridge.db.models import Agency
from lapor_bridge.domain import categories
from lapor_bridge.domain.status import Status
from lapor_bridge.domain.transitions import Action
from lapor_bridge.services.accounts import Principal
from lapor_bridge.services.context import ServiceContext
from lapor_bridge.services.corrections import record_reroute
from lapor_bridge.services.errors import ValidationFailed
from lapor_bridge.services.workflow import (
    ActionResult,
    Actor,
    checked_text,
    load_for_action,
    perform,
    result_of,
    target_agency,
)

# SP4N-LAPOR!'s archive reasons (Arsipkan), code → label shown and recorded.
ARCHIVE_REASONS = {
    "format": "Format laporan tidak sesuai",
    "umum": "Laporan terlalu umum / tidak jelas",
    "bukan_pemerintah": "Bukan tentang penyelenggaraan pemerintahan",
    "duplikat": "Laporan ganda (sudah pernah dilaporkan)",
}


def verify(ctx: ServiceContext, principal: Principal, tracking_number: str, *,
           version: int | None = None) -> ActionResult:
    """Mark a submitted complaint as verified (Terverifikasi)."""
    with ctx.transaction() as session:
        complaint = load_for_action(session, principal, tracking_number, version)
        perform(session, complaint, Action.VERIFY, Actor.of(principal), ctx.clock(),
                ctx.settings.sla)
        return result_of(complaint, "Laporan terverifikasi.")


def dispose(ctx: ServiceContext, principal: Principal, tracking_number: str, agency_code: str,
            *, category: str | None = None, version: int | None = None) -> ActionResult:
    """Send a complaint to an agency (from triage), filed under ``category`` when one is
    given; the choice is a training label.

    A complaint not yet disposed is disposed; one an officer sent back to triage
    (already disposed) is transferred on.
    """
    if category and not categories.is_category(category):
        raise ValidationFailed({"category": "Pilih kategori dari daftar."})
    with ctx.transaction() as session:
        complaint = load_for_action(session, principal, tracking_number, version)
        if category:
            complaint.category = category
        target = target_agency(session, complaint, agency_code)
        if target.is_triage:
            raise ValidationFailed({"agency": "Pilih instansi, bukan antrean verifikasi."})
        pending = Status(complaint.status) in (Status.SUBMITTED, Status.VERIFIED)
        action = Action.DISPOSE if pending else Action.TRANSFER
        now = ctx.clock()
        perform(session, complaint, action, Actor.of(principal), now, ctx.settings.sla,
                note="disposisi oleh admin", to_agency=target)
        record_reroute(session, complaint, target, principal.user_id, now)
        return result_of(complaint, f"Laporan diteruskan ke {target.name}.")


def archive(ctx: ServiceContext, principal: Principal, tracking_number: str, reason: str,
            note: str = "", *, version: int | None = None) -> ActionResult:
    """Archive with one of LAPOR!'s reasons (wrong format, too general, not government…)."""
    if reason not in ARCHIVE_REASONS:
        raise ValidationFailed({"reason": "Pilih alasan pengarsipan."})
    text = ARCHIVE_REASONS[reason] + (f": {note.strip()}" if note.strip() else "")
    with ctx.transaction() as session:
        complaint = load_for_action(session, principal, tracking_number, version)
        perform(session, complaint, Action.ARCHIVE, Actor.of(principal), ctx.clock(),
                ctx.settings.sla, note=text)
        return result_of(complaint, "Laporan diarsipkan.")


def reject(ctx: ServiceContext, principal: Principal, tracking_number: str, reason: str, *,
           version: int | None = None) -> ActionResult:
    """Reject a complaint (Ditolak), with a reason the resident sees."""
    reason = checked_text(reason, "reason", "Alasan", low=5)
    with ctx.transaction() as session:
        complaint = load_for_action(session, principal, tracking_number, version)
        perform(session, complaint, Action.REJECT, Actor.of(principal), ctx.clock(),
                ctx.settings.sla, note=reason)
        return result_of(complaint, "Laporan ditolak.")


def dispose_targets(ctx: ServiceContext, region_id: int) -> list[tuple[str, str]]:
    """(code, name) of the agencies of a region a complaint can be sent to."""
    with ctx.read() as session:
        rows = session.execute(
            select(Agency.code, Agency.name)
            .where(Agency.region_id == region_id, Agency.active.is_(True),
                   Agency.is_triage.is_(False))
            .order_by(Agency.name)
        )
        return [(code, name) for code, name in rows]
