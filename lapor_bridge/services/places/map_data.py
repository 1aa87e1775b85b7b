"""Map data as GeoJSON: complaints (public and officer layers) and boundaries in a bbox.

Every layer takes a bounding box (``minlon,minlat,maxlon,maxlat``, WGS84) and is paged
by a keyset cursor on the row id (``after``): a page holds the first ``limit`` rows with
an id above ``after`` in id order, and ``next_after`` is the last id read when more may
follow. No row appears twice and none is lost, however the data grows between pages.

The public layer follows the privacy rule of ``docs/maps.md``:

- ``rahasia`` (secret) complaints never appear; neither do a federation member's
  complaints, nor archived or rejected ones;
- positions are snapped to a 0.001° grid (≈111 m north–south, ≈110 m east–west in Java),
  and the bbox is matched against the *snapped* position, so a small box reveals no more
  than the snapped point does;
- ``anonim`` complaints are never at their own point: they are shown at their
  kelurahan's centroid (snapped), matched by that centroid, or not at all when the
  kelurahan has no boundary;
- properties are the category and status only (no title, text, tracking number).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import shapely
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from lapor_bridge.db.models import Complaint, District, Region, Village
from lapor_bridge.db.models_places import VillageBoundary
from lapor_bridge.domain import categories
from lapor_bridge.domain.calendar import WIB
from lapor_bridge.domain.status import OPEN_VALUES, Status
from lapor_bridge.services.accounts import Principal
from lapor_bridge.services.context import ServiceContext
from lapor_bridge.services.errors import ValidationFailed
from lapor_bridge.services.places.coordinates import Axes, classify
from lapor_bridge.services.queue import queue_agency_id
from lapor_bridge.services.scope import local_only
from lapor_bridge.translations import Message

GRID = 1000  # public positions: multiples of 1/GRID degree (0.001° ≈ 111 m)
MAX_SPAN = 1.0  # degrees per side of a bbox (≈ 111 km: a kab/kota and its surroundings)
DEFAULT_LIMIT, MAX_LIMIT = 500, 2000
DUE_SOON = timedelta(days=2)
HIDDEN_STATUSES = (Status.ARCHIVED.value, Status.REJECTED.value)
# Pages are in id order, but sorted as ``id + 0``: the planner then cannot walk the
# primary key filtering every row (fast when the box is dense, a full scan when it is
# sparse) and reads the box through ``ix_complaints_lon_lat_id``, sorting what it holds.
BY_ID = Complaint.id + 0


class BadMapQuery(ValidationFailed):
    """A map request with a bbox, limit or cursor that cannot be used (HTTP 400)."""


@dataclass(frozen=True)
class BBox:
    """A lon/lat WGS84 box; ``min`` < ``max`` on both axes."""

    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float

    def as_list(self) -> list[float]:
        """``[minlon, minlat, maxlon, maxlat]`` as in GeoJSON."""
        return [self.min_lon, self.min_lat, self.max_lon, self.max_lat]

    def middle(self) -> tuple[float, float]:
        """The box's middle as ``(lat, lon)``."""
        return (self.min_lat + self.max_lat) / 2, (self.min_lon + self.max_lon) / 2


@dataclass(frozen=True)
class MapPage:
    """One page of a layer: GeoJSON features, and the cursor of the next page (or None)."""

    features: list[dict]
    next_after: int | None
    bbox: BBox

    def collection(self, next_url: str | None = None) -> dict:
        """The page as a GeoJSON FeatureCollection with a ``next`` link."""
        return {"type": "FeatureCollection", "bbox": self.bbox.as_list(),
                "features": self.features, "next": next_url}


def parse_bbox(text: str | None, max_span: float = MAX_SPAN) -> BBox:
    """The box of ``?bbox=minlon,minlat,maxlon,maxlat``; ``BadMapQuery`` when it is
    missing, not four numbers, swapped (lat,lon), empty, outside Indonesia or larger than
    ``max_span`` degrees on a side."""
    parts = (text or "").split(",")
    try:
        numbers = [float(part) for part in parts] if len(parts) == 4 else []
    except ValueError:
        numbers = []
    if len(numbers) != 4 or not all(math.isfinite(number) for number in numbers):
        raise BadMapQuery({"bbox": Message(
            "bbox harus berupa empat angka: bujur-min,lintang-min,bujur-maks,lintang-maks.")})
    box = BBox(*numbers)
    if box.min_lon >= box.max_lon or box.min_lat >= box.max_lat:
        raise BadMapQuery({"bbox": Message(
            "bbox terbalik: nilai minimum harus lebih kecil dari nilai maksimum.")})
    axes = classify(*numbers)
    if axes is Axes.SWAPPED:
        raise BadMapQuery({"bbox": Message(
            "bbox tampak memakai urutan lintang,bujur; urutannya bujur,lintang.")})
    if axes is not Axes.LON_LAT:
        raise BadMapQuery({"bbox": Message("bbox di luar wilayah Indonesia.")})
    if box.max_lon - box.min_lon > max_span or box.max_lat - box.min_lat > max_span:
        raise BadMapQuery({"bbox": Message(
            "bbox terlalu luas: paling besar {span} derajat per sisi.", span=max_span)})
    return box


