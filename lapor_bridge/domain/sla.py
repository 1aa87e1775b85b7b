"""Service-level clocks of one complaint: what is due when, what is late, who hears of it.

Stages, with the SP4N-LAPOR! defaults of :class:`SlaPolicy`:

* ``dispose`` — verify and dispose: submission → first disposition, 3 working days.
* ``first_response`` — first follow-up: disposition to the agency now holding the
  complaint → its first follow-up, 5 working days; a transfer restarts it.
* ``auto_close`` — only while ``responded``: last follow-up → automatic closing,
  10 working days. Its due time is when the job closes the complaint, not a breach
  anyone is escalated for.
* ``completion`` — submission → closing, 60 **calendar** days (Perpres 76/2013
  counts "hari", not "hari kerja"); only the end-of-day rule is shared.

``first_response`` and ``completion`` stop while the complaint waits for the
reporter (the pauses). A stage is done when its goal is met, or when the complaint
closed (resolved, auto-closed, archived, rejected) before that. Counting rules are
those of :mod:`lapor_bridge.domain.calendar`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import IntEnum, StrEnum

from lapor_bridge.domain.calendar import WorkingCalendar
from lapor_bridge.domain.status import Status

TARGET_FIELDS = frozenset(
    {"dispose_days", "first_response_days", "auto_close_days", "completion_days"}
)
DEFAULT_ESCALATION_AFTER = (0.0, 2.0, 5.0)


class Stage(StrEnum):
    """A clocked step of the workflow."""

    DISPOSE = "dispose"
    FIRST_RESPONSE = "first_response"
    AUTO_CLOSE = "auto_close"
    COMPLETION = "completion"


class Escalation(IntEnum):
    """Who must hear about an overdue complaint, in rising order."""

    NONE = 0
    AGENCY_HEAD = 1
    REGIONAL_ADMIN = 2
    COORDINATOR = 3


@dataclass(frozen=True)
class SlaPolicy:
    """Stage targets in days, escalation thresholds, and per-agency / per-category overrides.

    ``escalation_after`` holds three thresholds in working days overdue: more than
    the first reaches the agency head, the second the regional admin, the third the
    coordinator. Overrides map an agency code or a category to target fields, e.g.
    ``{"DINKES": {"first_response_days": 2}}``.
    """

    dispose_days: int = 3
    first_response_days: int = 5
    auto_close_days: int = 10
    completion_days: int = 60
    escalation_after: tuple[float, float, float] = DEFAULT_ESCALATION_AFTER
    agency_overrides: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    category_overrides: Mapping[str, Mapping[str, int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in TARGET_FIELDS:
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")
        after = tuple(self.escalation_after)
        if len(after) != 3 or list(after) != sorted(after):
            raise ValueError(f"escalation_after needs 3 ascending thresholds, got {after}")
        for overrides in (self.agency_overrides, self.category_overrides):
            for key, targets in overrides.items():
                unknown = set(targets) - TARGET_FIELDS
                if unknown:
                    raise ValueError(f"unknown SLA target(s) {sorted(unknown)} for {key!r}")

    def for_complaint(
        self, agency_code: str | None = None, category: str | None = None
    ) -> SlaPolicy:
        """Targets for one complaint: defaults, then the agency's overrides, then the category's."""
        changes = {
            **self.agency_overrides.get(agency_code, {}),
            **self.category_overrides.get(category, {}),
        }
        return replace(self, **changes) if changes else self


@dataclass(frozen=True)
class Timeline:
    """What has happened to one complaint so far; all datetimes aware.

    ``disposed_at`` is the disposition to the agency holding it now (after a
    transfer, the latest one); ``first_disposed_at`` the very first, defaulting to
    ``disposed_at``. ``first_response_at`` is the current agency's first follow-up.
    ``closed_at`` is when it reached a closed status. ``pauses`` are the waits for the
    reporter; an open one has ``None`` as its end.
    """

    status: Status
    submitted_at: datetime
    disposed_at: datetime | None = None
    first_disposed_at: datetime | None = None
    first_response_at: datetime | None = None
    last_response_at: datetime | None = None
    closed_at: datetime | None = None
    pauses: Sequence[tuple[datetime, datetime | None]] = ()


@dataclass(frozen=True)
class StageClock:
    """One stage: when it is due, when it was done, and how much time is left.

    ``remaining`` is in working days from now to ``due_at`` (negative once overdue)
    for every stage, calendar-day ones included; ``None`` once done. ``paused`` is
    true while the stage's clock is stopped; ``due_at`` then assumes the reporter
    answers now.
    """

    stage: Stage
    due_at: datetime
    done_at: datetime | None
    breached: bool
    remaining: float | None
    paused: bool

    @property
    def overdue_by(self) -> float:
        """Working days past due while still open; 0 when on time or done."""
        return 0.0 if self.remaining is None else max(-self.remaining, 0.0)


@dataclass(frozen=True)
class SlaSnapshot:
    """All stage clocks of a complaint at one moment, the one to display, the escalation."""

    stages: tuple[StageClock, ...]
    current: StageClock | None
    escalation: Escalation

    @property
    def due_at(self) -> datetime | None:
        """The single due time to show, or ``None`` when the complaint is closed."""
        return None if self.current is None else self.current.due_at


def escalation_level(
    overdue_by: float, thresholds: Sequence[float] = DEFAULT_ESCALATION_AFTER
) -> Escalation:
    """Escalation for ``overdue_by`` working days: one step per threshold exceeded."""
    return Escalation(sum(overdue_by > threshold for threshold in thresholds))


def evaluate(
    timeline: Timeline,
    now: datetime,
    policy: SlaPolicy,
    calendar: WorkingCalendar,
    *,
    agency_code: str | None = None,
    category: str | None = None,
) -> SlaSnapshot:
    """Compute every stage clock of ``timeline`` at ``now`` under ``policy``."""
    policy = policy.for_complaint(agency_code, category)
    status = Status(timeline.status)
    pauses = [(start, now if end is None else end) for start, end in timeline.pauses]
    waiting = status is Status.WAITING_REPORTER
    closed_at = timeline.closed_at if status.is_closed else None

    def clock(stage: Stage, due_at: datetime, done_at: datetime | None, pausable: bool):
        done_at = done_at or closed_at
        if done_at is not None:
            return StageClock(stage, due_at, done_at, done_at > due_at, None, False)
        remaining = calendar.working_days_between(now, due_at)
        return StageClock(stage, due_at, None, now > due_at, remaining, pausable and waiting)

    submitted_at = timeline.submitted_at
    stages = [
        clock(
            Stage.DISPOSE,
            calendar.add_working_days(submitted_at, policy.dispose_days),
            timeline.first_disposed_at or timeline.disposed_at,
            pausable=False,
        )
    ]
    if timeline.disposed_at is not None:
        due_at = calendar.due_with_pauses(timeline.disposed_at, policy.first_response_days, pauses)
        stages.append(clock(Stage.FIRST_RESPONSE, due_at, timeline.first_response_at, True))
    if timeline.last_response_at is not None and status in _AUTO_CLOSING:
        due_at = calendar.add_working_days(timeline.last_response_at, policy.auto_close_days)
        stages.append(clock(Stage.AUTO_CLOSE, due_at, None, pausable=False))
    due_at = calendar.calendar_days.due_with_pauses(submitted_at, policy.completion_days, pauses)
    stages.append(clock(Stage.COMPLETION, due_at, None, pausable=True))

    overdue_by = max((c.overdue_by for c in stages if c.stage is not Stage.AUTO_CLOSE), default=0.0)
    return SlaSnapshot(
        stages=tuple(stages),
        current=_current(status, {c.stage: c for c in stages}),
        escalation=escalation_level(overdue_by, policy.escalation_after),
    )


_AUTO_CLOSING = frozenset({Status.RESPONDED, Status.AUTO_CLOSED})


def _current(status: Status, clocks: Mapping[Stage, StageClock]) -> StageClock | None:
    """The clock that matters for ``status``: what the holder must do next."""
    if status.is_closed:
        return None
    if status in (Status.SUBMITTED, Status.VERIFIED):
        return clocks[Stage.DISPOSE]
    if status is Status.RESPONDED and Stage.AUTO_CLOSE in clocks:
        return clocks[Stage.AUTO_CLOSE]
    first_response = clocks.get(Stage.FIRST_RESPONSE)
    if first_response is not None and first_response.done_at is None:
        return first_response
    return clocks[Stage.COMPLETION]
