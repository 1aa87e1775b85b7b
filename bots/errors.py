"""The bot's one error handler: log it, and tell the resident nothing was lost."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError

from bots.context import BotContext

log = logging.getLogger("bots")


async def on_error(update: object, context: BotContext) -> None:
    """Log any exception a handler or job raised and apologise in the chat it came from.

    The conversation keeps its state when a step fails, so the resident can simply
    try the same step again.
    """
    log.error("bot error while handling %r", update, exc_info=context.error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    try:
        await context.bot.send_message(update.effective_chat.id, context.text("error"))
    except TelegramError:
        log.warning("could not tell chat %s about the error", update.effective_chat.id)
