"""Working days in WIB: holidays, cuti bersama, deadlines, pauses and elapsed time."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lapor_bridge.domain.calendar import WIB, OutsideCalendarRange, WorkingCalendar

CAL = WorkingCalendar(years=range(2024, 2029))
SECOND = 1 / 86_400


def wib(*args: int) -> datetime:
    return datetime(*args, tzinfo=WIB)


def end_of_day(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=WIB)


def days(start: date, end: date):
    return [start + timedelta(n) for n in range((end - start).days + 1)]


# SKB 3 Menteri on national holidays and cuti bersama (ASN) 2025 and 2026.
IDUL_FITRI_2025_OFF = [date(2025, 3, 28), date(2025, 3, 29), date(2025, 3, 30)] + days(
    date(2025, 3, 31), date(2025, 4, 7)
)
IDUL_FITRI_2026_OFF = days(date(2026, 3, 18), date(2026, 3, 24))


def test_weekends_are_not_working_days():
    week = days(date(2025, 7, 7), date(2025, 7, 13))
    assert [CAL.is_working_day(d) for d in week] == [True] * 5 + [False] * 2


def test_islamic_and_other_national_holidays_come_from_the_package():
    for holiday in [
        date(2025, 1, 27),  # Isra Mikraj
        date(2025, 1, 29),  # Imlek
        date(2025, 5, 29),  # Kenaikan Yesus Kristus
        date(2025, 6, 6),  # Idul Adha
        date(2025, 6, 27),  # Tahun Baru Islam
        date(2025, 9, 5),  # Maulid Nabi
        date(2026, 6, 1),  # Hari Lahir Pancasila
    ]:
        assert not CAL.is_working_day(holiday), holiday


def test_idul_fitri_2025_with_skb_cuti_bersama():
    assert [d for d in days(date(2025, 3, 27), date(2025, 4, 8)) if CAL.is_working_day(d)] == [
        date(2025, 3, 27),
        date(2025, 4, 8),
    ]
    assert not any(CAL.is_working_day(d) for d in IDUL_FITRI_2025_OFF)
    due = CAL.add_working_days(wib(2025, 3, 27, 10), 3)
    assert due == end_of_day(date(2025, 4, 10))


def test_idul_fitri_2026_with_skb_cuti_bersama():
    assert not any(CAL.is_working_day(d) for d in IDUL_FITRI_2026_OFF)
    assert CAL.is_working_day(date(2026, 3, 17))
    assert CAL.is_working_day(date(2026, 3, 25))
    assert CAL.add_working_days(wib(2026, 3, 17, 9), 3) == end_of_day(date(2026, 3, 27))


def test_year_end_christmas_cuti_bersama_and_new_year():
    assert not CAL.is_working_day(date(2025, 12, 25))
    assert not CAL.is_working_day(date(2025, 12, 26))  # cuti bersama Natal
    assert not CAL.is_working_day(date(2026, 1, 1))
    assert CAL.is_working_day(date(2026, 1, 2))
    assert not CAL.is_working_day(date(2026, 12, 24))  # cuti bersama Natal 2026
    due = CAL.add_working_days(wib(2025, 12, 24, 14), 5)
    assert due == end_of_day(date(2026, 1, 5))
    assert due == datetime(2026, 1, 5, 16, 59, 59, tzinfo=UTC)


def test_configured_cuti_bersama_adds_days_off():
    assert CAL.is_working_day(date(2028, 10, 13))
    configured = WorkingCalendar([date(2028, 10, 13)], years=range(2024, 2029))
    assert not configured.is_working_day(date(2028, 10, 13))
    start = wib(2028, 10, 12, 8)  # Thursday
    assert CAL.add_working_days(start, 1) == end_of_day(date(2028, 10, 13))
    assert configured.add_working_days(start, 1) == end_of_day(date(2028, 10, 16))


def test_deadline_is_end_of_nth_working_day_after_the_start_day_whatever_the_hour():
    for hour in (0, 8, 15, 23):
        assert CAL.add_working_days(wib(2025, 7, 7, hour), 3) == end_of_day(date(2025, 7, 10))
    assert CAL.add_working_days(wib(2025, 7, 12, 10), 1) == end_of_day(date(2025, 7, 14))


def test_the_start_day_is_the_local_wib_day():
    late_monday_utc = datetime(2025, 7, 7, 16, 30, tzinfo=UTC)  # Mon 23:30 WIB
    early_tuesday_wib = datetime(2025, 7, 7, 17, 30, tzinfo=UTC)  # Tue 00:30 WIB
    assert CAL.add_working_days(late_monday_utc, 1) == end_of_day(date(2025, 7, 8))
    assert CAL.add_working_days(early_tuesday_wib, 1) == end_of_day(date(2025, 7, 9))
    assert CAL.add_working_days(late_monday_utc, 1).tzinfo is UTC


def test_calendar_days_count_weekends_and_holidays():
    every_day = CAL.calendar_days
    assert every_day.is_working_day(date(2025, 12, 25))
    assert every_day.add_working_days(wib(2025, 1, 10, 10), 60) == end_of_day(date(2025, 3, 11))
    assert every_day.working_days_between(wib(2025, 3, 28), wib(2025, 4, 8)) == 11.0


def test_elapsed_working_days_are_fractional_and_skip_days_off():
    assert CAL.working_days_between(wib(2025, 7, 7, 12), wib(2025, 7, 8, 12)) == 1.0
    assert CAL.working_days_between(wib(2025, 7, 11, 18), wib(2025, 7, 14, 6)) == 0.5
    assert CAL.working_days_between(wib(2025, 3, 27, 12), wib(2025, 4, 8, 12)) == 1.0
    assert CAL.working_days_between(wib(2025, 7, 8, 12), wib(2025, 7, 7, 12)) == -1.0
    assert CAL.working_days_between(wib(2025, 7, 12), wib(2025, 7, 13, 20)) == 0.0


def test_invalid_inputs_are_refused():
    with pytest.raises(ValueError, match="naive"):
        CAL.add_working_days(datetime(2025, 7, 7, 10), 3)
    with pytest.raises(ValueError, match="at least one day"):
        CAL.add_working_days(wib(2025, 7, 7), 0)
    with pytest.raises(OutsideCalendarRange):
        CAL.is_working_day(date(2023, 12, 29))
    with pytest.raises(OutsideCalendarRange):
        CAL.add_working_days(wib(2028, 12, 20), 30)
    with pytest.raises(ValueError, match="at least one year"):
        WorkingCalendar(years=[])


# -- pauses ------------------------------------------------------------------------

MONDAY = wib(2025, 7, 7, 10)  # 3 working days: due Thursday 10 July, end of day


def test_no_pauses_give_the_plain_deadline():
    assert CAL.due_with_pauses(MONDAY, 3, []) == CAL.add_working_days(MONDAY, 3)


def test_whole_paused_working_days_move_the_deadline_by_as_many_days():
    pause = (wib(2025, 7, 8), wib(2025, 7, 10))  # Tuesday and Wednesday
    assert CAL.due_with_pauses(MONDAY, 3, [pause]) == end_of_day(date(2025, 7, 14))


def test_each_pause_rounds_up_to_whole_days():
    pause = (wib(2025, 7, 8, 10), wib(2025, 7, 8, 14))
    assert CAL.due_with_pauses(MONDAY, 3, [pause]) == end_of_day(date(2025, 7, 11))
    two_short = [
        (wib(2025, 7, 8, 10), wib(2025, 7, 8, 14)),
        (wib(2025, 7, 9, 8), wib(2025, 7, 9, 9)),
    ]
    assert CAL.due_with_pauses(MONDAY, 3, two_short) == end_of_day(date(2025, 7, 14))


def test_the_clock_stops_in_the_last_hours_before_the_deadline():
    evening = (wib(2025, 7, 10, 21), wib(2025, 7, 11, 9))  # asked Thursday 21:00
    assert CAL.due_with_pauses(MONDAY, 3, [evening]) == end_of_day(date(2025, 7, 11))


def test_pauses_on_days_off_or_before_counting_begins_do_not_move_it():
    weekend = (wib(2025, 7, 5), wib(2025, 7, 7))
    same_day = (wib(2025, 7, 7, 11), wib(2025, 7, 7, 16))
    assert CAL.due_with_pauses(MONDAY, 3, [weekend, same_day]) == end_of_day(date(2025, 7, 10))
    over_the_weekend = (wib(2025, 7, 10), wib(2025, 7, 14))  # Thu, Fri paused
    assert CAL.due_with_pauses(MONDAY, 3, [over_the_weekend]) == end_of_day(date(2025, 7, 14))


def test_a_pause_after_the_deadline_does_not_undo_the_breach():
    late = (wib(2025, 7, 11, 9), wib(2025, 7, 18))
    assert CAL.due_with_pauses(MONDAY, 3, [late]) == end_of_day(date(2025, 7, 10))


def test_a_pause_that_starts_before_the_deadline_counts_in_full():
    long = (wib(2025, 7, 10, 9), wib(2025, 7, 17, 9))  # five working days paused
    assert CAL.due_with_pauses(MONDAY, 3, [long]) == end_of_day(date(2025, 7, 17))


def test_overlapping_pauses_count_once():
    overlapping = [(wib(2025, 7, 8), wib(2025, 7, 9, 12)), (wib(2025, 7, 9), wib(2025, 7, 10))]
    assert CAL.due_with_pauses(MONDAY, 3, overlapping) == end_of_day(date(2025, 7, 14))
    assert CAL.working_days_between(MONDAY, wib(2025, 7, 11), overlapping) == pytest.approx(
        14 / 24 + 3 - 2
    )


def test_a_reversed_pause_is_refused():
    with pytest.raises(ValueError, match="ends before it starts"):
        CAL.due_with_pauses(MONDAY, 3, [(wib(2025, 7, 9), wib(2025, 7, 8))])


def test_pauses_during_idul_fitri_cost_nothing():
    start = wib(2025, 3, 26, 10)
    pause = (wib(2025, 3, 28), wib(2025, 4, 8))
    assert CAL.due_with_pauses(start, 3, [pause]) == CAL.add_working_days(start, 3)


# -- properties ----------------------------------------------------------------------

moments = st.datetimes(
    min_value=datetime(2024, 1, 1), max_value=datetime(2028, 6, 30), timezones=st.just(UTC)
)
targets = st.integers(min_value=1, max_value=60)


@settings(max_examples=300)
@given(moments, moments, moments)
def test_elapsed_time_is_additive(a, b, c):
    ab, bc, ac = (CAL.working_days_between(x, y) for x, y in ((a, b), (b, c), (a, c)))
    assert ab + bc == pytest.approx(ac, abs=1e-9)


@given(moments, moments)
def test_elapsed_time_is_antisymmetric_and_bounded_by_calendar_time(a, b):
    assert CAL.working_days_between(a, b) == -CAL.working_days_between(b, a)
    calendar = (b - a) / timedelta(days=1)
    assert abs(CAL.working_days_between(a, b)) <= abs(calendar) + 1e-9


@given(moments, targets)
def test_deadline_agrees_with_a_day_by_day_count(start, n):
    due = CAL.add_working_days(start, n)
    start_day, due_day = start.astimezone(WIB).date(), due.astimezone(WIB).date()
    counted = [d for d in days(start_day + timedelta(1), due_day) if CAL.is_working_day(d)]
    assert counted[-1] == due_day
    assert len(counted) == n
    assert due.astimezone(WIB).time().isoformat() == "23:59:59"


@given(moments, targets)
def test_deadline_agrees_with_elapsed_time(start, n):
    due = CAL.add_working_days(start, n)
    next_midnight = datetime.combine(
        start.astimezone(WIB).date() + timedelta(1), datetime.min.time(), WIB
    )
    assert CAL.working_days_between(next_midnight, due) == pytest.approx(n - SECOND)
    assert n - SECOND <= CAL.working_days_between(start, due) < n + 1


pauses = st.lists(
    st.tuples(moments, st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=9))).map(
        lambda pair: (pair[0], pair[0] + pair[1])
    ),
    max_size=4,
)


@settings(max_examples=200)
@given(moments, targets, pauses)
def test_paused_deadline_leaves_the_same_active_time(start, n, paused):
    plain = CAL.add_working_days(start, n)
    due = CAL.due_with_pauses(start, n, paused)
    assert due >= plain
    assert due.astimezone(WIB).time().isoformat() == "23:59:59"
    assert CAL.is_working_day(due.astimezone(WIB).date())
    counting_begins = datetime.combine(
        start.astimezone(WIB).date() + timedelta(1), datetime.min.time(), WIB
    )
    active = CAL.working_days_between(counting_begins, due, paused)
    assert n - 2 * SECOND <= active < n + len(paused)
