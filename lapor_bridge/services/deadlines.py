"""The SLA watch: mark breaches, escalate overdue complaints, auto-close unanswered ones.

Candidates are open complaints whose stored due time has passed (an index scan on
``status, sla_due_at``), excluding those waiting for the reporter (their clock is
stopped). Each is handled in its own transaction under a row lock, and every
step is idempotent: ``escalation_level`` remembers how far a complaint was
escalated, alerts are unique per (complaint, person, level, due time), and a
closed complaint is no longer a candidate. Running the cycle twice changes nothing.
A federation member's complaint held here is never a candidate: the member's own
SLA job escalates and closes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from lapor_bridge.db.models import (
    Agency,
    Complaint,
    ComplaintEvent,
    Notification,
    Region,
    StaffAlert,
    User,
)
from lapor_bridge.domain.sla import Escalation, SlaSnapshot, Stage
from lapor_bridge.domain.status import CLOCK_RUNNING_VALUES, Status
from lapor_bridge.domain.transitions import Action
from lapor_bridge.services.context import ServiceContext
from lapor_bridge.services.scope import local_only
from lapor_bridge.services.sla_clock import refresh_stored_clock
from lapor_bridge.services.workflow import SYSTEM, perform

STAGE_LABELS = {
    Stage.DISPOSE: "verifikasi dan disposisi",
    Stage.FIRST_RESPONSE: "tindak lanjut pertama",
    Stage.AUTO_CLOSE: "selesai otomatis",
    Stage.COMPLETION: "penyelesaian",
}
LEVEL_LABELS = {
    Escalation.AGENCY_HEAD: "kepala instansi",
    Escalation.REGIONAL_ADMIN: "admin daerah",
    Escalation.COORDINATOR: "koordinator provinsi",
}
CHUNK = 200


@dataclass(frozen=True)
class SlaCycleSummary:
    """What one SLA cycle did."""

    checked: int = 0
    escalated: int = 0
    alerts: int = 0
    auto_closed: int = 0


def check_deadlines(ctx: ServiceContext, now: datetime | None = None) -> SlaCycleSummary:
    """Escalate and auto-close whatever is due at ``now`` (default: the context's clock)."""
    now = now or ctx.clock()
    with ctx.read() as session:
        candidates = list(session.scalars(
            select(Complaint.id)
            .where(
                Complaint.status.in_(CLOCK_RUNNING_VALUES),
                Complaint.sla_due_at <= now,
                or_(Complaint.escalation_level < int(Escalation.COORDINATOR),
                    Complaint.status == Status.RESPONDED.value),
                local_only(),
            )
            .order_by(Complaint.sla_due_at, Complaint.id)
        ))
    totals = {"checked": 0, "escalated": 0, "alerts": 0, "auto_closed": 0}
    for start in range(0, len(candidates), CHUNK):
        for complaint_id in candidates[start:start + CHUNK]:
            with ctx.transaction() as session:
                for key, count in _check_one(ctx, session, complaint_id, now).items():
                    totals[key] += count
    return SlaCycleSummary(**totals)


def _check_one(ctx: ServiceContext, session: Session, complaint_id: int,
               now: datetime) -> dict[str, int]:
    complaint = session.scalar(
        select(Complaint).where(Complaint.id == complaint_id).with_for_update(of=Complaint))
    if complaint is None or Status(complaint.status).is_closed:
        return {}
    agency = session.get(Agency, complaint.agency_id)
    clocks = refresh_stored_clock(ctx.settings.sla, complaint, agency.code, now)
    current = clocks.current
    if (current is not None and current.stage is Stage.AUTO_CLOSE and current.breached
            and Status(complaint.status) is Status.RESPONDED):
        days = ctx.settings.sla.auto_close_days
        perform(session, complaint, Action.AUTO_CLOSE, SYSTEM, now, ctx.settings.sla,
                note=f"Tidak ada tanggapan pelapor dalam {days} hari kerja setelah tindak lanjut.")
        return {"checked": 1, "auto_closed": 1}
    level = int(clocks.escalation)
    if level <= complaint.escalation_level:
        return {"checked": 1}
    alerts = 0
    for step in range(complaint.escalation_level + 1, level + 1):
        alerts += _escalate(ctx, session, complaint, agency, Escalation(step), clocks, now)
    complaint.escalation_level = level
    return {"checked": 1, "escalated": 1, "alerts": alerts}


def _escalate(ctx: ServiceContext, session: Session, complaint: Complaint, agency: Agency,
              level: Escalation, clocks: SlaSnapshot, now: datetime) -> int:
    late = max(clocks.stages, key=lambda clock: clock.overdue_by)
    zone = ZoneInfo(ctx.settings.app.timezone)
    message = (
        f"Laporan {complaint.tracking_number} ({complaint.title}) di {agency.name} terlambat "
        f"{late.overdue_by:.1f} hari kerja pada tahap {STAGE_LABELS[late.stage]} "
        f"(tenggat {late.due_at.astimezone(zone):%d-%m-%Y %H:%M} WIB)."
    )
    event = ComplaintEvent(
        complaint_id=complaint.id, kind="escalated", actor_type="system", actor_label="sistem",
        agency_id=complaint.agency_id, is_internal=True, created_at=now,
        note=f"Tenggat terlewati; diteruskan ke {LEVEL_LABELS[level]}. {message}",
    )
    session.add(event)
    session.flush()
    added = 0
    for user_id, email in _recipients(session, complaint, agency, level):
        exists = session.scalar(select(StaffAlert.id).where(
            StaffAlert.complaint_id == complaint.id, StaffAlert.user_id == user_id,
            StaffAlert.level == int(level), StaffAlert.due_at == late.due_at))
        if exists is None:
            session.add(StaffAlert(
                complaint_id=complaint.id, user_id=user_id, level=int(level),
                stage=late.stage.value, due_at=late.due_at, message=message, created_at=now,
            ))
            if email:
                session.add(Notification(  # sent by the worker's mail job (mail_delivery)
                    complaint_id=complaint.id, event_id=event.id, channel="email",
                    recipient=email, next_attempt_at=now, created_at=now))
            added += 1
    return added


def _recipients(session: Session, complaint: Complaint, agency: Agency,
                level: Escalation) -> list[tuple[int, str | None]]:
    """(user id, e-mail) of the active staff alerted at ``level``."""
    people = select(User.id, User.email).where(User.active.is_(True))
    if level is Escalation.AGENCY_HEAD and not agency.is_triage:
        officers = people.where(User.role == "officer", User.agency_id == agency.id)
        heads = session.execute(officers.where(User.is_agency_head.is_(True))).all()
        return [tuple(row) for row in heads or session.execute(officers).all()]
    if level in (Escalation.AGENCY_HEAD, Escalation.REGIONAL_ADMIN):
        return [tuple(row) for row in session.execute(people.where(
            User.role == "regional_admin", User.region_id == complaint.region_id))]
    province = session.scalar(select(Region.parent_id).where(Region.id == complaint.region_id))
    return [tuple(row) for row in session.execute(people.where(
        User.role == "coordinator", User.region_id == province))]
