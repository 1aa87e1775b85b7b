"""Actions on one complaint, each a transaction through the domain state machine.

:func:`perform` is the single place a complaint's status changes: it checks the
role, applies the transition, moves the SLA timeline, writes the history event,
queues the resident's notification and the LAPOR! outbox row, all in the
caller's transaction. The other functions are the use cases officers and admins
call from the web: they load the complaint *for a principal* (404 outside scope),
lock it, compare the page's ``version`` and call :func:`perform`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from lapor_bridge.db.models import Agency, Attachment, Complaint, ComplaintEvent, OutboxMessage
from lapor_bridge.domain import categories
from lapor_bridge.domain.status import Status
from lapor_bridge.domain.transitions import Action, Role, apply, can_perform
from lapor_bridge.services.accounts import Principal
from lapor_bridge.services.context import ServiceContext
from lapor_bridge.services.corrections import record_category, record_reroute
from lapor_bridge.services.errors import Conflict, PermissionDenied, ValidationFailed
from lapor_bridge.services.notifications import enqueue_for_event
from lapor_bridge.services.scope import load_in_scope, require_writer
from lapor_bridge.services.sla_clock import close_pause, open_pause, refresh_stored_clock
from lapor_bridge.services.uploads import (
    CheckedPhoto,
    UploadedFile,
    check_photo,
    remove_stored,
    store_photo,
)
from lapor_bridge.translations import Message

EVENT_KIND = {
    Action.VERIFY: "verified",
    Action.DISPOSE: "disposed",
    Action.CLAIM: "claimed",
    Action.REQUEST_INFO: "info_requested",
    Action.REPORTER_REPLY: "reporter_replied",
    Action.RESPOND: "responded",
    Action.TRANSFER: "transferred",
    Action.RESOLVE: "resolved",
    Action.AUTO_CLOSE: "auto_closed",
    Action.REOPEN: "reopened",
    Action.ARCHIVE: "archived",
    Action.REJECT: "rejected",
}
# What SP4N-LAPOR! must hear of (sent by the outbox sender); auto-close and reopen
# happen on LAPOR!'s side too, so they are not pushed.
OUTBOX_KIND = {
    Action.RESPOND: "followup",
    Action.REQUEST_INFO: "followup",
    Action.TRANSFER: "transfer",
    Action.DISPOSE: "dispose",
    Action.RESOLVE: "resolve",
    Action.REPORTER_REPLY: "reporter_reply",
    Action.ARCHIVE: "archive",
    Action.REJECT: "reject",
}
CLOSING = frozenset({Action.RESOLVE, Action.AUTO_CLOSE, Action.ARCHIVE, Action.REJECT})
TEXT_LIMITS = (10, 5000)


@dataclass(frozen=True)
class Actor:
    """Who performs an action: a domain role, and how the history names them."""

    role: Role
    actor_type: str  # officer | resident | system | lapor (ComplaintEvent.actor_type)
    user_id: int | None = None
    label: str | None = None

    @classmethod
    def of(cls, principal: Principal) -> Actor:
        """The actor for a logged-in staff member."""
        return cls(Role(principal.role), "officer", principal.user_id, principal.full_name)


SYSTEM = Actor(Role.SYSTEM, "system", label="sistem")
RESIDENT = Actor(Role.RESIDENT, "resident", label="pelapor")


@dataclass(frozen=True)
class ActionResult:
    """What the person who acted is told."""

    tracking_number: str
    status: Status
    message: str


def perform(
    session: Session,
    complaint: Complaint,
    action: Action,
    actor: Actor,
    now: datetime,
    sla_settings,
    *,
    note: str | None = None,
    to_agency: Agency | None = None,
) -> ComplaintEvent:
    """Apply ``action`` to ``complaint`` and record it; raise on an illegal move or role."""
    if not can_perform(actor.role, action):
        raise PermissionDenied(Message("Peran Anda tidak dapat melakukan '{action}'.",
                                       action=action.label_id))
    before = Status(complaint.status)
    after = apply(before, action)
    _advance_timeline(complaint, action, actor, now, to_agency)
    complaint.status = after.value
    event = ComplaintEvent(
        complaint=complaint, kind=EVENT_KIND[action], actor_type=actor.actor_type,
        actor_id=actor.user_id, actor_label=actor.label, from_status=before.value,
        to_status=after.value, agency_id=complaint.agency_id, note=note, created_at=now,
    )
    session.add(event)
    session.flush()
    agency_code = session.get(Agency, complaint.agency_id).code
    previous_due = complaint.sla_due_at
    refresh_stored_clock(sla_settings, complaint, agency_code, now)
    if complaint.sla_due_at != previous_due:
        complaint.escalation_level = 0
    enqueue_for_event(session, complaint, event)
    if action in OUTBOX_KIND and actor.role is not Role.LAPOR:
        session.add(OutboxMessage(
            complaint_id=complaint.id, kind=OUTBOX_KIND[action],
            idempotency_key=uuid.uuid4().hex,
            payload={"event_id": event.id, "tracking_number": complaint.tracking_number},
            next_attempt_at=now, created_at=now, updated_at=now,
        ))
    return event


def _advance_timeline(complaint: Complaint, action: Action, actor: Actor, now: datetime,
                      to_agency: Agency | None) -> None:
    if action in (Action.DISPOSE, Action.TRANSFER):
        if to_agency is None:
            raise ValueError(f"{action} needs the receiving agency")
        complaint.agency_id = to_agency.id
        complaint.disposed_at = now
        complaint.first_disposed_at = complaint.first_disposed_at or now
        complaint.first_response_at = None
        complaint.claimed_by_id = complaint.claimed_at = None
        close_pause(complaint, now)
    elif action is Action.CLAIM:
        complaint.claimed_by_id, complaint.claimed_at = actor.user_id, now
    elif action is Action.RESPOND:
        complaint.first_response_at = complaint.first_response_at or now
        complaint.last_response_at = now
        if complaint.claimed_by_id is None and actor.role is Role.OFFICER:
            complaint.claimed_by_id, complaint.claimed_at = actor.user_id, now
        close_pause(complaint, now)
    elif action is Action.REQUEST_INFO:
        open_pause(complaint, now)
    elif action is Action.REPORTER_REPLY:
        close_pause(complaint, now)
    elif action in CLOSING:
        complaint.closed_at = now
        close_pause(complaint, now)
    elif action is Action.REOPEN:
        complaint.closed_at = None


# --- use cases of staff -------------------------------------------------------------


def claim(ctx: ServiceContext, principal: Principal, tracking_number: str, *,
          version: int | None = None) -> ActionResult:
    """Take a disposed complaint: it becomes "being handled by" this officer."""
    with ctx.transaction() as session:
        complaint = load_for_action(session, principal, tracking_number, version)
        if complaint.claimed_by_id is not None:
            raise Conflict(Message("Laporan ini sudah diambil oleh {name}.",
                                   name=complaint.claimed_by.full_name))
        perform(session, complaint, Action.CLAIM, Actor.of(principal), ctx.clock(),
                ctx.settings.sla)
        return result_of(complaint, Message("Laporan diambil. Anda yang menanganinya sekarang."))


def respond(ctx: ServiceContext, principal: Principal, tracking_number: str, text: str, *,
            version: int | None = None, photos: tuple[UploadedFile, ...] = ()) -> ActionResult:
    """Write a follow-up (tindak lanjut) to the resident, with optional photos."""
    text = checked_text(text, "text", Message("Isi tindak lanjut"))
    checked = _checked_photos(ctx, photos)
    upload_dir = ctx.settings.path(ctx.settings.app.upload_dir)
    stored: list[str] = []
    try:
        with ctx.transaction() as session:
            complaint = load_for_action(session, principal, tracking_number, version)
            _check_holder(complaint, principal)
            now = ctx.clock()
            event = perform(session, complaint, Action.RESPOND, Actor.of(principal), now,
                            ctx.settings.sla, note=text)
            for photo in checked:
                stored_name = store_photo(photo, upload_dir, now)
                stored.append(stored_name)
                session.add(Attachment(
                    complaint_id=complaint.id, event_id=event.id,
                    original_name=photo.original_name, stored_name=stored_name,
                    content_type=photo.content_type, size_bytes=len(photo.content),
                    sha256=photo.sha256, created_at=now,
                ))
            return result_of(complaint, Message("Tindak lanjut terkirim ke pelapor."))
    except BaseException:
        remove_stored(upload_dir, stored)
        raise


def request_info(ctx: ServiceContext, principal: Principal, tracking_number: str,
                 question: str, *, version: int | None = None) -> ActionResult:
    """Ask the resident for more information; the SLA clock pauses until they answer."""
    question = checked_text(question, "question", Message("Pertanyaan"))
    with ctx.transaction() as session:
        complaint = load_for_action(session, principal, tracking_number, version)
        _check_holder(complaint, principal)
        perform(session, complaint, Action.REQUEST_INFO, Actor.of(principal), ctx.clock(),
                ctx.settings.sla, note=question)
        return result_of(complaint, Message(
            "Pertanyaan terkirim. Tenggat berhenti sampai pelapor menjawab."))


def transfer(ctx: ServiceContext, principal: Principal, tracking_number: str,
             agency_code: str, reason: str, *, version: int | None = None) -> ActionResult:
    """Forward as "bukan wewenang" to another agency of the region, with a reason."""
    reason = checked_text(reason, "reason", Message("Alasan"), low=5)
    with ctx.transaction() as session:
        complaint = load_for_action(session, principal, tracking_number, version)
        _check_holder(complaint, principal)
        target = target_agency(session, complaint, agency_code)
        perform(session, complaint, Action.TRANSFER, Actor.of(principal), ctx.clock(),
                ctx.settings.sla, note=reason, to_agency=target)
        if not target.is_triage:
            record_reroute(session, complaint, target, principal.user_id, ctx.clock())
        return result_of(complaint, Message("Laporan dialihkan ke {agency}.", agency=target.name))


def resolve(ctx: ServiceContext, principal: Principal, tracking_number: str,
            note: str = "", *, version: int | None = None) -> ActionResult:
    """Close a complaint that has been answered."""
    with ctx.transaction() as session:
        complaint = load_for_action(session, principal, tracking_number, version)
        _check_holder(complaint, principal)
        perform(session, complaint, Action.RESOLVE, Actor.of(principal), ctx.clock(),
                ctx.settings.sla, note=note.strip() or None)
        return result_of(complaint, Message("Laporan ditandai selesai."))


def reopen(ctx: ServiceContext, principal: Principal, tracking_number: str, reason: str, *,
           version: int | None = None) -> ActionResult:
    """Reopen a closed complaint (e.g. the resident disputes the answer)."""
    reason = checked_text(reason, "reason", Message("Alasan"), low=5)
    with ctx.transaction() as session:
        complaint = load_for_action(session, principal, tracking_number, version)
        perform(session, complaint, Action.REOPEN, Actor.of(principal), ctx.clock(),
                ctx.settings.sla, note=reason)
        return result_of(complaint, Message("Laporan dibuka kembali."))


def add_note(ctx: ServiceContext, principal: Principal, tracking_number: str,
             text: str) -> ActionResult:
    """An internal note: seen by staff only, never by the resident or the public."""
    text = checked_text(text, "note", Message("Catatan"), low=2)
    with ctx.transaction() as session:
        complaint = load_for_action(session, principal, tracking_number, None)
        session.add(ComplaintEvent(
            complaint=complaint, kind="note", actor_type="officer", actor_id=principal.user_id,
            actor_label=principal.full_name, agency_id=complaint.agency_id, note=text,
            is_internal=True, created_at=ctx.clock(),
        ))
        return result_of(complaint, Message("Catatan internal disimpan."))


def set_category(ctx: ServiceContext, principal: Principal, tracking_number: str,
                 category: str, *, version: int | None = None) -> ActionResult:
    """File the complaint under a service category ("" clears it); a category chosen by
    a person is a training label for the routing model."""
    category = (category or "").strip()
    if category and not categories.is_category(category):
        raise ValidationFailed({"category": Message("Pilih kategori dari daftar.")})
    with ctx.transaction() as session:
        complaint = load_for_action(session, principal, tracking_number, version)
        if (complaint.category or "") != category:
            complaint.category = category or None
            complaint.updated_at = ctx.clock()
            if category and category != categories.OTHER:
                record_category(session, complaint, category, principal.user_id, ctx.clock())
            session.add(ComplaintEvent(
                complaint=complaint, kind="category", actor_type="officer",
                actor_id=principal.user_id, actor_label=principal.full_name,
                agency_id=complaint.agency_id, note=categories.label(category or None),
                is_internal=True, created_at=ctx.clock(),
            ))
        return result_of(complaint, Message("Kategori disimpan."))


# --- shared helpers ---------------------------------------------------------------


def load_for_action(session: Session, principal: Principal, tracking_number: str,
                    version: int | None) -> Complaint:
    """Lock the complaint in the principal's scope; refuse a page older than the row."""
    require_writer(principal)
    complaint = load_in_scope(session, principal, tracking_number, lock=True)
    if version is not None and complaint.version != version:
        raise Conflict(Message(
            "Laporan ini sudah diubah orang lain sejak halaman dibuka. "
            "Periksa keadaan terbaru di bawah, lalu ulangi bila masih perlu."
        ))
    return complaint


