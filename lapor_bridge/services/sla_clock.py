"""The SLA clocks of stored complaints: settings → domain policy, rows → timelines.

The arithmetic is :mod:`lapor_bridge.domain.sla`; this module feeds it from the
database columns and writes the current clock back (``sla_stage``, ``sla_due_at``)
so that overdue lists are index scans.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import cache

from lapor_bridge.config import ConfigError, SlaSettings
from lapor_bridge.db.models import Complaint
from lapor_bridge.domain.calendar import WorkingCalendar
from lapor_bridge.domain.sla import TARGET_FIELDS, SlaPolicy, SlaSnapshot, Timeline, evaluate
from lapor_bridge.domain.status import Status


@cache
def working_calendar(cuti_bersama: tuple[str, ...]) -> WorkingCalendar:
    """The WIB working-day calendar with the configured cuti bersama (built once)."""
    try:
        extra = [date.fromisoformat(day) for day in cuti_bersama]
    except ValueError as exc:
        raise ConfigError(f"sla.cuti_bersama holds a bad date: {exc}") from exc
    return WorkingCalendar(extra)


@cache
def sla_policy(settings: SlaSettings) -> SlaPolicy:
    """The domain policy for these settings (targets, agency overrides, escalation)."""
    return SlaPolicy(
        dispose_days=settings.dispose_days,
        first_response_days=settings.first_response_days,
        auto_close_days=settings.auto_close_days,
        completion_days=settings.completion_days,
        escalation_after=(
            settings.escalate_head_after_days,
            settings.escalate_admin_after_days,
            settings.escalate_coordinator_after_days,
        ),
        agency_overrides=_agency_targets(settings.agency_targets),
    )


def _agency_targets(entries: tuple[str, ...]) -> dict[str, dict[str, int]]:
    targets: dict[str, dict[str, int]] = {}
    for entry in entries:
        key, _, days = entry.partition("=")
        code, _, name = key.strip().partition(".")
        if name not in TARGET_FIELDS or not days.strip().isdigit():
            raise ConfigError(f"sla.agency_targets entry {entry!r}: use CODE.target=days")
        targets.setdefault(code.upper(), {})[name] = int(days)
    return targets


def timeline_of(complaint: Complaint) -> Timeline:
    """The domain timeline of a stored complaint."""
    return Timeline(
        status=Status(complaint.status),
        submitted_at=complaint.created_at,
        disposed_at=complaint.disposed_at,
        first_disposed_at=complaint.first_disposed_at,
        first_response_at=complaint.first_response_at,
        last_response_at=complaint.last_response_at,
        closed_at=complaint.closed_at,
        pauses=[
            (datetime.fromisoformat(start), datetime.fromisoformat(end) if end else None)
            for start, end in complaint.pauses or ()
        ],
    )


def snapshot(settings: SlaSettings, complaint: Complaint, agency_code: str,
             now: datetime) -> SlaSnapshot:
    """Every stage clock of ``complaint`` at ``now``."""
    return timeline_snapshot(settings, timeline_of(complaint), agency_code, now)


def timeline_snapshot(settings: SlaSettings, timeline: Timeline, agency_code: str,
                      now: datetime) -> SlaSnapshot:
    """Every stage clock of ``timeline`` at ``now`` (for a row not loaded as a Complaint)."""
    return evaluate(timeline, now, sla_policy(settings),
                    working_calendar(settings.cuti_bersama), agency_code=agency_code)


def refresh_stored_clock(settings: SlaSettings, complaint: Complaint, agency_code: str,
                         now: datetime) -> SlaSnapshot:
    """Recompute the clock and store its current stage and due time on the row."""
    result = snapshot(settings, complaint, agency_code, now)
    complaint.sla_stage = result.current.stage.value if result.current else None
    complaint.sla_due_at = result.due_at
    return result


def open_pause(complaint: Complaint, now: datetime) -> None:
    """Stop the clock: the complaint now waits for the reporter."""
    complaint.pauses = [*(complaint.pauses or []), [now.isoformat(), None]]


def close_pause(complaint: Complaint, now: datetime) -> None:
    """Restart the clock when a wait for the reporter is open (no-op otherwise)."""
    pauses = [list(pause) for pause in complaint.pauses or []]
    if pauses and pauses[-1][1] is None:
        pauses[-1][1] = now.isoformat()
        complaint.pauses = pauses
