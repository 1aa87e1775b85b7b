"""Overview and league figures from real complaints, against numbers worked out by hand.

Christmas 2025 falls on Thursday 25 December and Friday 26 December is cuti bersama,
so from Wednesday 24 to Monday 29 December only the two half days count. Every
duration below is in working days (24-hour days, weekends and days off skipped).
Each test runs on SQLite and PostgreSQL (the same code: cells counted in numpy).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from lapor_bridge.db.models import Complaint
from lapor_bridge.db.models_stats import ComplaintMetrics, StatsWatermark
from lapor_bridge.domain.calendar import WorkingCalendar
from lapor_bridge.domain.dashboard import parse_period
from lapor_bridge.services.dashboards.overview import league, overview
from lapor_bridge.services.dashboards.scope import ScopeRequest
from tests.dashboard.conftest import LOOKED_AT, wib


def test_the_calendar_knows_the_christmas_days_off():
    calendar = WorkingCalendar()
    assert [calendar.is_working_day(wib(2025, 12, day).date()) for day in range(24, 30)] == [
        True, False, False, False, False, True]


def test_overview_counts_times_and_compliance(ctx, desk, december):
    view = overview(ctx, desk.user("koordinator.jateng"), ScopeRequest(),
                    parse_period("2025-12", LOOKED_AT.date()))
    assert (view.received, view.resolved, view.open, view.overdue) == (4, 3, 1, 1)
    assert view.first_response.median == pytest.approx(1.0)
    assert view.first_response.p90 == pytest.approx(1.8)     # 1.0 + 0.8 × (2.0 − 1.0)
    assert view.first_response.count == 3
    assert view.resolution.median == pytest.approx(3.0)
    assert view.resolution.p90 == pytest.approx(4.6)         # 3.0 + 0.8 × (5.0 − 3.0)
    stages = {name: (c.met, c.decided) for name, c in view.compliance}
    # The ignored complaint missed its first response (due Monday 8 December); its
    # 60-day completion clock still runs.
    assert stages == {"Verifikasi dan disposisi": (4, 4), "Tindak lanjut pertama": (3, 4),
                      "Penyelesaian": (3, 3)}
    assert (view.rerouted_share, view.triaged_share) == (0.0, 0.0)
    assert [(p.week_start.day, p.received, p.closed, p.backlog) for p in view.trend] == [
        (1, 1, 0, 1), (8, 0, 0, 1), (15, 0, 0, 1), (22, 3, 0, 4), (29, 0, 3, 1)]
    assert dict(view.histogram)["1–2"] == 1 and dict(view.histogram)["3–5"] == 1
    assert dict(view.histogram)["5–7"] == 1


def test_league_ranks_agencies_with_the_previous_period(ctx, desk, december):
    table = league(ctx, desk.user("koordinator.jateng"), ScopeRequest(),
                   parse_period("2025-12", LOOKED_AT.date()), min_volume=2)
    (dlh,) = table.agencies
    assert (dlh.rank, dlh.received, dlh.median_resolution) == (1, 4, 3.0)
    # first response 3 of 4 decided, completion 3 of 3
    assert (dlh.compliance.met, dlh.compliance.decided) == (6, 7)
    assert dlh.previous_compliance is None and dlh.compliance_change is None
    (city,) = table.regions
    assert city.name == "Kota Tegal" and city.received == 4
    unranked = league(ctx, desk.user("koordinator.jateng"), ScopeRequest(),
                      parse_period("2025-12", LOOKED_AT.date()), min_volume=5)
    assert unranked.agencies[0].rank is None


def test_transfers_and_triage_count_as_rerouted_and_triaged(ctx, desk):
    from lapor_bridge.services import workflow

    desk.at(wib(2025, 11, 3, 9))
    moved = desk.file("DLH")
    desk.file("DLH", score=0.2)          # below the threshold: triage
    desk.file("DLH")
    desk.at(wib(2025, 11, 4, 9))
    workflow.transfer(ctx, desk.user("petugas.dlh"), moved, "PUPR", "Saluran adalah wewenang PUPR.")
    desk.at(wib(2025, 11, 20, 9)).refresh()
    view = overview(ctx, desk.user("admin.tegal"), ScopeRequest(),
                    parse_period("2025-11", LOOKED_AT.date()))
    assert view.received == 3
    assert view.rerouted_share == pytest.approx(1 / 3)
    assert view.triaged_share == pytest.approx(1 / 3)


def test_refresh_is_incremental_and_idempotent(ctx, desk):
    def rows():
        with ctx.read() as session:
            return [(m.complaint_id, m.status, m.first_response_days)
                    for m in session.scalars(select(ComplaintMetrics)
                                             .order_by(ComplaintMetrics.complaint_id))]

    desk.at(wib(2025, 11, 3, 9))
    first = desk.file()
    assert desk.refresh().refreshed == 1
    before = rows()
    desk.refresh()
    assert rows() == before                       # running again changes nothing
    with ctx.transaction() as session:           # last touched well before the watermark
        mark = session.get(StatsWatermark, "complaint_metrics")
        session.execute(update(Complaint).values(updated_at=mark.seen_until - timedelta(hours=2)))
    assert desk.refresh().refreshed == 0
    desk.at(wib(2025, 11, 4, 9))
    desk.file()
    assert desk.refresh().refreshed == 1          # only the new one is read
    desk.respond(first)
    assert desk.refresh().refreshed >= 1          # the follow-up changed the first one
    assert [days for _, _, days in rows()] == [pytest.approx(1.0), None]
