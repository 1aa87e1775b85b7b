"""The demo's kelurahan/desa boundaries (``lapor_bridge/data/demo_boundaries.json``:
simplified, approximate, see the README beside it), loaded by ``seed_demo``, and the
points of the demo history's complaints inside them."""

from __future__ import annotations

import random
from importlib.resources import as_file, files

import shapely
from sqlalchemy import bindparam, select, update

from lapor_bridge.db.models import Complaint
from lapor_bridge.db.models_places import VillageBoundary
from lapor_bridge.services.context import ServiceContext
from lapor_bridge.services.places.boundaries import ImportReport, import_boundaries

DEMO_FILE = "demo_boundaries.json"
POINT_SHARE = 0.7  # demo complaints filed with a location (map pin, shared location)


def load_demo_boundaries(ctx: ServiceContext) -> ImportReport:
    """Give the demo places that have no polygon yet theirs (idempotent: places with a
    polygon, the demo's or an imported one, keep it)."""
    with as_file(files("lapor_bridge.data").joinpath(DEMO_FILE)) as path:
        return import_boundaries(ctx, path, only_missing=True)


def place_demo_points(ctx: ServiceContext, numbers: list[str], share: float = POINT_SHARE) -> int:
    """Give about ``share`` of the complaints ``numbers`` (demo history) a point inside
    their kelurahan's boundary, as residents who used the map or shared a location would
    have; the same point for the same tracking number every time. Complaints without a
    kelurahan polygon keep none, and their ``updated_at`` is left as it was. Returns how
    many got a point."""
    if not numbers:
        return 0
    with ctx.read() as session:
        shapes = {village_id: shapely.from_wkb(wkb) for village_id, wkb in session.execute(
            select(VillageBoundary.village_id, VillageBoundary.geometry))}
        rows = [row for start in range(0, len(numbers), 1000) for row in session.execute(
            select(Complaint.id, Complaint.tracking_number, Complaint.village_id)
            .where(Complaint.tracking_number.in_(numbers[start:start + 1000]),
                   Complaint.lat.is_(None)))]
    points = []
    for complaint_id, number, village_id in rows:
        chance = random.Random(number)
        shape = shapes.get(village_id)
        if shape is not None and chance.random() < share:
            lat, lon = _point_in(shape, chance)
            points.append({"_id": complaint_id, "_lat": lat, "_lon": lon})
    if points:
        table = Complaint.__table__
        with ctx.transaction() as session:
            session.execute(update(table).where(table.c.id == bindparam("_id")).values(
                lat=bindparam("_lat"), lon=bindparam("_lon"), updated_at=table.c.updated_at),
                points)
    return len(points)


def _point_in(shape, chance: random.Random) -> tuple[float, float]:
    """A random (lat, lon) inside ``shape`` (its representative point if 100 draws miss)."""
    min_lon, min_lat, max_lon, max_lat = shape.bounds
    for _ in range(100):
        lon, lat = chance.uniform(min_lon, max_lon), chance.uniform(min_lat, max_lat)
        if shapely.contains_xy(shape, lon, lat):
            return lat, lon
    point = shape.representative_point()
    return point.y, point.x
