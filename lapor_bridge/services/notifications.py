"""The resident notification outbox: one row per (event, channel, recipient).

Services call :func:`enqueue_for_event` in the same transaction as the change; the
Telegram bot and the e-mail sender deliver the rows. The unique key makes a second
enqueue of the same event a no-op, so each event notifies each recipient once.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from lapor_bridge.db.models import Complaint, ComplaintEvent, Notification, Subscriber

NOTIFY_KINDS = frozenset(
    {"disposed", "transferred", "responded", "info_requested", "resolved", "auto_closed",
     "reopened", "archived", "rejected", "status_changed", "followup", "claimed", "verified",
     "reporter_replied"}
)


def subscribe(session: Session, complaint: Complaint, chat_id: int) -> None:
    """Let a Telegram chat follow a complaint (no-op when it already does)."""
    exists = session.scalar(
        select(Subscriber.id).where(
            Subscriber.complaint_id == complaint.id, Subscriber.chat_id == chat_id
        )
    )
    if exists is None:
        session.add(Subscriber(complaint_id=complaint.id, chat_id=chat_id))


def enqueue_for_event(session: Session, complaint: Complaint, event: ComplaintEvent) -> int:
    """Queue the messages this event owes to residents; return how many were added."""
    if event.is_internal or event.kind not in NOTIFY_KINDS:
        return 0
    session.flush()
    recipients = {("telegram", str(chat_id)) for chat_id in session.scalars(
        select(Subscriber.chat_id).where(Subscriber.complaint_id == complaint.id))}
    if complaint.contact is not None and complaint.contact.email:
        recipients.add(("email", complaint.contact.email))
    existing = set(session.execute(
        select(Notification.channel, Notification.recipient).where(
            Notification.event_id == event.id)).all())
    added = 0
    for channel, recipient in sorted(recipients - existing):
        session.add(Notification(
            complaint_id=complaint.id, event_id=event.id, channel=channel, recipient=recipient,
            next_attempt_at=event.created_at, created_at=event.created_at,
        ))
        added += 1
    return added
