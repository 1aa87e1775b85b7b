"""Template helpers: times in WIB, status and category labels."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Flask

from lapor_bridge.domain import categories
from lapor_bridge.domain.status import Status
from lapor_bridge.services.tracking import EVENT_LABELS
from lapor_bridge.translations import N_, Message
from lapor_bridge.web.i18n import current_language, translated

STAFF_EVENT_LABELS = {
    **EVENT_LABELS,
    "note": N_("Catatan internal"),
    "category": N_("Kategori"),
    "escalated": N_("Eskalasi tenggat"),
    "personal_data_erased": N_("Data pribadi pelapor dihapus"),
}


def init_app(app: Flask) -> None:
    """Register the filters on ``app``."""
    zone = ZoneInfo(app.config["LAPOR_SETTINGS"].app.timezone)

    @app.template_filter("wib")
    def wib(value: datetime | None) -> str:
        if value is None:
            return ""
        return value.astimezone(zone).strftime("%d-%m-%Y %H:%M WIB")

    @app.template_filter("status_label")
    def status_label(value: str | Status | None) -> str:
        if value is None:
            return ""
        return Status(value).label(current_language())

    @app.template_filter("category_label")
    def category_label(code: str | None) -> str:
        return categories.label(code, current_language())

    @app.template_filter("percent")
    def percent(value: float | None) -> str:
        return "" if value is None else f"{value:.0%}"

    @app.template_filter("event_label")
    def event_label(kind: str) -> str:
        return translated(STAFF_EVENT_LABELS.get(kind, kind))

    @app.template_filter("time_left")
    def time_left(remaining: float | None, paused: bool = False) -> str:
        return translated(time_left_words(remaining, paused))

    @app.template_filter("sla_class")
    def sla_class(remaining: float | None, paused: bool = False) -> str:
        if paused:
            return "sla-paused"
        if remaining is None:
            return "sla-none"
        return "sla-late" if remaining < 0 else "sla-soon" if remaining < 1 else "sla-ok"


def time_left_words(remaining: float | None, paused: bool = False) -> str:
    """Working time left in plain words: "sisa 2,5 hari kerja", "TERLAMBAT 3 jam kerja"."""
    if paused:
        return Message("Dijeda: menunggu pelapor")
    if remaining is None:
        return "—"
    amount = abs(remaining)
    if amount >= 1:
        days = f"{amount:.1f}".replace(".", ",").removesuffix(",0")
        text = Message("{days} hari kerja", days=days)
    else:
        text = Message("{hours} jam kerja", hours=max(1, round(amount * 24)))
    if remaining < 0:
        return Message("TERLAMBAT {time}", time=text)
    return Message("sisa {time}", time=text)
