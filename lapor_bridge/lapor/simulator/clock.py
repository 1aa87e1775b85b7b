"""The simulator's auto-close clock: weekdays only, no holiday calendar.

Real LAPOR! also skips national holidays and cuti bersama; counting weekends only
is enough to exercise the bridge and keeps the simulator free of calendar data.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

AUTO_CLOSE_WORKING_DAYS = 10
WIB = ZoneInfo("Asia/Jakarta")


def working_days_between(start: date, end: date) -> int:
    """Monday-to-Friday days ``d`` with ``start < d <= end``."""
    days = 0
    day = start + timedelta(days=1)
    while day <= end:
        if day.weekday() < 5:
            days += 1
        day += timedelta(days=1)
    return days


def auto_close_due(last_followup_at: datetime, now: datetime) -> bool:
    """Whether a follow-up left unanswered since ``last_followup_at`` closes the report."""
    start = last_followup_at.astimezone(WIB).date()
    end = now.astimezone(WIB).date()
    return working_days_between(start, end) >= AUTO_CLOSE_WORKING_DAYS


def utc_now() -> datetime:
    """The current time, aware UTC."""
    return datetime.now(UTC)
