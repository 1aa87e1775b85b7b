"""Deliver resident notifications (``notifications`` rows, channel ``telegram``).

A PTB repeating job calls :func:`deliver_due`: claim due rows, word each one in the
chat's language, send it, record the outcome. Flood control (429) postpones the
rest of the batch by ``retry_after`` without counting an attempt; server and
network errors back off exponentially with jitter until the row is dead; a chat
that blocked the bot or no longer exists is dead at once.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter

from bots import keyboards
from bots.context import BotContext
from bots.texts import t
from lapor_bridge.services.bot_delivery import (
    DueMessage,
    backoff_seconds,
    claim_due,
    mark_dead,
    mark_sent,
    retry_later,
)
from lapor_bridge.services.context import ServiceContext

log = logging.getLogger(__name__)

# Kinds with their own wording ({note} is part of the first two), and kinds whose
# event note is addressed to the resident and is appended to the message.
OWN_WORDING = frozenset({"responded", "info_requested", "resolved", "auto_closed",
                         "transferred", "disposed", "claimed", "verified", "reporter_replied"})
NOTE_APPENDED = frozenset({"resolved", "rejected", "archived", "reopened", "followup",
                           "status_changed"})


async def delivery_job(context: BotContext) -> None:
    """The repeating job: one delivery pass."""
    await deliver_due(context.bot, context.services)


async def deliver_due(bot: Bot, services: ServiceContext) -> int:
    """Claim and send the due Telegram notifications; return how many were delivered."""
    settings = services.settings.telegram
    due = await asyncio.to_thread(
        claim_due, services, settings.notify_batch_size, settings.notify_lease_seconds)
    delivered = 0
    for index, message in enumerate(due):
        try:
            await bot.send_message(message.chat_id, render(message, services),
                                   reply_markup=_markup(message, services))
        except RetryAfter as exc:
            delay = _retry_after_seconds(exc)
            log.warning("Telegram flood control: retrying %d messages in %.0f s",
                        len(due) - index, delay)
            for postponed in due[index:]:
                await asyncio.to_thread(
                    retry_later, services, postponed.notification_id, str(exc), delay,
                    count_attempt=False, max_attempts=settings.notify_max_attempts)
            break
        except (Forbidden, BadRequest) as exc:
            log.warning("notification %d undeliverable: %s", message.notification_id, exc)
            await asyncio.to_thread(mark_dead, services, message.notification_id, str(exc))
        except NetworkError as exc:
            delay = backoff_seconds(message.attempts, settings.notify_backoff_base_seconds,
                                    settings.notify_backoff_max_seconds)
            state = await asyncio.to_thread(
                retry_later, services, message.notification_id, str(exc), delay,
                count_attempt=True, max_attempts=settings.notify_max_attempts)
            log.warning("notification %d failed (%s); %s", message.notification_id, exc,
                        "dead" if state == "dead" else f"retry in {delay:.0f} s")
        else:
            await asyncio.to_thread(mark_sent, services, message.notification_id)
            delivered += 1
    return delivered


def render(message: DueMessage, services: ServiceContext) -> str:
    """The notification text, in the chat's language."""
    lang = message.language or services.settings.app.default_locale
    note = (message.note or "").strip()
    if message.event_kind in OWN_WORDING:
        text = t(lang, f"notify_{message.event_kind}", number=message.tracking_number,
                 agency=message.agency_name or t(lang, "unknown_agency"), note=note)
    else:
        status = message.to_status
        label = (status.label_en if lang == "en" else status.label_id) if status else "-"
        text = t(lang, "notify_status", number=message.tracking_number, status=label)
    if note and message.event_kind in NOTE_APPENDED:
        text += t(lang, "notify_note", note=note)
    return text + t(lang, "notify_footer", number=message.tracking_number)


def _markup(message: DueMessage, services: ServiceContext):
    if not message.can_reply:
        return None
    lang = message.language or services.settings.app.default_locale
    return keyboards.reply_button(lang, message.tracking_number)


def _retry_after_seconds(exc: RetryAfter) -> float:
    value = exc.retry_after  # int in PTB 22, timedelta from v23 (or with PTB_TIMEDELTA=1)
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
