"""The web side of the one catalogue: the language choice, the switch, service messages."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Flask, current_app, request, session
from flask_babel import get_locale, gettext

from lapor_bridge.translations import LOCALES, TRANSLATIONS_DIR, localize


def init_app(app: Flask) -> None:
    """Point Flask-Babel at the catalogue and give templates the switch and ``|localize``."""
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS_DIR))
    app.add_template_filter(translated, "localize")
    app.add_template_global(language_url)
    app.add_template_global(current_language)


def select_locale() -> str:
    """``?lang=id|en`` sets the language for this browser's session; else the default."""
    chosen = request.args.get("lang")
    if chosen in LOCALES:
        session["lang"] = chosen
    return session.get("lang") or current_app.config["BABEL_DEFAULT_LOCALE"]


def current_language() -> str:
    """The language of this page, ``id`` or ``en``."""
    return get_locale().language


def language_url(code: str) -> str:
    """This page in language ``code``, keeping its query (e.g. the reporter's key)."""
    query = {name: values for name, values in request.args.lists() if name != "lang"}
    return f"{request.path}?{urlencode({**query, 'lang': code}, doseq=True)}"


def translated(text: str) -> str:
    """A service message or marked label in the page's language."""
    return localize(text, gettext)


def translated_errors(errors: dict[str, str]) -> dict[str, str]:
    """Each field's error in the page's language."""
    return {name: translated(message) for name, message in errors.items()}


def error_text(exc: Exception) -> str:
    """What a service or domain error says, in the page's language.

    Service errors carry a :class:`~lapor_bridge.translations.Message`; the domain's
    illegal-transition errors read "Indonesian. / English." and we pick the half.
    """
    reason = exc.args[0] if exc.args else ""
    if not isinstance(reason, str):
        return str(exc)
    halves = reason.split(" / ")
    if len(halves) == 2:
        return halves[1 if current_language() == "en" else 0]
    return translated(reason)
