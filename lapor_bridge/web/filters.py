"""Template helpers: times in WIB, status labels."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Flask

from lapor_bridge.domain.status import Status


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
        return Status(value).label_id

    @app.template_filter("percent")
    def percent(value: float | None) -> str:
        return "" if value is None else f"{value:.0%}"
