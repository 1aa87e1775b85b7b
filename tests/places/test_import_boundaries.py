"""``import_boundaries``: matching by code and by name, what is reported, refused files."""

from __future__ import annotations

import pytest
import shapely
from shapely.affinity import affine_transform
from shapely.geometry import Point, Polygon
from sqlalchemy import select

from lapor_bridge.db.models import District, Region, Village
from lapor_bridge.db.models_places import VillageBoundary
from lapor_bridge.services.errors import NotFound, ValidationFailed
from lapor_bridge.services.places.boundaries import import_boundaries
from lapor_bridge.services.places.features import normalise_code
from lapor_bridge.services.seed import get_or_add
from tests.places.conftest import collection, feature, square, village_codes

LON, LAT = 110.40, -7.50  # away from the real Kota Tegal: nothing else there


def stored(ctx) -> dict[str, shapely.Geometry]:
    """Kelurahan name → its stored polygon."""
    with ctx.read() as session:
        rows = session.execute(select(Village.name, VillageBoundary.geometry).join(
            VillageBoundary, VillageBoundary.village_id == Village.id)).all()
    return {name: shapely.from_wkb(blob) for name, blob in rows}


def test_by_name_learns_codes_then_by_code_replaces(places):
    ctx = places
    first = import_boundaries(ctx, collection(
        feature(square(LON, LAT), "33.76.01.1004", "Pekauman", "Tegal Barat"),
        feature(square(LON + 0.01, LAT), "3376011005", "Kraton", "Tegal Barat")))
    assert (first.by_name, first.by_code, first.stored, first.codes_learned) == (2, 0, 2, 2)
    assert village_codes(ctx)["Pekauman"] == "33.76.01.1004"
    assert village_codes(ctx)["Kraton"] == "33.76.01.1005"     # BPS digits, dotted
    with ctx.read() as session:
        assert session.scalar(select(District.code).where(
            District.name == "Tegal Barat")) == "33.76.01"

    moved = square(LON + 0.05, LAT + 0.05)
    second = import_boundaries(ctx, collection(feature(moved, "33.76.01.1004")))
    assert (second.by_code, second.by_name, second.stored, second.codes_learned) == (1, 0, 1, 0)
    polygons = stored(ctx)
    assert polygons["Pekauman"].equals(moved)                  # replaced
    assert polygons["Kraton"].equals(square(LON + 0.01, LAT))  # not in the file: kept


def test_names_compare_without_case_spacing_or_prefixes(places):
    report = import_boundaries(places, collection(
        feature(square(LON, LAT), name="KELURAHAN  PEKAUMAN", kecamatan="Kec. Tegal  Barat"),
        feature(square(LON + 0.01, LAT), name="Desa Debonglor", kecamatan="tegal barat"),
        feature(square(LON + 0.02, LAT), name="kel. pesurungan-kidul",
                kecamatan="KECAMATAN TEGAL BARAT")))
    assert report.by_name == 3 and not report.unmatched
    assert {"Pekauman", "Debong Lor", "Pesurungan Kidul"} == set(stored(places))


def test_property_keys_are_found_case_insensitively_and_can_be_replaced(places):
    report = import_boundaries(places, collection(
        feature(square(LON, LAT), desa="Pekauman", KECAMATAN="Tegal Barat"),
        feature(square(LON + 0.01, LAT), nm_kel="Kraton", kec="Tegal Barat")),
        name_keys=("desa", "nm_kel"), kecamatan_keys=("kecamatan", "kec"))
    assert report.by_name == 2


