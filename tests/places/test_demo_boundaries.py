"""The demo's boundaries: shipped in the package, loaded by the seed, idempotent."""

from __future__ import annotations

import fnmatch
import tomllib
from importlib.resources import files
from pathlib import Path

import shapely
from sqlalchemy import select

from lapor_bridge import demo_region
from lapor_bridge.db.models import District, Region, Village
from lapor_bridge.db.models_places import VillageBoundary
from lapor_bridge.services.places.boundaries import import_boundaries
from lapor_bridge.services.places.demo import DEMO_FILE, load_demo_boundaries
from lapor_bridge.services.places.lookup import locate
from tests.places.conftest import collection, feature, square, village_codes

ROOT = Path(__file__).resolve().parents[2]
DEMO_REGIONS = {"33.76": "Kota Tegal", "33.28": "Kabupaten Tegal", "33.29": "Kabupaten Brebes"}
DEMO_NAMES = tuple(f"{name}:" for name in DEMO_REGIONS.values())


def polygons(ctx, region_code: str) -> dict[tuple[str, str], shapely.Geometry]:
    with ctx.read() as session:
        rows = session.execute(
            select(District.name, Village.name, VillageBoundary.geometry)
            .join(Village, Village.id == VillageBoundary.village_id)
            .join(District).join(Region).where(Region.code == region_code)).all()
    return {(district, village): shapely.from_wkb(blob) for district, village, blob in rows}


def test_every_demo_kelurahan_gets_a_polygon_that_locates_back(places):
    ctx = places
    report = load_demo_boundaries(ctx)
    assert not [label for label, _ in report.unmatched if " 33.76." in label]
    assert not [label for label in report.without_polygon if label.startswith("Kota Tegal:")]
    loaded = polygons(ctx, "33.76")
    assert set(loaded) == {(district, village) for district, villages
                           in demo_region.KECAMATAN.items() for village in villages}
    for (district, village), polygon in loaded.items():
        point = polygon.representative_point()
        found = locate(ctx, point.y, point.x, region_code="33.76")
        assert (found.kecamatan, found.kelurahan) == (district, village)
    codes = village_codes(ctx)
    assert codes["Pekauman"] == "33.76.01.1004" and codes["Margadana"] == "33.76.04.1005"


def test_the_neighbours_get_theirs_and_a_second_load_changes_nothing(neighbours):
    ctx = neighbours
    report = load_demo_boundaries(ctx)
    assert not report.unmatched
    assert {code: len(polygons(ctx, code)) for code in DEMO_REGIONS} == {
        "33.76": 27, "33.28": 16, "33.29": 15}
    # Klampis is a desa of Jatibarang, not of Wanasari as the demo lists it.
    assert [label for label in report.without_polygon if label.startswith(DEMO_NAMES)] == [
        "Kabupaten Brebes: Wanasari / Klampis"]
    assert locate(ctx, -6.9852, 109.1375).region_name == "Kabupaten Tegal"   # Slawi
    again = load_demo_boundaries(ctx)
    assert (again.stored, again.kept, again.codes_learned) == (0, 58, 0)


def test_an_imported_polygon_is_kept(places):
    ctx = places
    own = square(110.40, -7.50)
    import_boundaries(ctx, collection(feature(own, name="Kraton", kecamatan="Tegal Barat")))
    report = load_demo_boundaries(ctx)
    assert report.kept == 1
    loaded = polygons(ctx, "33.76")
    assert len(loaded) == 27 and loaded["Tegal Barat", "Kraton"].equals(own)


def test_the_file_is_package_data():
    assert files("lapor_bridge.data").joinpath(DEMO_FILE).is_file()
    with (ROOT / "pyproject.toml").open("rb") as handle:
        patterns = tomllib.load(handle)["tool"]["setuptools"]["package-data"]["*"]
    assert any(fnmatch.fnmatch(DEMO_FILE, pattern) for pattern in patterns)
