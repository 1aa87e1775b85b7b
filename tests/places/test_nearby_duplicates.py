"""The duplicate hint by distance: an open complaint of the same category close by is
offered whatever its text; farther, other category, closed, old, rahasia or a federation
member's is not."""

import dataclasses
from datetime import timedelta

import pytest
from sqlalchemy import update

from lapor_bridge.db.models import Complaint
from lapor_bridge.db.models_federation import FederationMember
from lapor_bridge.services.duplicates import distance_m, find_similar_open
from lapor_bridge.services.intake.submit import ComplaintInput, submit_complaint

POINT = (-6.8694, 109.1310)           # Pekauman, Tegal Barat
METRE = 1 / 111_195                   # one metre of latitude, in degrees (about)
NEW_TEXT = "Lampu jalan mati total di gang sebelah musala, gelap sekali kalau malam hari."


def _north(metres: float) -> tuple[float, float]:
    return POINT[0] + metres * METRE, POINT[1]


def _file(ctx, *, at=POINT, category="drainase", **changes) -> str:
    """An open complaint with a text unlike NEW_TEXT, in another kelurahan; ``changes``
    are written to its row afterwards."""
    result = submit_complaint(ctx, ComplaintInput(
        title="Saluran air tersumbat sampah plastik",
        description="Got di depan toko bangunan penuh sampah plastik, air meluap ke jalan.",
        kecamatan="Tegal Timur", kelurahan="Panggung", lat=at[0], lon=at[1],
        category=category))
    with ctx.transaction() as session:
        session.execute(update(Complaint)
                        .where(Complaint.tracking_number == result.tracking_number)
                        .values(category=category, **changes))
    return result.tracking_number


def _offered(ctx, category="drainase", at=POINT):
    found = find_similar_open(ctx, NEW_TEXT, "Tegal Barat", "Pekauman",
                              category=category, lat=at[0], lon=at[1])
    return found and found.tracking_number


def test_distance_is_haversine():
    assert distance_m(*POINT, *POINT) == 0
    assert distance_m(*POINT, *_north(100)) == pytest.approx(100, rel=0.01)
    assert distance_m(0, 0, 0, 1) == pytest.approx(111_195, rel=0.001)


def test_an_open_complaint_of_the_same_category_close_by_is_offered(ctx):
    number = _file(ctx, at=_north(120))
    found = find_similar_open(ctx, NEW_TEXT, "Tegal Barat", "Pekauman",
                              category="drainase", lat=POINT[0], lon=POINT[1])
    assert found.tracking_number == number
    assert found.distance_m == pytest.approx(120, rel=0.02)
    assert found.similarity < ctx.settings.telegram.duplicate_threshold  # not for its text


def test_the_nearest_is_offered(ctx):
    _file(ctx, at=_north(140))
    nearest = _file(ctx, at=_north(30))
    _file(ctx, at=_north(90))
    assert _offered(ctx) == nearest


@pytest.mark.parametrize("changes", [
    {"at": _north(200)},                                   # beyond 150 m
    {"at": (POINT[0], POINT[1] + 160 * METRE)},            # beyond, east (longitude)
    {"category": "jalan"},                                 # another category
    {"status": "resolved"},                                # closed
    {"status": "rejected"},
    {"is_secret": True},                                   # rahasia
], ids=["far-north", "far-east", "category", "resolved", "rejected", "rahasia"])
def test_not_offered(ctx, changes):
    _file(ctx, **changes)
    assert _offered(ctx) is None


def test_too_old_is_not_offered(ctx):
    days = ctx.settings.telegram.duplicate_window_days
    _file(ctx, created_at=ctx.clock() - timedelta(days=days, hours=1))
    assert _offered(ctx) is None
    recent = _file(ctx, created_at=ctx.clock() - timedelta(days=days - 1))
    assert _offered(ctx) == recent


def test_a_federation_members_complaint_is_not_offered(ctx):
    with ctx.transaction() as session:
        member = FederationMember(name="Kabupaten Contoh", key_prefix="lbf_test",
                                  key_hash="0" * 64)
        session.add(member)
        session.flush()
        member_id = member.id
    _file(ctx, member_id=member_id)
    assert _offered(ctx) is None


def test_without_category_or_point_only_the_text_counts(ctx):
    _file(ctx)
    assert _offered(ctx, category=None) is None
    assert find_similar_open(ctx, NEW_TEXT, "Tegal Barat", "Pekauman",
                             category="drainase") is None


def test_the_radius_setting_is_honoured(ctx):
    _file(ctx, at=_north(300))
    assert _offered(ctx) is None
    telegram = dataclasses.replace(ctx.settings.telegram, duplicate_radius_m=400.0)
    wider = dataclasses.replace(ctx, settings=dataclasses.replace(ctx.settings,
                                                                  telegram=telegram))
    assert _offered(wider) is not None
    telegram = dataclasses.replace(ctx.settings.telegram, duplicate_radius_m=50.0)
    narrower = dataclasses.replace(ctx, settings=dataclasses.replace(ctx.settings,
                                                                     telegram=telegram))
    _file(ctx, at=_north(60))
    assert _offered(narrower) is None


def test_a_text_match_in_the_kelurahan_still_comes_first(ctx):
    _file(ctx, at=_north(10))
    alike = submit_complaint(ctx, ComplaintInput(
        title="Lampu jalan mati di gang musala", description=NEW_TEXT,
        kecamatan="Tegal Barat", kelurahan="Pekauman"))
    found = find_similar_open(ctx, NEW_TEXT, "Tegal Barat", "Pekauman",
                              category="drainase", lat=POINT[0], lon=POINT[1])
    assert found.tracking_number == alike.tracking_number and found.distance_m is None