def test_unmatched_features_and_places_without_polygon_are_reported(places):
    report = import_boundaries(places, collection(
        feature(square(LON, LAT), "33.76.01.1004", "Pekauman", "Tegal Barat"),
        feature(square(LON + 0.01, LAT), name="Kelurahan Entah", kecamatan="Tegal Barat"),
        feature(square(LON + 0.02, LAT), "33.76.09.1009", "Antah", "Berantah"),
        feature(Point(LON, LAT), name="Kraton", kecamatan="Tegal Barat"),
        feature(None, name="Tegalsari", kecamatan="Tegal Barat"),
        feature(square(LON + 0.03, LAT), name="Kraton", kecamatan="Tegal Timur")))
    assert (report.features, report.matched, report.stored) == (6, 1, 1)
    reasons = dict(report.unmatched)
    assert reasons == {
        "#2 Tegal Barat / Kelurahan Entah": "tidak ada kelurahan/desa dengan kode atau nama ini",
        "#3 33.76.09.1009 Berantah / Antah": "tidak ada kelurahan/desa dengan kode atau nama ini",
        "#4 Tegal Barat / Kraton": "bukan Polygon atau MultiPolygon",
        "#5 Tegal Barat / Tegalsari": "bukan Polygon atau MultiPolygon",
        "#6 Tegal Timur / Kraton": "tidak ada kelurahan/desa dengan kode atau nama ini",
    }
    assert len([label for label in report.without_polygon
                if label.startswith("Kota Tegal:")]) == 26
    assert "Kota Tegal: Tegal Barat / Kraton" in report.without_polygon
    assert "Kota Tegal: Tegal Barat / Pekauman" not in report.without_polygon


def test_a_known_code_wins_over_a_different_one_in_the_file(places):
    ctx = places
    import_boundaries(ctx, collection(
        feature(square(LON, LAT), "33.76.01.1004", "Pekauman", "Tegal Barat")))
    report = import_boundaries(ctx, collection(
        feature(square(LON, LAT), "33.76.01.1099", "Pekauman", "Tegal Barat")))
    assert report.unmatched == (("#1 33.76.01.1099 Tegal Barat / Pekauman",
                                 "kodenya berbeda dengan kode tercatat 33.76.01.1004"),)
    assert village_codes(ctx)["Pekauman"] == "33.76.01.1004"


def test_same_name_in_two_regions_needs_the_region_or_a_code(neighbours):
    ctx = neighbours
    with ctx.transaction() as session:
        slawi = session.scalar(select(District).join(Region).where(
            Region.code == "33.28", District.name == "Slawi"))
        get_or_add(session, {"villages": 0}, Village, district_id=slawi.id, name="Pekauman")
    ambiguous = import_boundaries(ctx, collection(feature(square(LON, LAT), name="Pekauman")))
    assert ambiguous.unmatched == (("#1 Pekauman", "namanya cocok dengan 2 tempat; beri kode "
                                    "atau nama kecamatan"),)
    by_region = import_boundaries(ctx, collection(
        feature(square(LON, LAT), name="Pekauman", WADMKK="Kota Tegal"),
        feature(square(LON + 0.01, LAT), name="Pekauman", WADMKK="Kab. Tegal")))
    assert by_region.by_name == 2 and by_region.stored == 2
    with_code = import_boundaries(ctx, collection(
        feature(square(LON, LAT), "33.76.01.1004", "Pekauman")), region_code="33")
    assert with_code.by_name == 1   # the code's kab/kota picks one of the two names
    assert village_codes(ctx)["Pekauman"] == "33.76.01.1004"


def test_region_limits_the_match(neighbours):
    ctx = neighbours
    text = collection(feature(square(LON, LAT), name="Pekauman", kecamatan="Tegal Barat"),
                      feature(square(LON, LAT - 0.1), name="Procot", kecamatan="Slawi"))
    report = import_boundaries(ctx, text, region_code="33.28")
    assert report.matched == 1 and list(stored(ctx)) == ["Procot"]
    assert all(label.startswith("Kabupaten Tegal: ") for label in report.without_polygon)
    with pytest.raises(NotFound):
        import_boundaries(ctx, text, region_code="99.99")