def parse_paging(limit: str | None, after: str | None) -> tuple[int, int]:
    """``(limit, after)`` from the query string; ``BadMapQuery`` when not whole numbers
    in range (limit 1…MAX_LIMIT, default DEFAULT_LIMIT; after ≥ 0, default 0)."""
    try:
        size = DEFAULT_LIMIT if limit in (None, "") else int(limit)
        cursor = 0 if after in (None, "") else int(after)
    except ValueError:
        size = cursor = -1
    if not 1 <= size <= MAX_LIMIT or cursor < 0:
        raise BadMapQuery({"paging": Message(
            "limit harus 1–{most} dan after bilangan bulat tidak negatif.", most=MAX_LIMIT)})
    return size, cursor


def snap(degrees: float) -> float:
    """A coordinate on the public 0.001° grid (half up): never the exact position."""
    return math.floor(degrees * GRID + 0.5) / GRID


def _snapped_range(low: float, high: float) -> tuple[float, float]:
    """The exact values whose snapped value lies in [low, high]: [start, stop)."""
    return (math.ceil(low * GRID) - 0.5) / GRID, (math.floor(high * GRID) + 0.5) / GRID


def public_points(ctx: ServiceContext, box: BBox, limit: int = DEFAULT_LIMIT,
                  after: int = 0, lang: str = "id") -> MapPage:
    """The public layer: this instance's non-secret complaints whose snapped position
    (or, for ``anonim`` ones, kelurahan centroid) lies in ``box``; labels in ``lang``."""
    (lon_from, lon_to), (lat_from, lat_to) = (_snapped_range(box.min_lon, box.max_lon),
                                              _snapped_range(box.min_lat, box.max_lat))
    public = (Complaint.is_secret.is_(False), local_only(),
              Complaint.status.not_in(HIDDEN_STATUSES), Complaint.id > after)
    columns = (Complaint.id, Complaint.lat, Complaint.lon, Complaint.category,
               Complaint.status, Complaint.is_anonymous, Complaint.village_id)
    with ctx.read() as session:
        named = session.execute(
            select(*columns).where(*public, Complaint.is_anonymous.is_(False),
                                   Complaint.lon >= lon_from, Complaint.lon < lon_to,
                                   Complaint.lat >= lat_from, Complaint.lat < lat_to)
            .order_by(BY_ID).limit(limit)).all()
        centroids, extent = _centroids_in(session, box)
        anonymous = []
        if centroids:
            # The exact point lies in its kelurahan, so the kelurahan extent lets the
            # lon/lat index narrow the rows; membership is decided by the centroid.
            anonymous = session.execute(
                select(*columns).where(*public, Complaint.is_anonymous.is_(True),
                                       Complaint.village_id.in_(list(centroids)),
                                       Complaint.lon >= extent[0], Complaint.lon <= extent[2],
                                       Complaint.lat >= extent[1], Complaint.lat <= extent[3])
                .order_by(BY_ID).limit(limit)).all()
    rows = sorted([*named, *anonymous], key=lambda row: row.id)[:limit]
    features = []
    for row in rows:
        lon, lat = centroids[row.village_id] if row.is_anonymous else (snap(row.lon),
                                                                       snap(row.lat))
        features.append(_feature(row.id, lon, lat, {
            "category": row.category or "", **_labels(row, lang),
            "anonymous": row.is_anonymous}))
    return MapPage(features, rows[-1].id if len(rows) == limit else None, box)


def _centroids_in(session: Session, box: BBox) -> tuple[dict[int, tuple[float, float]],
                                                          tuple[float, float, float, float]]:
    """Snapped centroids of the kelurahan whose centroid lies in ``box``, and the union
    of those kelurahan's extents."""
    rows = session.execute(select(
        VillageBoundary.village_id, VillageBoundary.geometry, VillageBoundary.min_lon,
        VillageBoundary.min_lat, VillageBoundary.max_lon, VillageBoundary.max_lat).where(
        VillageBoundary.max_lon >= box.min_lon, VillageBoundary.min_lon <= box.max_lon,
        VillageBoundary.max_lat >= box.min_lat, VillageBoundary.min_lat <= box.max_lat)).all()
    if not rows:
        return {}, (0.0, 0.0, 0.0, 0.0)
    points = shapely.centroid(shapely.from_wkb([row.geometry for row in rows]))
    centroids, kept = {}, []
    for row, x, y in zip(rows, shapely.get_x(points), shapely.get_y(points), strict=True):
        lon, lat = snap(float(x)), snap(float(y))
        if box.min_lon <= lon <= box.max_lon and box.min_lat <= lat <= box.max_lat:
            centroids[row.village_id] = (lon, lat)
            kept.append(row)
    if not kept:
        return {}, (0.0, 0.0, 0.0, 0.0)
    return centroids, (min(r.min_lon for r in kept), min(r.min_lat for r in kept),
                       max(r.max_lon for r in kept), max(r.max_lat for r in kept))


