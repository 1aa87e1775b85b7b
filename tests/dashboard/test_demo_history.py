"""``seed-demo --history``: a living dashboard for newcomers, generated once."""

from __future__ import annotations

from sqlalchemy import func, select

from lapor_bridge.db.models import Complaint, ComplaintEvent, Region
from lapor_bridge.db.models_stats import ComplaintMetrics
from lapor_bridge.domain.calendar import WIB
from lapor_bridge.services.demo_history import MEASURED_SHAPE, response_shape, seed_history
from tests.dashboard.conftest import wib


def test_history_is_generated_once_with_holidays_respected(ctx, desk, extra_places):
    desk.at(wib(2025, 7, 1, 8))
    created = seed_history(ctx, 1)
    assert created["complaints"] > 500
    assert not seed_history(ctx, 1)["complaints"]            # a second run adds nothing
    with ctx.read() as session:
        regions = set(session.scalars(select(Region.name).join(
            Complaint, Complaint.region_id == Region.id).distinct()))
        assert regions == {"Kota Tegal", "Kabupaten Tegal", "Kabupaten Brebes"}
        assert session.scalar(select(func.count()).select_from(Complaint)) == created[
            "complaints"]
        assert session.scalar(select(func.count()).select_from(ComplaintMetrics)) == created[
            "complaints"]
        assert session.scalar(select(func.count()).where(Complaint.category.is_(None))) == 0
        # Officers work on working days only: no follow-up falls on a Sunday or on
        # Idul Adha (Friday 6 June 2025).
        moments = session.scalars(select(ComplaintEvent.created_at).where(
            ComplaintEvent.kind == "responded")).all()
    days = {moment.astimezone(WIB).date() for moment in moments}
    assert days and all(day.weekday() != 6 for day in days)
    assert wib(2025, 6, 6).date() not in days


def test_response_shape_has_the_three_groups_per_agency():
    shape = response_shape()
    assert set(shape) == set(MEASURED_SHAPE)
    assert all(len(counts) == 3 and sum(counts) > 0 for counts in shape.values())


def test_most_history_complaints_have_a_point_in_their_own_kelurahan(ctx, desk, extra_places):
    import shapely

    from lapor_bridge.db.models_places import VillageBoundary

    desk.at(wib(2025, 7, 1, 8))
    created = seed_history(ctx, 1)
    with ctx.read() as session:
        shapes = {village: shapely.from_wkb(wkb) for village, wkb in session.execute(
            select(VillageBoundary.village_id, VillageBoundary.geometry))}
        rows = session.execute(select(Complaint.tracking_number, Complaint.village_id,
                                      Complaint.lat, Complaint.lon, Complaint.updated_at)).all()
    mapped = [row for row in rows if row.village_id in shapes]
    placed = [row for row in mapped if row.lat is not None]
    assert len(mapped) > 0.9 * created["complaints"]
    assert 0.6 < len(placed) / len(mapped) < 0.8
    assert all(shapes[row.village_id].buffer(1e-6).contains(shapely.Point(row.lon, row.lat))
               for row in placed)
    assert all(row.lat is None for row in rows if row.village_id not in shapes)
    # no change on a second run, and the seeded times stand (not the seeding moment)
    seed_history(ctx, 1)
    with ctx.read() as session:
        again = session.execute(select(Complaint.tracking_number, Complaint.village_id,
                                       Complaint.lat, Complaint.lon,
                                       Complaint.updated_at)).all()
    assert sorted(again) == sorted(rows)
    assert max(row.updated_at for row in rows) <= wib(2025, 7, 1, 8)
