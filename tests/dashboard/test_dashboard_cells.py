"""``complaint_cells`` against the rows they pack: exact percentiles, day-exact periods
across month edges, incremental rebuilds equal to full ones, and time-only changes."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import select

from lapor_bridge.db.models_stats import ComplaintCell, ComplaintMetrics
from lapor_bridge.domain.dashboard import group_percentiles, parse_period, percentile
from lapor_bridge.services.dashboards import refresh as stats_refresh
from lapor_bridge.services.dashboards.cells import CLOSING, RECORD, rebuild_cells
from lapor_bridge.services.dashboards.overview import overview
from lapor_bridge.services.dashboards.scope import ScopeRequest
from tests.dashboard.conftest import LOOKED_AT, wib

DAYS = lambda value: "—" if value is None else f"{value:.1f}"  # noqa: E731  the page's format


def test_group_percentiles_is_percentile_per_group():
    rng = np.random.default_rng(7)
    values = rng.gamma(2.0, 3.0, 500).round(3)
    groups = rng.integers(0, 4, 500)
    (table,) = group_percentiles(values, [(groups, 5)], (0.5, 0.9))
    for group in range(4):
        chosen = values[groups == group].tolist()
        assert table[:, group].tolist() == [percentile(chosen, 0.5), percentile(chosen, 0.9)]
    assert np.isnan(table[:, 4]).all()                      # a group without values


def test_percentiles_from_cells_equal_the_exact_ones_over_christmas(ctx, desk, december):
    """Durations 0.5 / 2.0 / 1.0 (first response) and 1.25 / 3.0 / 5.0 (resolution) span
    25 December (holiday) and 26 December (cuti bersama): exact, not bucketed."""
    view = overview(ctx, desk.user("koordinator.jateng"), ScopeRequest(),
                    parse_period("2025-12", LOOKED_AT.date()))
    with ctx.read() as session:
        rows = session.execute(select(ComplaintMetrics.first_response_days,
                                      ComplaintMetrics.resolution_days)).all()
    for spread, values in ((view.first_response, [r[0] for r in rows if r[0] is not None]),
                           (view.resolution, [r[1] for r in rows if r[1] is not None])):
        assert (spread.median, spread.p90) == (percentile(values, 0.5), percentile(values, 0.9))
    assert [DAYS(view.first_response.median), DAYS(view.first_response.p90)] == ["1.0", "1.8"]
    assert [DAYS(view.resolution.median), DAYS(view.resolution.p90)] == ["3.0", "4.6"]


def reference(ctx, period, now):
    """Overview figures straight from ``complaint_metrics`` rows."""
    with ctx.read() as session:
        rows = [r for r in session.scalars(select(ComplaintMetrics))
                if period.start <= r.received_on < period.end]
    done = [r.resolution_days for r in rows if r.resolution_days is not None]
    return (len(rows), sum(r.resolved for r in rows), sum(r.is_open for r in rows),
            sum(r.is_open and r.sla_due_at is not None and r.sla_due_at < now for r in rows),
            percentile(done, 0.5), percentile(done, 0.9))


@pytest.mark.parametrize("code", ["2025-11", "2025-12", "30h", "45h", "365h"])
def test_periods_cut_month_cells_at_the_exact_day(ctx, desk, code):
    for day, hours in ((3, 30), (20, 50), (28, 6), (30, 200)):
        desk.at(wib(2025, 11, day, 9))
        number = desk.file()
        if hours < 100:
            desk.at(wib(2025, 11, day, 9 + hours % 24)).respond(number)
            desk.at(wib(2025, 12, 1 + hours // 10, 10)).resolve(number)
    for day in (1, 9, 15):
        desk.at(wib(2025, 12, day, 11)).file()
    looked_at = wib(2025, 12, 20, 9)
    desk.at(looked_at).refresh()
    period = parse_period(code, looked_at.date())
    view = overview(ctx, desk.user("admin.tegal"), ScopeRequest(), period)
    assert (view.received, view.resolved, view.open, view.overdue,
            view.resolution.median, view.resolution.p90) == reference(ctx, period, looked_at)
    assert sum(point.received for point in view.trend) == view.received


def cells(ctx):
    with ctx.read() as session:
        return {(c.region_id, c.month): (c.categories, c.records, c.closings, c.totals)
                for c in session.scalars(select(ComplaintCell))}


def test_incremental_rebuild_touches_only_changed_months_and_equals_a_full_one(
        ctx, desk, monkeypatch):
    desk.at(wib(2025, 10, 6, 9))
    october = desk.file()
    desk.at(wib(2025, 10, 7, 9)).respond(october)
    desk.at(wib(2025, 11, 3, 9))
    desk.file()
    desk.refresh()
    rebuilt = []

    def spy(session, pairs):
        rebuilt.append({month for _, month in pairs})
        return rebuild_cells(session, pairs)

    monkeypatch.setattr(stats_refresh, "rebuild_cells", spy)
    desk.at(wib(2025, 12, 2, 9)).resolve(october)           # received October, closed December
    desk.refresh()
    assert [{m.month for m in months} for months in rebuilt] == [{10, 12}]
    incremental = cells(ctx)
    stats_refresh.refresh_metrics(ctx, full=True)
    assert cells(ctx) == incremental
    (december_cell,) = [value for key, value in incremental.items() if key[1].month == 12]
    _, records, closings, _ = december_cell
    assert (len(records) // RECORD.itemsize, len(closings) // CLOSING.itemsize) == (0, 1)


def test_overdue_and_breaches_follow_the_clock_without_a_refresh(ctx, desk):
    desk.at(wib(2025, 11, 3, 9))
    desk.file()
    desk.refresh()
    period = parse_period("2025-11", LOOKED_AT.date())
    coordinator = desk.user("koordinator.jateng")
    desk.at(wib(2025, 11, 3, 10))
    early = overview(ctx, coordinator, ScopeRequest(), period)
    desk.at(wib(2025, 11, 28, 10))
    late = overview(ctx, coordinator, ScopeRequest(), period)
    assert (early.overdue, late.overdue) == (0, 1)
    assert dict(early.compliance)["Tindak lanjut pertama"].decided == 0
    assert dict(late.compliance)["Tindak lanjut pertama"].decided == 1


def test_agency_and_category_picks_filter_the_cells(ctx, desk):
    """The category an officer files after the first refresh reaches the cells."""
    from lapor_bridge.db.models import Agency
    from lapor_bridge.services.workflow import set_category

    desk.at(wib(2025, 11, 3, 9))
    numbers = [desk.file("DLH"), desk.file("DLH"), desk.file("PUPR")]
    desk.at(wib(2025, 11, 4, 9)).refresh()
    desk.at(wib(2025, 11, 5, 9))
    set_category(ctx, desk.user("petugas.dlh"), numbers[0], "sampah")
    with ctx.read() as session:
        pupr = session.scalar(select(Agency.id).where(Agency.code == "PUPR"))
    desk.at(wib(2025, 11, 10, 9)).refresh()
    period, admin = parse_period("2025-11", LOOKED_AT.date()), desk.user("admin.tegal")

    def received(**wanted):
        return overview(ctx, admin, ScopeRequest(**wanted), period).received

    assert (received(), received(agency=pupr), received(category="sampah"),
            received(category="-"), received(agency=pupr, category="sampah")) == (3, 1, 1, 2, 0)
    assert overview(ctx, admin, ScopeRequest(), period).categories[0][1:] == (2, 2 / 3)
