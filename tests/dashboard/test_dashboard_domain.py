"""Dashboard arithmetic against hand-computed numbers: periods, percentiles, trend, ranking."""

from __future__ import annotations

from datetime import date

import pytest

from lapor_bridge.domain.dashboard import (
    BadPeriod,
    Compliance,
    LeagueRow,
    parse_period,
    percentile,
    rank_league,
    weekly_backlog,
)

TODAY = date(2025, 6, 15)


def test_percentile_interpolates_like_percentile_cont():
    assert percentile([5.0, 1.25, 3.0], 0.5) == 3.0
    assert percentile([5.0, 1.25, 3.0], 0.9) == pytest.approx(4.6)  # 3 + 0.8 * (5 - 3)
    assert percentile([1.0, 2.0, 3.0, 4.0], 0.5) == 2.5
    assert percentile([7.0], 0.9) == 7.0
    assert percentile([], 0.5) is None


@pytest.mark.parametrize(("code", "start", "end", "previous"), [
    ("2025", date(2025, 1, 1), date(2026, 1, 1), date(2024, 1, 1)),
    ("2025-q1", date(2025, 1, 1), date(2025, 4, 1), date(2024, 10, 1)),
    ("2025-03", date(2025, 3, 1), date(2025, 4, 1), date(2025, 2, 1)),
    ("2025-01", date(2025, 1, 1), date(2025, 2, 1), date(2024, 12, 1)),
    ("30h", date(2025, 5, 17), date(2025, 6, 16), date(2025, 4, 17)),
])
def test_periods_and_the_one_before(code, start, end, previous):
    period = parse_period(code, TODAY)
    assert (period.start, period.end) == (start, end)
    before = period.previous()
    assert before.start == previous and before.end == period.start


@pytest.mark.parametrize("code", ["2025-13", "2025-Q5", "0h", "kemarin", "20255"])
def test_bad_periods_are_refused(code):
    with pytest.raises(BadPeriod):
        parse_period(code, TODAY)


def test_weekly_backlog_folds_days_into_monday_weeks_clipped_to_the_period():
    period = parse_period("2025-12", TODAY)  # Monday 1 December .. Wednesday 31 December
    received = {date(2025, 12, 1): 1, date(2025, 12, 23): 1, date(2025, 12, 24): 2}
    closed = {date(2025, 12, 29): 1, date(2025, 12, 30): 1, date(2025, 12, 31): 1}
    points = weekly_backlog(period, 2, received, closed)
    assert [p.week_start.day for p in points] == [1, 8, 15, 22, 29]
    assert [(p.received, p.closed, p.backlog) for p in points] == [
        (1, 0, 3), (0, 0, 3), (0, 0, 3), (3, 0, 6), (0, 3, 3)]


def test_league_ranks_only_rows_with_enough_volume():
    def row(key, received, met, decided, median):
        return LeagueRow(key, f"OPD {key}", received, Compliance(met, decided), median)

    rows = [row(1, 30, 27, 30, 4.0), row(2, 50, 45, 50, 2.0), row(3, 5, 5, 5, 1.0),
            row(4, 40, 36, 40, 3.0), row(5, 25, 0, 0, None)]
    ranked = rank_league(rows, min_volume=20)
    # 90 % for 1, 2 and 4: the shorter median wins; 3 is too small, 5 has nothing decided.
    assert [(r.key, r.rank) for r in ranked] == [(2, 1), (4, 2), (1, 3), (5, None), (3, None)]


def test_league_change_against_the_previous_period():
    row = LeagueRow(1, "OPD", 20, Compliance(18, 20), 3.0, Compliance(15, 20), 4.5)
    assert row.compliance_change == pytest.approx(0.15)
    assert row.median_change == pytest.approx(-1.5)
    assert LeagueRow(2, "baru", 20, Compliance(1, 2), 1.0).compliance_change is None
