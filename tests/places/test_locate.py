"""``locate``: point → kelurahan, borders, holes, outside, swapped axes, the cache."""

from __future__ import annotations

import pytest
from shapely.geometry import Polygon, box
from sqlalchemy import select

from lapor_bridge.db.engine import make_engine, make_session_factory
from lapor_bridge.db.models import Village
from lapor_bridge.services.context import ServiceContext
from lapor_bridge.services.intake import submit
from lapor_bridge.services.places import coordinates
from lapor_bridge.services.places.boundaries import import_boundaries
from lapor_bridge.services.places.lookup import LocationRefused, boundary_cache, locate
from tests.places.conftest import collection, feature, square

LON, LAT = 110.40, -7.50
# Two neighbours sharing the edge lon = 110.41; a polygon with a hole and the kelurahan
# that fills it; a polygon with a hole that nothing fills.
KRATON = feature(square(LON, LAT), "33.76.01.1005", "Kraton", "Tegal Barat")
PEKAUMAN = feature(square(LON + 0.01, LAT), "33.76.01.1004", "Pekauman", "Tegal Barat")
TEGALSARI = feature(Polygon(box(110.43, -7.53, 110.46, -7.50).exterior.coords,
                            [box(110.44, -7.52, 110.45, -7.51).exterior.coords]),
                    "33.76.01.1006", "Tegalsari", "Tegal Barat")
KEJAMBON = feature(box(110.44, -7.52, 110.45, -7.51), "33.76.02.1001", "Kejambon",
                   "Tegal Timur")
MUARAREJA = feature(Polygon(box(110.47, -7.53, 110.50, -7.50).exterior.coords,
                            [box(110.48, -7.52, 110.49, -7.51).exterior.coords]),
                    "33.76.01.1007", "Muarareja", "Tegal Barat")
LAYOUT = (KRATON, PEKAUMAN, TEGALSARI, KEJAMBON, MUARAREJA)


@pytest.fixture
def layout(places):
    import_boundaries(places, collection(*LAYOUT))
    return places


def test_a_point_inside_gets_its_kelurahan(layout):
    found = locate(layout, -7.495, 110.405)
    assert (found.kelurahan, found.kecamatan, found.region_code, found.region_name,
            found.village_code) == ("Kraton", "Tegal Barat", "33.76", "Kota Tegal",
                                    "33.76.01.1005")
    with layout.read() as session:
        assert session.scalar(select(Village.name).where(
            Village.id == found.village_id)) == "Kraton"
    assert locate(layout, -7.495, 110.415, region_code="33.76").kelurahan == "Pekauman"
    assert locate(layout, -7.495, 110.415, region_code="33").kelurahan == "Pekauman"


@pytest.mark.parametrize("order", [LAYOUT, tuple(reversed(LAYOUT))])
def test_a_shared_border_goes_to_the_lowest_code_whatever_the_order(places, order):
    import_boundaries(places, collection(*order))
    for lat in (-7.50, -7.495, -7.49):   # an end, the middle, the other end of the edge
        answers = {locate(places, lat, 110.41).kelurahan for _ in range(3)}
        assert answers == {"Pekauman"}   # 33.76.01.1004 < 33.76.01.1005 (Kraton)


def test_without_codes_a_border_goes_to_the_lowest_village_id(places):
    import_boundaries(places, collection(*(
        feature(square(LON + 0.01 * n, LAT), name=name, kecamatan="Tegal Barat")
        for n, name in enumerate(["Tegalsari", "Kraton", "Pekauman"]))))
    with places.read() as session:
        ids = dict(session.execute(select(Village.name, Village.id).where(
            Village.name.in_(["Tegalsari", "Kraton", "Pekauman"]))).all())
    first = min(("Tegalsari", "Kraton"), key=ids.get)
    assert locate(places, -7.495, LON + 0.01).kelurahan == first
    second = min(("Kraton", "Pekauman"), key=ids.get)
    assert locate(places, -7.495, LON + 0.02).kelurahan == second


def test_holes_belong_to_whoever_fills_them(layout):
    assert locate(layout, -7.515, 110.445).kelurahan == "Kejambon"     # in the hole
    assert locate(layout, -7.505, 110.435).kelurahan == "Tegalsari"    # around it
    # On the hole's edge both cover the point: lowest code (01.1006 < 02.1001).
    assert locate(layout, -7.515, 110.44).kelurahan == "Tegalsari"
    with pytest.raises(LocationRefused) as refused:
        locate(layout, -7.515, 110.485)                                # an empty hole
    assert refused.value.reason == "outside"
    assert refused.value.region_name == "Kota Tegal"
    assert "Kota Tegal" in refused.value.errors["location"]


