"""Stage clocks, the current due time, and escalation."""

from __future__ import annotations

from datetime import datetime

import pytest

from lapor_bridge.domain.calendar import WIB, WorkingCalendar
from lapor_bridge.domain.sla import (
    Escalation,
    SlaPolicy,
    Stage,
    Timeline,
    escalation_level,
    evaluate,
)
from lapor_bridge.domain.status import Status

CAL = WorkingCalendar(years=range(2024, 2029))
POLICY = SlaPolicy()

SUBMITTED = datetime(2025, 7, 7, 10, tzinfo=WIB)  # Monday; dispose due Thursday 10 July
DISPOSED = datetime(2025, 7, 8, 9, tzinfo=WIB)  # first response due Tuesday 15 July


def wib(*args: int) -> datetime:
    return datetime(*args, tzinfo=WIB)


def end_of_day(*ymd: int) -> datetime:
    return datetime(*ymd, 23, 59, 59, tzinfo=WIB)


def run(now: datetime, policy: SlaPolicy = POLICY, **timeline):
    timeline.setdefault("submitted_at", SUBMITTED)
    snapshot = evaluate(Timeline(**timeline), now, policy, CAL)
    return snapshot, {clock.stage: clock for clock in snapshot.stages}


@pytest.mark.parametrize(
    ("overdue_by", "level"),
    [
        (-3.0, Escalation.NONE),
        (0.0, Escalation.NONE),
        (0.01, Escalation.AGENCY_HEAD),
        (2.0, Escalation.AGENCY_HEAD),
        (2.01, Escalation.REGIONAL_ADMIN),
        (5.0, Escalation.REGIONAL_ADMIN),
        (5.5, Escalation.COORDINATOR),
        (40.0, Escalation.COORDINATOR),
    ],
)
def test_escalation_steps(overdue_by, level):
    assert escalation_level(overdue_by) is level


def test_escalation_thresholds_are_configurable():
    assert escalation_level(1.5, (1, 1.2, 10)) is Escalation.REGIONAL_ADMIN
    assert escalation_level(0.5, (1, 1.2, 10)) is Escalation.NONE


def test_a_new_complaint_shows_the_dispose_clock():
    snapshot, clocks = run(wib(2025, 7, 8, 12), status=Status.SUBMITTED)
    assert set(clocks) == {Stage.DISPOSE, Stage.COMPLETION}
    assert snapshot.current is clocks[Stage.DISPOSE]
    assert snapshot.due_at == end_of_day(2025, 7, 10)
    assert not snapshot.current.breached
    assert snapshot.current.remaining == pytest.approx(2.5, abs=1e-4)
    assert clocks[Stage.COMPLETION].due_at == end_of_day(2025, 9, 5)  # 60 calendar days
    assert snapshot.escalation is Escalation.NONE


def test_an_undisposed_complaint_past_its_deadline_is_breached_and_escalated():
    snapshot, _ = run(wib(2025, 7, 11, 8), status=Status.VERIFIED)
    assert snapshot.current.stage is Stage.DISPOSE
    assert snapshot.current.breached
    assert snapshot.current.overdue_by == pytest.approx(1 / 3, abs=1e-4)
    assert snapshot.escalation is Escalation.AGENCY_HEAD


def test_a_disposed_complaint_runs_the_first_response_clock():
    snapshot, clocks = run(wib(2025, 7, 9, 8), status=Status.DISPOSED, disposed_at=DISPOSED)
    assert clocks[Stage.DISPOSE].done_at == DISPOSED
    assert not clocks[Stage.DISPOSE].breached
    assert clocks[Stage.DISPOSE].remaining is None
    assert snapshot.current.stage is Stage.FIRST_RESPONSE
    assert snapshot.due_at == end_of_day(2025, 7, 15)


