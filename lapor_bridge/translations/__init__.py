"""The one translation catalogue of the web app and the bot (see ``docs/i18n.md``).

Source strings (msgids) are Bahasa Indonesia, the default language, which needs no
catalogue; English lives in ``en/LC_MESSAGES/messages.po`` (compiled to ``.mo``).
Nothing here imports Flask: services mark their texts with :class:`Message` or
:func:`N_`, and each channel translates them with :func:`localize` when it shows them.
"""

from __future__ import annotations

import gettext as gettext_module
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from babel.support import Translations

TRANSLATIONS_DIR = Path(__file__).parent
DOMAIN = "messages"
LOCALES = ("id", "en")
DEFAULT_LOCALE = "id"


class Message(str):
    """Indonesian text that keeps its msgid and named ``{placeholders}`` for translation.

    It *is* the Indonesian text (a ``str``), so code and tests that compare, join or
    serialise it see Bahasa Indonesia; :func:`localize` renders it in another language.
    Parameters that are themselves ``Message`` are translated too.
    """

    msgid: str
    params: dict[str, object]

    def __new__(cls, msgid: str, **params: object) -> Message:
        """The Indonesian text of ``msgid`` with ``params`` filled in."""
        message = super().__new__(cls, msgid.format(**params) if params else msgid)
        message.msgid, message.params = msgid, params
        return message


def N_(msgid: str) -> str:
    """Mark ``msgid`` for extraction without translating it (translated when shown)."""
    return msgid


@lru_cache
def catalogue(locale: str | None) -> gettext_module.NullTranslations:
    """The compiled catalogue of ``locale``; Indonesian (or unknown) passes msgids through."""
    return Translations.load(str(TRANSLATIONS_DIR), [locale or DEFAULT_LOCALE], DOMAIN)


def localize(text: str, gettext: Callable[[str], str]) -> str:
    """``text`` in the reader's language through ``gettext`` (a catalogue's or Flask-Babel's).

    A :class:`Message` is translated by msgid and then filled in; other text is looked up
    as it is (so labels marked with :func:`N_` translate) and returned unchanged if unknown.
    """
    if isinstance(text, Message):
        params = {name: localize(value, gettext) if isinstance(value, Message) else value
                  for name, value in text.params.items()}
        template = gettext(text.msgid)
        return template.format(**params) if params else template
    return gettext(text) if text else text


def localize_in(text: str, locale: str | None) -> str:
    """``text`` in ``locale`` without Flask (the bot, the command line)."""
    return localize(text, catalogue(locale).gettext)
