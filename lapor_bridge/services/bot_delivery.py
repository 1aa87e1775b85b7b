"""Delivery bookkeeping of notifications (rows of ``notifications``): Telegram here,
e-mail in :mod:`lapor_bridge.services.mail_delivery` with the same claims and retries.

The bot claims due rows, sends them and reports back. A claim moves the row's
``next_attempt_at`` one lease ahead, so a second bot instance skips it while the
first is sending (PostgreSQL additionally uses ``FOR UPDATE SKIP LOCKED``; SQLite
serialises writers). A row whose sender died becomes due again when the lease ends.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, selectinload

from lapor_bridge.db.models import Complaint, ComplaintEvent, Notification
from lapor_bridge.db.models_bot import BotChat
from lapor_bridge.domain.status import Status
from lapor_bridge.services.context import ServiceContext

CHANNEL = "telegram"
REPLYABLE_KINDS = frozenset({"responded", "info_requested"})


@dataclass(frozen=True)
class DueMessage:
    """One claimed notification with what is needed to word it."""

    notification_id: int
    chat_id: int
    language: str | None
    tracking_number: str
    event_kind: str
    to_status: Status | None
    note: str | None
    agency_name: str | None
    can_reply: bool
    attempts: int


def claim_due(ctx: ServiceContext, limit: int, lease_seconds: float) -> list[DueMessage]:
    """Reserve up to ``limit`` due Telegram notifications for this sender."""
    with ctx.transaction() as session:
        rows, events = claim_rows(session, CHANNEL, limit, lease_seconds, ctx.clock())
        if not rows:
            return []
        languages = dict(session.execute(
            select(BotChat.chat_id, BotChat.language).where(
                BotChat.chat_id.in_({int(row.recipient) for row in rows}))
        ).all())
        return [_due(row, events[row.event_id], languages) for row in rows]


def claim_rows(session: Session, channel: str, limit: int, lease_seconds: float,
               now: datetime) -> tuple[list[Notification], dict[int, ComplaintEvent]]:
    """Lease up to ``limit`` due rows of ``channel``; with their events by id."""
    rows = session.scalars(
        select(Notification)
        .where(Notification.channel == channel, Notification.state == "pending",
               Notification.next_attempt_at <= now)
        .order_by(Notification.next_attempt_at, Notification.id)
        .limit(limit)
        .with_for_update(skip_locked=True, of=Notification)
    ).all()
    if not rows:
        return [], {}
    session.execute(
        update(Notification)
        .where(Notification.id.in_([row.id for row in rows]), Notification.state == "pending")
        .values(next_attempt_at=now + timedelta(seconds=lease_seconds))
    )
    events = {event.id: event for event in session.scalars(
        select(ComplaintEvent).where(ComplaintEvent.id.in_({row.event_id for row in rows}))
        .options(selectinload(ComplaintEvent.agency),
                 selectinload(ComplaintEvent.complaint).selectinload(Complaint.contact))
    )}
    return list(rows), events


def mark_sent(ctx: ServiceContext, notification_id: int) -> None:
    """Record a successful delivery."""
    now = ctx.clock()
    with ctx.transaction() as session:
        session.execute(
            update(Notification).where(Notification.id == notification_id).values(
                state="sent", sent_at=now, attempts=Notification.attempts + 1, last_error=None)
        )


def retry_later(
    ctx: ServiceContext, notification_id: int, error: str, delay_seconds: float,
    *, count_attempt: bool, max_attempts: int,
) -> str:
    """Schedule another try after ``delay_seconds``; dead after ``max_attempts``. Return the state.

    ``count_attempt=False`` is for flood control (429): the message was not at fault.
    """
    with ctx.transaction() as session:
        row = session.get(Notification, notification_id)
        if count_attempt:
            row.attempts += 1
        row.last_error = error[:1000]
        row.next_attempt_at = ctx.clock() + timedelta(seconds=delay_seconds)
        if row.attempts >= max_attempts:
            row.state = "dead"
        return row.state


def mark_dead(ctx: ServiceContext, notification_id: int, error: str) -> None:
    """Give up on a notification that can never be delivered (blocked bot, unknown chat)."""
    with ctx.transaction() as session:
        session.execute(
            update(Notification).where(Notification.id == notification_id).values(
                state="dead", attempts=Notification.attempts + 1, last_error=error[:1000])
        )


def backoff_seconds(attempts: int, base: float, cap: float) -> float:
    """Exponential backoff with jitter: between half and all of ``base * 2**attempts``, capped."""
    ceiling = min(cap, base * 2 ** max(attempts, 0))
    return random.uniform(ceiling / 2, ceiling)


def _due(row: Notification, event: ComplaintEvent, languages: dict[int, str]) -> DueMessage:
    chat_id = int(row.recipient)
    contact = event.complaint.contact
    is_reporter = contact is not None and contact.telegram_chat_id == chat_id
    return DueMessage(
        notification_id=row.id,
        chat_id=chat_id,
        language=languages.get(chat_id),
        tracking_number=event.complaint.tracking_number,
        event_kind=event.kind,
        to_status=Status(event.to_status) if event.to_status else None,
        note=event.note,
        agency_name=event.agency.name if event.agency else None,
        can_reply=is_reporter and event.kind in REPLYABLE_KINDS,
        attempts=row.attempts,
    )