def test_a_late_disposition_is_recorded_but_not_escalated():
    late = wib(2025, 7, 11, 9)
    snapshot, clocks = run(wib(2025, 7, 11, 10), status=Status.DISPOSED, disposed_at=late)
    assert clocks[Stage.DISPOSE].breached
    assert clocks[Stage.DISPOSE].overdue_by == 0.0
    assert snapshot.escalation is Escalation.NONE


@pytest.mark.parametrize(
    ("now", "level"),
    [
        (wib(2025, 7, 15, 23), Escalation.NONE),
        (wib(2025, 7, 16, 12), Escalation.AGENCY_HEAD),
        (wib(2025, 7, 18, 12), Escalation.REGIONAL_ADMIN),
        (wib(2025, 7, 24, 12), Escalation.COORDINATOR),
    ],
)
def test_a_missing_first_response_escalates_step_by_step(now, level):
    snapshot, _ = run(now, status=Status.IN_PROGRESS, disposed_at=DISPOSED)
    assert snapshot.current.stage is Stage.FIRST_RESPONSE
    assert snapshot.escalation is level


def test_closed_pauses_move_the_first_response_and_completion_deadlines():
    two_days = [(wib(2025, 7, 9), wib(2025, 7, 11))]
    snapshot, clocks = run(
        wib(2025, 7, 11, 10), status=Status.IN_PROGRESS, disposed_at=DISPOSED, pauses=two_days
    )
    assert clocks[Stage.FIRST_RESPONSE].due_at == end_of_day(2025, 7, 17)
    assert clocks[Stage.COMPLETION].due_at == end_of_day(2025, 9, 7)
    assert clocks[Stage.DISPOSE].due_at == end_of_day(2025, 7, 10)
    assert not snapshot.current.paused


def test_an_open_pause_stops_the_clock_until_the_reporter_answers():
    now = wib(2025, 7, 21, 10)  # long after the unpaused deadline of 15 July
    snapshot, clocks = run(
        now,
        status=Status.WAITING_REPORTER,
        disposed_at=DISPOSED,
        pauses=[(wib(2025, 7, 9, 10), None)],
    )
    first_response = clocks[Stage.FIRST_RESPONSE]
    assert first_response.paused
    assert not first_response.breached
    assert first_response.due_at == end_of_day(2025, 7, 25)  # 8 paused working days added
    assert first_response.remaining == pytest.approx(
        CAL.working_days_between(now, first_response.due_at)
    )
    assert clocks[Stage.COMPLETION].paused
    assert not clocks[Stage.DISPOSE].paused
    assert snapshot.escalation is Escalation.NONE


def test_a_responded_complaint_shows_when_it_will_close_itself():
    responded = wib(2025, 7, 14, 10)
    timeline = dict(
        status=Status.RESPONDED,
        disposed_at=DISPOSED,
        first_response_at=responded,
        last_response_at=responded,
    )
    snapshot, clocks = run(wib(2025, 7, 15, 9), **timeline)
    assert not clocks[Stage.FIRST_RESPONSE].breached
    assert snapshot.current.stage is Stage.AUTO_CLOSE
    assert snapshot.due_at == end_of_day(2025, 7, 28)

    snapshot, clocks = run(wib(2025, 8, 1, 9), **timeline)
    assert clocks[Stage.AUTO_CLOSE].breached  # the job should close it now
    assert snapshot.escalation is Escalation.NONE


def test_the_auto_close_clock_stops_when_the_reporter_answers():
    responded = wib(2025, 7, 14, 10)
    snapshot, clocks = run(
        wib(2025, 7, 16, 9),
        status="in_progress",
        disposed_at=DISPOSED,
        first_response_at=responded,
        last_response_at=responded,
    )
    assert Stage.AUTO_CLOSE not in clocks
    assert snapshot.current.stage is Stage.COMPLETION