def sla_state(due_at: datetime | None, now: datetime) -> str:
    """``overdue`` (past due), ``due_soon`` (within two days), ``on_time`` or ``none``."""
    if due_at is None:
        return "none"
    if due_at.tzinfo is None:  # SQLite hands naive UTC back
        now = now.replace(tzinfo=None)
    if due_at < now:
        return "overdue"
    return "due_soon" if due_at - now <= DUE_SOON else "on_time"


def officer_points(ctx: ServiceContext, principal: Principal, box: BBox,
                   limit: int = DEFAULT_LIMIT, after: int = 0, lang: str = "id") -> MapPage:
    """The queue layer: open complaints of the person's queue (their agency, or their
    region's triage for an admin) at their exact positions, with the SLA state; labels
    in ``lang``. ``PermissionDenied`` for anyone without a queue."""
    agency_id = queue_agency_id(ctx, principal)
    now = ctx.clock()
    with ctx.read() as session:
        rows = session.execute(
            select(Complaint.id, Complaint.tracking_number, Complaint.title, Complaint.lat,
                   Complaint.lon, Complaint.category, Complaint.status, Complaint.sla_due_at)
            .where(Complaint.agency_id == agency_id, local_only(),
                   Complaint.status.in_(OPEN_VALUES), Complaint.id > after,
                   Complaint.lon.between(box.min_lon, box.max_lon),
                   Complaint.lat.between(box.min_lat, box.max_lat))
            .order_by(BY_ID).limit(limit)).all()
    features = [_feature(row.id, row.lon, row.lat, {
        "tracking_number": row.tracking_number, "title": row.title, **_labels(row, lang),
        "due_at": row.sla_due_at.isoformat() if row.sla_due_at else None,
        "due_wib": _wib_text(row.sla_due_at),
        "sla_state": sla_state(row.sla_due_at, now)}) for row in rows]
    return MapPage(features, rows[-1].id if len(rows) == limit else None, box)


def boundary_features(ctx: ServiceContext, box: BBox, limit: int = DEFAULT_LIMIT,
                      after: int = 0) -> MapPage:
    """Kelurahan/desa polygons meeting ``box`` (the base map), paged by village id."""
    with ctx.read() as session:
        rows = session.execute(
            select(VillageBoundary.village_id, VillageBoundary.geometry, Village.name,
                   District.name.label("kecamatan"))
            .join(Village, Village.id == VillageBoundary.village_id)
            .join(District, District.id == Village.district_id)
            .where(VillageBoundary.village_id > after,
                   and_(VillageBoundary.max_lon >= box.min_lon,
                        VillageBoundary.min_lon <= box.max_lon,
                        VillageBoundary.max_lat >= box.min_lat,
                        VillageBoundary.min_lat <= box.max_lat))
            .order_by(VillageBoundary.village_id).limit(limit)).all()
    features = [{"type": "Feature", "id": row.village_id,
                 "geometry": geometry_json(row.geometry),
                 "properties": {"name": row.name, "kecamatan": row.kecamatan}}
                for row in rows]
    return MapPage(features, rows[-1].village_id if len(rows) == limit else None, box)


def boundary_extent(ctx: ServiceContext) -> BBox | None:
    """The box around the boundaries of this instance's region (``[app] region_code``, or
    the kab/kota under it at a province); None when there are none."""
    code = ctx.settings.app.region_code
    with ctx.read() as session:
        row = session.execute(
            select(func.min(VillageBoundary.min_lon), func.min(VillageBoundary.min_lat),
                   func.max(VillageBoundary.max_lon), func.max(VillageBoundary.max_lat))
            .join(Village, Village.id == VillageBoundary.village_id)
            .join(District, District.id == Village.district_id)
            .join(Region, Region.id == District.region_id)
            .where(or_(Region.code == code, Region.code.startswith(f"{code}.")))).one()
    return None if row[0] is None else BBox(*row)


def geometry_json(wkb: bytes) -> dict:
    """A stored WKB polygon as a GeoJSON geometry (coordinates to 5 decimals, ≈1 m)."""
    return json.loads(shapely.to_geojson(shapely.set_precision(shapely.from_wkb(wkb), 1e-5)))


def _wib_text(moment: datetime | None) -> str | None:
    """A stored UTC time as officers read it: ``dd-mm-yyyy HH:MM WIB``."""
    if moment is None:
        return None
    if moment.tzinfo is None:  # SQLite hands naive UTC back
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(WIB).strftime("%d-%m-%Y %H:%M WIB")


def _labels(row, lang: str) -> dict:
    """A row's category and status as shown, in ``lang``, and its status code."""
    return {"category_label": categories.label(row.category, lang), "status": row.status,
            "status_label": Status(row.status).label(lang)}


def _feature(row_id: int, lon: float, lat: float, properties: dict) -> dict:
    return {"type": "Feature", "id": row_id,
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": properties}
