"""Fixtures for boundary tests: a clean slate of polygons and codes, the demo neighbours'
places, and GeoJSON files built from shapely geometries."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from shapely.geometry import box, mapping
from sqlalchemy import delete, func, select, update

from lapor_bridge import demo_neighbours
from lapor_bridge.db.models import District, Region, Village
from lapor_bridge.db.models_places import VillageBoundary
from lapor_bridge.services.places import lookup
from lapor_bridge.services.seed import get_or_add

PLACES = (Village, District, Region)  # deletion order


@pytest.fixture
def places(ctx):
    """No polygon and no code at the start; afterwards the codes are back as they were
    and places a test added are gone (polygons are wiped by ``ctx``)."""
    with ctx.read() as session:
        before = {model: session.scalar(select(func.max(model.id))) or 0 for model in PLACES}
        codes = {model: dict(session.execute(select(model.id, model.code)).all())
                 for model in (Village, District)}
    with ctx.transaction() as session:
        session.execute(delete(VillageBoundary))
        for model in (Village, District):
            session.execute(update(model).values(code=None))
    lookup.forget(ctx)
    yield ctx
    with ctx.transaction() as session:
        session.execute(delete(VillageBoundary))
        for model in PLACES:
            session.execute(delete(model).where(model.id > before[model]))
        for model, by_id in codes.items():
            for row_id, code in by_id.items():
                session.execute(update(model).where(model.id == row_id).values(code=code))
    lookup.forget(ctx)


@pytest.fixture
def neighbours(places):
    """The demo history's two neighbours with their kecamatan and desa (removed after)."""
    ctx = places
    with ctx.transaction() as session:
        province = session.scalar(select(Region).where(Region.code == "33"))
        counts: Counter[str] = Counter()
        for (code, name, kind), kecamatan in demo_neighbours.REGIONS.items():
            region = get_or_add(session, counts, Region, code=code,
                                defaults={"name": name, "kind": kind, "parent_id": province.id})
            for district_name, village_names in kecamatan.items():
                district = get_or_add(session, counts, District, region_id=region.id,
                                      name=district_name)
                for village_name in village_names:
                    get_or_add(session, counts, Village, district_id=district.id,
                               name=village_name)
    return ctx


def feature(geometry, code=None, name=None, kecamatan=None, **extra) -> dict:
    """A GeoJSON feature with BIG-style properties (only those given)."""
    properties = {key: value for key, value in (
        ("KDEPUM", code), ("WADMKD", name), ("WADMKC", kecamatan)) if value is not None}
    return {"type": "Feature", "properties": {**properties, **extra},
            "geometry": mapping(geometry) if geometry is not None else None}


def collection(*features, **members) -> str:
    """A FeatureCollection's text."""
    return json.dumps({"type": "FeatureCollection", "features": list(features), **members})


def square(lon: float, lat: float, size: float = 0.01):
    """A square with its south-west corner at (lon, lat), corners rounded to 1e-6° so
    that squares side by side share their edges exactly."""
    return box(*(round(value, 6) for value in (lon, lat, lon + size, lat + size)))


def village_codes(ctx) -> dict[str, str | None]:
    """Kota Tegal's kelurahan → code."""
    with ctx.read() as session:
        return dict(session.execute(
            select(Village.name, Village.code).join(District)
            .join(Region).where(Region.code == "33.76")).all())