def test_an_overdue_completion_escalates_in_working_days():
    snapshot, _ = run(
        wib(2025, 9, 10, 12),
        status=Status.IN_PROGRESS,
        disposed_at=DISPOSED,
        first_response_at=wib(2025, 7, 14, 10),
    )
    assert snapshot.current.stage is Stage.COMPLETION
    assert snapshot.current.breached
    assert snapshot.current.overdue_by == pytest.approx(2.5)  # 5 Sep was Maulid Nabi
    assert snapshot.escalation is Escalation.REGIONAL_ADMIN


def test_a_closed_complaint_has_no_current_clock_and_every_stage_done():
    closed = wib(2025, 7, 20, 10)
    snapshot, clocks = run(
        wib(2025, 12, 1),
        status=Status.RESOLVED,
        disposed_at=DISPOSED,
        first_response_at=wib(2025, 7, 14, 10),
        last_response_at=wib(2025, 7, 14, 10),
        closed_at=closed,
    )
    assert snapshot.current is None
    assert snapshot.due_at is None
    assert set(clocks) == {Stage.DISPOSE, Stage.FIRST_RESPONSE, Stage.COMPLETION}
    assert clocks[Stage.COMPLETION].done_at == closed
    assert not any(clock.breached for clock in clocks.values())
    assert snapshot.escalation is Escalation.NONE


def test_an_auto_closed_complaint_records_when_it_closed():
    responded, closed = wib(2025, 7, 14, 10), wib(2025, 7, 29, 1)
    _, clocks = run(
        wib(2025, 8, 1),
        status=Status.AUTO_CLOSED,
        disposed_at=DISPOSED,
        first_response_at=responded,
        last_response_at=responded,
        closed_at=closed,
    )
    assert clocks[Stage.AUTO_CLOSE].done_at == closed
    assert clocks[Stage.AUTO_CLOSE].breached


def test_archiving_completes_the_dispose_stage():
    archived = wib(2025, 7, 8, 11)
    snapshot, clocks = run(wib(2025, 8, 1), status=Status.ARCHIVED, closed_at=archived)
    assert clocks[Stage.DISPOSE].done_at == archived
    assert not clocks[Stage.DISPOSE].breached
    assert snapshot.current is None


def test_a_transfer_restarts_first_response_but_not_the_dispose_stage():
    transferred = wib(2025, 7, 14, 15)
    snapshot, clocks = run(
        wib(2025, 7, 16),
        status=Status.DISPOSED,
        first_disposed_at=DISPOSED,
        disposed_at=transferred,
    )
    assert clocks[Stage.DISPOSE].done_at == DISPOSED
    assert not clocks[Stage.DISPOSE].breached
    assert snapshot.due_at == end_of_day(2025, 7, 21)


def test_agency_and_category_overrides_apply_in_that_order():
    policy = SlaPolicy(
        agency_overrides={"DINKES": {"first_response_days": 2}},
        category_overrides={"bencana": {"first_response_days": 1, "dispose_days": 1}},
    )
    assert policy.for_complaint("DINKES").first_response_days == 2
    both = policy.for_complaint("DINKES", "bencana")
    assert (both.first_response_days, both.dispose_days) == (1, 1)
    assert policy.for_complaint("DISHUB", "jalan") == policy
    timeline = Timeline(status=Status.DISPOSED, submitted_at=SUBMITTED, disposed_at=DISPOSED)
    snapshot = evaluate(timeline, wib(2025, 7, 9), policy, CAL, agency_code="DINKES")
    assert snapshot.due_at == end_of_day(2025, 7, 10)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"dispose_days": 0}, "dispose_days must be at least 1"),
        ({"escalation_after": (0, 5, 2)}, "3 ascending thresholds"),
        ({"escalation_after": (0, 2)}, "3 ascending thresholds"),
        ({"agency_overrides": {"DINKES": {"first_reply": 2}}}, "unknown SLA target"),
        ({"category_overrides": {"x": {"completion_days": 0}}}, None),
    ],
)
def test_invalid_policies_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        SlaPolicy(**kwargs).for_complaint(category="x")
