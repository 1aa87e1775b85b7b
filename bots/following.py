"""Following complaints: /status, /laporanku, and the "Balas" button under a notification."""

from __future__ import annotations

import asyncio
import warnings
from datetime import timedelta

from telegram import Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bots import keyboards
from bots.context import BotContext
from lapor_bridge.config import TelegramSettings
from lapor_bridge.domain.errors import DomainError
from lapor_bridge.services.errors import NotFound, ValidationFailed
from lapor_bridge.services.reporter import reporter_reply
from lapor_bridge.services.residents import complaints_of_chat, status_for_chat

REPLY_NAME = "balas"
REPLY = "reply"
REPLY_TO = "reply_to"
HISTORY_SHOWN = 5


def build_following_handlers() -> list:
    """/status and /laporanku."""
    return [CommandHandler("status", status), CommandHandler("laporanku", my_complaints)]


def build_reply_conversation(settings: TelegramSettings) -> ConversationHandler:
    """Balas → one text → the reporter's reply on the complaint."""
    with warnings.catch_warnings():
        # PTB warns that callback queries are tracked per chat, not per message: intended.
        warnings.simplefilter("ignore", PTBUserWarning)
        return ConversationHandler(
            name=REPLY_NAME,
            persistent=True,
            conversation_timeout=timedelta(seconds=settings.conversation_timeout_seconds),
            entry_points=[CallbackQueryHandler(
                start_reply, pattern=keyboards.with_value(keyboards.REPLY))],
            states={
                REPLY: [MessageHandler(filters.TEXT & ~filters.COMMAND, got_reply),
                        MessageHandler(filters.ALL & ~filters.COMMAND, reply_expected)],
                ConversationHandler.TIMEOUT: [TypeHandler(Update, reply_expired)],
            },
            fallbacks=[CommandHandler("batal", cancel_reply)],
        )


async def status(update: Update, context: BotContext) -> None:
    """/status NOMOR: the complaint as this chat may see it."""
    if not context.args:
        await update.message.reply_text(context.text("status_usage"))
        return
    number = "".join(context.args)[:32]
    view = await asyncio.to_thread(
        status_for_chat, context.services, number, update.effective_chat.id)
    if view is None:
        await update.message.reply_text(
            context.text("status_not_found", number=number.upper()))
        return
    english = context.lang == "en"
    text = context.text(
        "status_view", number=view.tracking_number,
        status=view.status.label_en if english else view.status.label_id,
        agency=view.agency_name, updated=context.local_time(view.updated_at))
    if view.title:
        text += context.text("status_text", title=view.title, kelurahan=view.kelurahan or "-",
                             kecamatan=view.kecamatan or "-")
    if view.is_secret:
        text += context.text("status_secret")
    if view.history:
        text += context.text("status_history")
        for event in view.history[-HISTORY_SHOWN:]:
            text += f"\n• {context.local_time(event.at)} — {event.label}"
    await update.message.reply_text(text)


async def my_complaints(update: Update, context: BotContext) -> None:
    """/laporanku: the complaints this chat filed or follows, with their states."""
    complaints = await asyncio.to_thread(
        complaints_of_chat, context.services, update.effective_chat.id)
    if not complaints:
        await update.message.reply_text(context.text("my_complaints_empty"))
        return
    english = context.lang == "en"
    lines = [context.text("my_complaints_header")]
    for item in complaints:
        label = item.status.label_en if english else item.status.label_id
        followed = "" if item.is_own else context.text("my_complaint_followed")
        lines.append(f"\n{item.tracking_number}{followed} — {label}\n{item.title}")
    await update.message.reply_text("\n".join(lines))


async def start_reply(update: Update, context: BotContext) -> str:
    """The Balas button: ask for the reply text."""
    query = update.callback_query
    await query.answer()
    number = keyboards.value(query.data)
    context.user_data[REPLY_TO] = number
    await query.message.reply_text(context.text("ask_reply", number=number))
    return REPLY


async def got_reply(update: Update, context: BotContext) -> int | None:
    """The reply text: record it as the reporter's response on the complaint."""
    number = context.user_data.get(REPLY_TO, "")
    try:
        await asyncio.to_thread(reporter_reply, context.services, number,
                                update.message.text, chat_id=update.effective_chat.id)
    except ValidationFailed as exc:
        await update.message.reply_text(
            context.text("reply_refused",
                         reason="; ".join(map(context.localized, exc.errors.values()))))
        return None
    except (NotFound, DomainError) as exc:
        await update.message.reply_text(context.text("reply_refused", reason=str(exc)))
        context.user_data.pop(REPLY_TO, None)
        return ConversationHandler.END
    context.user_data.pop(REPLY_TO, None)
    await update.message.reply_text(context.text("reply_sent", number=number))
    return ConversationHandler.END


async def reply_expected(update: Update, context: BotContext) -> None:
    """Anything but text while waiting for the reply."""
    await update.effective_message.reply_text(context.text("reply_expected"))


async def cancel_reply(update: Update, context: BotContext) -> int:
    """/batal while writing a reply."""
    context.user_data.pop(REPLY_TO, None)
    await update.effective_message.reply_text(context.text("reply_cancelled"))
    return ConversationHandler.END


async def reply_expired(update: Update, context: BotContext) -> None:
    """The reply was never written."""
    context.user_data.pop(REPLY_TO, None)
    await context.bot.send_message(update.effective_chat.id, context.text("reply_expired"))
