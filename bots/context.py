"""The callback context of every handler: the services and the resident's language."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from telegram.ext import CallbackContext, ExtBot

from bots.texts import t
from lapor_bridge.services.context import ServiceContext
from lapor_bridge.translations import localize_in

SERVICES_KEY = "services"
LANGUAGE_KEY = "lang"


class BotContext(CallbackContext[ExtBot, dict, dict, dict]):
    """PTB's context plus typed access to the services and the chat's language."""

    @property
    def services(self) -> ServiceContext:
        """The service context the bot was built with."""
        return self.application.bot_data[SERVICES_KEY]

    @property
    def lang(self) -> str:
        """The language this user chose with /bahasa, else the deployment default."""
        chosen = (self.user_data or {}).get(LANGUAGE_KEY)
        return chosen or self.services.settings.app.default_locale

    def text(self, text_key: str, /, **values: object) -> str:
        """A user-facing text in this user's language."""
        return t(self.lang, text_key, **values)

    def localized(self, message: str) -> str:
        """A service's message (e.g. a validation error) in this user's language."""
        return localize_in(message, self.lang)

    def local_time(self, moment: datetime) -> str:
        """A stored UTC time as the resident reads it (deployment time zone, e.g. WIB)."""
        zone = ZoneInfo(self.services.settings.app.timezone)
        return f"{moment.astimezone(zone):%d-%m-%Y %H:%M}"
