"""/start, /bantuan, /bahasa and the answer to buttons that no longer do anything."""

from __future__ import annotations

import asyncio

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bots import keyboards
from bots.context import LANGUAGE_KEY, BotContext
from bots.texts import LANGUAGES
from lapor_bridge.services.bot_state import set_language


def build_general_handlers() -> list:
    """Welcome, help and language handlers."""
    return [
        CommandHandler(["start", "bantuan", "help"], welcome),
        CommandHandler("bahasa", choose_language),
        CommandHandler("batal", nothing_to_cancel),
        CallbackQueryHandler(picked_language, pattern=keyboards.with_value(keyboards.LANGUAGE)),
    ]


def build_stale_button_handler() -> CallbackQueryHandler:
    """Answers any button press nothing else claimed (an old message's buttons)."""
    return CallbackQueryHandler(stale_button)


async def welcome(update: Update, context: BotContext) -> None:
    """/start: what the bot does and its commands."""
    await update.effective_message.reply_text(context.text("welcome"))


async def choose_language(update: Update, context: BotContext) -> None:
    """/bahasa [id|en]: switch at once with an argument, else offer the choice."""
    wanted = (context.args or [""])[0].lower()
    if wanted in LANGUAGES:
        await _set_language(update, context, wanted)
        return
    await update.effective_message.reply_text(
        context.text("language_pick"), reply_markup=keyboards.languages())


async def picked_language(update: Update, context: BotContext) -> None:
    """A language button."""
    query = update.callback_query
    await query.answer()
    wanted = keyboards.value(query.data)
    if wanted in LANGUAGES:
        await query.edit_message_reply_markup(reply_markup=None)
        await _set_language(update, context, wanted)


async def nothing_to_cancel(update: Update, context: BotContext) -> None:
    """/batal with no report in progress."""
    await update.effective_message.reply_text(context.text("nothing_to_cancel"))


async def stale_button(update: Update, context: BotContext) -> None:
    """Tell the resident an old button no longer acts, instead of leaving it spinning."""
    await update.callback_query.answer(context.text("button_stale"))


async def _set_language(update: Update, context: BotContext, language: str) -> None:
    context.user_data[LANGUAGE_KEY] = language
    await asyncio.to_thread(set_language, context.services, update.effective_chat.id, language)
    await update.effective_message.reply_text(context.text("language_set"))