def _check_holder(complaint: Complaint, principal: Principal) -> None:
    """Officers may not work a complaint another officer has claimed."""
    holder = complaint.claimed_by_id
    if principal.role == "officer" and holder not in (None, principal.user_id):
        raise PermissionDenied(Message("Laporan ini sedang ditangani oleh {name}.",
                                       name=complaint.claimed_by.full_name))


def target_agency(session: Session, complaint: Complaint, agency_code: str) -> Agency:
    """The active agency of the complaint's region with this code, other than its own."""
    target = session.scalar(select(Agency).where(
        Agency.region_id == complaint.region_id, Agency.code == (agency_code or "").strip(),
        Agency.active.is_(True),
    ))
    if target is None:
        raise ValidationFailed({"agency": Message("Pilih instansi tujuan yang ada di daftar.")})
    if target.id == complaint.agency_id:
        raise ValidationFailed({"agency": Message("Laporan sudah berada di instansi itu.")})
    return target


def checked_text(value: str, field: str, label: str, low: int = TEXT_LIMITS[0]) -> str:
    """``value`` stripped; ValidationFailed on ``field`` when too short or too long.

    ``label`` names the field in the message; pass a :class:`Message` so it translates.
    """
    text = (value or "").strip()
    if len(text) < low:
        raise ValidationFailed({field: Message(
            "{label} terlalu pendek (minimal {low} karakter).", label=label, low=low)})
    if len(text) > TEXT_LIMITS[1]:
        raise ValidationFailed({field: Message(
            "{label} terlalu panjang (maksimal {high}).", label=label, high=TEXT_LIMITS[1])})
    return text


def _checked_photos(ctx: ServiceContext, photos: tuple[UploadedFile, ...]) -> list[CheckedPhoto]:
    app = ctx.settings.app
    if len(photos) > app.max_photos:
        raise ValidationFailed({"photo": Message("Paling banyak {count} foto.",
                                                 count=app.max_photos)})
    try:
        return [check_photo(photo, app.max_upload_mb * 1_048_576) for photo in photos]
    except ValueError as exc:
        raise ValidationFailed({"photo": exc.args[0]}) from exc


def result_of(complaint: Complaint, message: str) -> ActionResult:
    """The result to show after acting on ``complaint``."""
    return ActionResult(complaint.tracking_number, Status(complaint.status), message)
