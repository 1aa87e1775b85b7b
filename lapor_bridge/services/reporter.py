"""What a resident does to their own complaint: answer the agency, erase their identity.

A resident has no login: they prove they are the reporter with the private key
given at submission, or (Telegram) with a chat that follows the complaint.
"""

from __future__ import annotations

import hmac

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from lapor_bridge.db.models import (
    Complaint,
    ComplaintEvent,
    Notification,
    ReporterContact,
    Subscriber,
)
from lapor_bridge.domain.transitions import Action
from lapor_bridge.services.context import ServiceContext
from lapor_bridge.services.errors import NotFound
from lapor_bridge.services.intake.submit import hash_reporter_key, normalize_tracking_number
from lapor_bridge.services.workflow import RESIDENT, ActionResult, checked_text, perform, result_of


def reporter_reply(ctx: ServiceContext, tracking_number: str, text: str,
                   chat_id: int | None = None, reporter_key: str | None = None) -> ActionResult:
    """The reporter answers the agency (after a question or a follow-up).

    The reporter is recognised by ``reporter_key`` or by the Telegram ``chat_id`` the
    complaint was filed from (not any follower); otherwise NotFound. An answer the
    state does not allow raises ``IllegalTransition``.
    """
    text = checked_text(text, "text", "Tanggapan", low=2)
    with ctx.transaction() as session:
        complaint = _reporters_complaint(session, tracking_number, chat_id, reporter_key,
                                         lock=True)
        perform(session, complaint, Action.REPORTER_REPLY, RESIDENT, ctx.clock(),
                ctx.settings.sla, note=text)
        return result_of(complaint, "Tanggapan Anda sudah diteruskan ke instansi.")


def erase_personal_data(ctx: ServiceContext, tracking_number: str, *,
                        reporter_key: str | None = None, chat_id: int | None = None,
                        by_admin: bool = False) -> bool:
    """Erase the reporter's identity (UU 27/2022); the complaint itself stays.

    Deletes the contact, the Telegram subscriptions and the queued or sent
    notifications (they name the recipient). Returns False when already erased.
    ``by_admin`` skips the reporter check (the ``erase-personal-data`` command).
    """
    with ctx.transaction() as session:
        if by_admin:
            complaint = _by_number(session, tracking_number, lock=True)
        else:
            complaint = _reporters_complaint(session, tracking_number, chat_id, reporter_key,
                                             lock=True)
        if complaint.personal_data_erased_at is not None:
            return False
        now = ctx.clock()
        for table, column in ((Notification, Notification.complaint_id),
                              (Subscriber, Subscriber.complaint_id),
                              (ReporterContact, ReporterContact.complaint_id)):
            session.execute(delete(table).where(column == complaint.id))
        session.expire(complaint, ["contact"])
        complaint.personal_data_erased_at = now
        session.add(ComplaintEvent(
            complaint=complaint, kind="personal_data_erased", actor_type="system",
            actor_label="sistem", note="Data pribadi pelapor dihapus atas permintaan.",
            is_internal=True, created_at=now,
        ))
        return True


def _by_number(session: Session, tracking_number: str, *, lock: bool) -> Complaint:
    number = normalize_tracking_number(tracking_number)
    query = select(Complaint).where(Complaint.tracking_number == number)
    complaint = session.scalar(query.with_for_update(of=Complaint) if lock else query)
    if complaint is None:
        raise NotFound(f"Laporan {number} tidak ditemukan.")
    return complaint


def _reporters_complaint(session: Session, tracking_number: str, chat_id: int | None,
                         reporter_key: str | None, *, lock: bool) -> Complaint:
    complaint = _by_number(session, tracking_number, lock=lock)
    if reporter_key and hmac.compare_digest(hash_reporter_key(reporter_key),
                                            complaint.reporter_key_hash):
        return complaint
    if chat_id is not None and session.scalar(select(ReporterContact.complaint_id).where(
            ReporterContact.complaint_id == complaint.id,
            ReporterContact.telegram_chat_id == chat_id)):
        return complaint
    raise NotFound(f"Laporan {complaint.tracking_number} tidak ditemukan.")