def test_features_of_one_place_are_joined(places):
    import_boundaries(places, collection(
        feature(square(LON, LAT), "33.76.01.1007", "Muarareja", "Tegal Barat"),
        feature(square(LON + 0.1, LAT), "33.76.01.1007", "Muarareja", "Tegal Barat")))
    polygon = stored(places)["Muarareja"]
    assert polygon.geom_type == "MultiPolygon" and polygon.area == pytest.approx(2e-4)


def test_invalid_polygon_is_repaired(places):
    bow_tie = Polygon([(LON, LAT), (LON + 0.01, LAT + 0.01), (LON + 0.01, LAT),
                       (LON, LAT + 0.01), (LON, LAT)])
    assert not bow_tie.is_valid
    report = import_boundaries(places, collection(
        feature(bow_tie, "33.76.01.1004", "Pekauman", "Tegal Barat")))
    assert report.repaired == ("#1 33.76.01.1004 Tegal Barat / Pekauman",)
    polygon = stored(places)["Pekauman"]
    assert polygon.is_valid and polygon.area == pytest.approx(5e-5)


def snapshot(ctx):
    with ctx.read() as session:
        return (sorted(session.execute(select(VillageBoundary.village_id,
                                              VillageBoundary.geometry)).all()),
                sorted(session.execute(select(Village.id, Village.code)).all()))


@pytest.mark.parametrize(("bad", "words"), [
    (feature(affine_transform(square(LON, LAT), [0, 1, 1, 0, 0, 0]),
             "33.76.01.1005", "Kraton", "Tegal Barat"), "tertukar"),
    (feature(square(350_000, 9_170_000, 1000), "33.76.01.1005", "Kraton", "Tegal Barat"),
     "meter"),
    (feature(square(2.35, 48.85), "33.76.01.1005", "Kraton", "Tegal Barat"),
     "di luar wilayah Indonesia"),
])
def test_a_file_with_wrong_coordinates_changes_nothing(places, bad, words):
    ctx = places
    import_boundaries(ctx, collection(
        feature(square(LON, LAT), "33.76.01.1004", "Pekauman", "Tegal Barat")))
    before = snapshot(ctx)
    text = collection(
        feature(square(LON + 0.5, LAT), "33.76.01.1004", "Pekauman", "Tegal Barat"),
        feature(square(LON + 0.01, LAT), "33.76.01.1006", "Tegalsari", "Tegal Barat"), bad)
    with pytest.raises(ValidationFailed) as refused:
        import_boundaries(ctx, text)
    message = refused.value.errors["file"]
    assert words in message and "#3 33.76.01.1005 Tegal Barat / Kraton" in message
    assert snapshot(ctx) == before


@pytest.mark.parametrize(("text", "words"), [
    ("{not json", "bukan JSON"),
    ('{"type": "Feature", "geometry": null}', "FeatureCollection"),
    ('{"type": "FeatureCollection", "features": []}', "tidak berisi fitur"),
    (collection(feature(square(LON, LAT), name="Pekauman"),
                crs={"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::32749"}}),
     "EPSG::32749"),
])
def test_files_that_are_not_lon_lat_feature_collections_are_refused(places, text, words):
    with pytest.raises(ValidationFailed) as refused:
        import_boundaries(places, text)
    assert words in refused.value.errors["file"]


def test_a_wgs84_crs_member_is_accepted(places):
    report = import_boundaries(places, collection(
        feature(square(LON, LAT), name="Pekauman", kecamatan="Tegal Barat"),
        crs={"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}))
    assert report.stored == 1


@pytest.mark.parametrize(("value", "code"), [
    ("33.76.01.1004", "33.76.01.1004"), ("3376011004", "33.76.01.1004"),
    (3376011004, "33.76.01.1004"), ("ID3376011004", "33.76.01.1004"),
    ("33.76.01", None), ("", None), (None, None), (True, None),
])
def test_codes_are_normalised(value, code):
    assert normalise_code(value) == code
