"""``build_bot``: the python-telegram-bot ``Application``, built from settings; ``run_bot``."""

from __future__ import annotations

from urllib.parse import urlsplit

from telegram import BotCommand, Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes, TypeHandler

from bots.context import SERVICES_KEY, BotContext
from bots.conversation import build_report_conversation
from bots.errors import on_error
from bots.following import build_following_handlers, build_reply_conversation
from bots.general import build_general_handlers, build_stale_button_handler
from bots.notify import delivery_job
from bots.persistence import DatabasePersistence
from bots.ratelimit import FloodGuard
from bots.texts import LANGUAGES, t
from lapor_bridge.config import ConfigError, Settings, TelegramSettings
from lapor_bridge.services.context import ServiceContext

MODES = ("polling", "webhook")
COMMANDS = ("lapor", "status", "laporanku", "batal", "bahasa")


def build_bot(settings: Settings, services: ServiceContext) -> Application:
    """The bot over ``services``: handlers, DB persistence, notification job, error handler."""
    telegram = settings.telegram
    if not telegram.token:
        raise ConfigError("telegram.token is empty (set LAPOR_BRIDGE_TELEGRAM__TOKEN)")
    if telegram.mode not in MODES:
        raise ConfigError(f"telegram.mode must be one of {MODES}, got {telegram.mode!r}")
    if telegram.mode == "webhook" and not telegram.webhook_url:
        raise ConfigError("telegram.webhook_url is required in webhook mode")
    application = (
        ApplicationBuilder()
        .token(telegram.token)
        .base_url(telegram.base_url)
        .base_file_url(telegram.base_file_url)
        .context_types(ContextTypes(context=BotContext))
        .persistence(DatabasePersistence(
            services, update_interval=telegram.persistence_interval_seconds,
            max_idle_seconds=telegram.conversation_timeout_seconds))
        .post_init(_register_commands)
        .build()
    )
    application.bot_data[SERVICES_KEY] = services
    application.add_handler(
        TypeHandler(Update, FloodGuard(telegram.rate_limit_messages,
                                       telegram.rate_limit_window_seconds)),
        group=-1,
    )
    application.add_handler(build_reply_conversation(telegram))
    application.add_handler(build_report_conversation(telegram))
    application.add_handlers(build_following_handlers())
    application.add_handlers(build_general_handlers())
    application.add_handler(build_stale_button_handler())
    application.add_error_handler(on_error)
    application.job_queue.run_repeating(
        delivery_job, interval=telegram.notify_interval_seconds, first=0.0,
        name="notifications")
    return application


def run_bot(application: Application, telegram: TelegramSettings) -> None:
    """Run until interrupted: long polling, or a webhook listener in webhook mode."""
    if telegram.mode == "webhook":
        application.run_webhook(
            listen=telegram.webhook_listen,
            port=telegram.webhook_port,
            url_path=urlsplit(telegram.webhook_url).path.lstrip("/"),
            webhook_url=telegram.webhook_url,
            secret_token=telegram.webhook_secret or None,
            allowed_updates=Update.ALL_TYPES,
        )
    else:
        application.run_polling(allowed_updates=Update.ALL_TYPES,
                                timeout=telegram.poll_timeout_seconds)


async def _register_commands(application: Application) -> None:
    """Publish the command menu in Bahasa Indonesia (default) and English."""
    for lang in LANGUAGES:
        await application.bot.set_my_commands(
            [BotCommand(command, t(lang, f"command_{command}")) for command in COMMANDS],
            language_code=None if lang == "id" else lang,
        )