def test_outside_every_boundary_names_the_nearest_region(layout):
    with pytest.raises(LocationRefused) as refused:
        locate(layout, -7.50, 110.60)
    error = refused.value
    assert (error.reason, error.region_name) == ("outside", None)
    assert error.errors == {"location": "Titik ini di luar wilayah layanan; wilayah "
                                        "terdekat: Kota Tegal (±11 km)."}


def test_a_point_of_another_region_names_it(neighbours):
    ctx = neighbours
    import_boundaries(ctx, collection(
        KRATON, feature(square(LON, LAT - 0.1), "33.28.10.2004", "Slawi Kulon", "Slawi")))
    assert locate(ctx, -7.595, 110.405).kelurahan == "Slawi Kulon"
    assert locate(ctx, -7.595, 110.405, region_code="33").region_name == "Kabupaten Tegal"
    with pytest.raises(LocationRefused) as refused:
        locate(ctx, -7.595, 110.405, region_code="33.76")
    error = refused.value
    assert (error.reason, error.region_code, error.region_name) == (
        "other_region", "33.28", "Kabupaten Tegal")
    assert "Kabupaten Tegal" in error.errors["location"]
    with pytest.raises(LocationRefused) as refused:
        locate(ctx, -7.495, 110.405, region_code="33.29")   # Brebes: no boundaries yet
    assert refused.value.reason == "no_boundaries"


def test_no_boundaries_at_all(places):
    with pytest.raises(LocationRefused) as refused:
        locate(places, -7.495, 110.405)
    assert refused.value.reason == "no_boundaries" and "location" in refused.value.errors


@pytest.mark.parametrize(("lat", "lon", "reason"), [
    (110.405, -7.495, "swapped"), (109.13, -6.87, "swapped"),
    (48.85, 2.35, "not_in_indonesia"), (-7.5, 200.0, "not_in_indonesia"),
    (float("nan"), 110.4, "not_in_indonesia"),
])
def test_coordinates_that_cannot_be_a_point_in_indonesia(layout, lat, lon, reason):
    with pytest.raises(LocationRefused) as refused:
        locate(layout, lat, lon)
    assert refused.value.reason == reason and list(refused.value.errors) == ["lat"]
    if reason == "swapped":
        assert "tertukar" in refused.value.errors["lat"]


def test_an_import_in_this_process_is_seen_at_once(layout):
    assert locate(layout, -7.495, 110.405).kelurahan == "Kraton"
    import_boundaries(layout, collection(
        feature(square(LON, LAT), "33.76.02.1002", "Slerok", "Tegal Timur")))
    assert locate(layout, -7.495, 110.405).kelurahan == "Kraton"   # 01.1005 < 02.1002
    import_boundaries(layout, collection(feature(square(LON + 1, LAT), "33.76.01.1005")))
    assert locate(layout, -7.495, 110.405).kelurahan == "Slerok"


def test_another_process_import_is_seen_after_the_cache_period(layout):
    ctx = layout
    now = [1000.0]
    cache = boundary_cache(ctx)
    cache.clock = lambda: now[0]
    cache.forget()
    assert locate(ctx, -7.495, 110.405).kelurahan == "Kraton"
    engine = make_engine(ctx.settings.database)     # another process's connection pool
    try:
        other = ServiceContext(ctx.settings, make_session_factory(engine))
        import_boundaries(other, collection(feature(square(LON + 1, LAT), "33.76.01.1005")))
    finally:
        engine.dispose()
    assert locate(ctx, -7.495, 110.405).kelurahan == "Kraton"      # still remembered
    now[0] += ctx.settings.app.place_cache_seconds + 1
    with pytest.raises(LocationRefused):
        locate(ctx, -7.495, 110.405)                                # rebuilt: Kraton moved
    assert locate(ctx, -7.495, 111.405).kelurahan == "Kraton"


def test_ranges_are_intakes():
    assert (coordinates.LAT_RANGE, coordinates.LON_RANGE) == (submit.LAT_RANGE, submit.LON_RANGE)

