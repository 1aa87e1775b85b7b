"""``locate``: the kelurahan/desa of a point, from an in-process spatial index.

The index holds every boundary of this instance (an STRtree over the polygons),
built from the database on first use and kept per process and engine. It is checked
against the table at most every ``[app] place_cache_seconds`` (row count and newest
``imported_at``) and rebuilt when they changed; an import in this process drops it at
once (:func:`forget`). Place names are those of the last build.

Rules:

- A point on a shared border, or otherwise covered by several polygons, goes to the one
  whose kelurahan/desa has the lowest Kemendagri code (places without a code after all
  coded ones, by lowest id) — the same answer every time, whatever the order of import.
- Holes are respected: a point in a polygon's hole belongs to the polygon filling it,
  or to none.
- A point that no polygon (of ``region_code``, when given) covers is refused with
  :class:`LocationRefused`, naming the kab/kota it lies in when this instance knows it.
"""

from __future__ import annotations

import math
import threading
import time
import weakref
from dataclasses import dataclass
from typing import NoReturn

import numpy as np
import shapely
from shapely import STRtree
from sqlalchemy import Engine, func, select

from lapor_bridge.db.models import District, Region, Village
from lapor_bridge.db.models_places import VillageBoundary
from lapor_bridge.services.context import ServiceContext
from lapor_bridge.services.errors import ValidationFailed
from lapor_bridge.services.places.coordinates import Axes, classify
from lapor_bridge.translations import Message

KM_PER_DEGREE = 111.32


@dataclass(frozen=True)
class Located:
    """The kelurahan/desa a point lies in, with its kecamatan and kab/kota."""

    village_id: int
    kelurahan: str
    kecamatan: str
    region_code: str
    region_name: str
    village_code: str | None


class LocationRefused(ValidationFailed):
    """No kelurahan/desa of this instance takes the point.

    ``errors`` has one entry: ``lat`` when the coordinates themselves are wrong (reason
    ``swapped`` or ``not_in_indonesia``), ``location`` otherwise (``no_boundaries``:
    none loaded for the region; ``other_region``: inside another kab/kota's polygon;
    ``outside``: in no polygon). ``region_code``/``region_name`` name the kab/kota the
    point lies in (or, for ``outside``, whose boundaries' extent holds it) when known.
    """

    def __init__(self, field: str, message: str, reason: str,
                 region: tuple[str, str] | None = None) -> None:
        super().__init__({field: message})
        self.reason = reason
        self.region_code, self.region_name = region or (None, None)


def locate(ctx: ServiceContext, lat: float, lon: float,
           region_code: str | None = None) -> Located:
    """The kelurahan/desa at (``lat``, ``lon``), WGS84 degrees, within ``region_code``
    (a kab/kota or a province; None: anywhere this instance has boundaries). Raises
    :class:`LocationRefused`."""
    lat, lon = float(lat), float(lon)
    axes = classify(lon, lat, lon, lat)
    if axes is Axes.SWAPPED:
        raise LocationRefused("lat", Message(
            "Lintang dan bujur tampak tertukar (lintang {lat}, bujur {lon}): di Indonesia "
            "lintang antara -11,5 dan 6,5 dan bujur antara 94 dan 141,5.",
            lat=lat, lon=lon), "swapped")
    if axes is not Axes.LON_LAT:
        raise LocationRefused("lat", Message(
            "Titik (lintang {lat}, bujur {lon}) di luar wilayah Indonesia.",
            lat=lat, lon=lon), "not_in_indonesia")
    return boundary_cache(ctx).index(ctx.engine).locate(lat, lon, region_code)


def forget(ctx: ServiceContext) -> None:
    """Drop this process's index for ``ctx``'s database (boundaries were imported)."""
    boundary_cache(ctx).forget()


_CACHES: weakref.WeakKeyDictionary[Engine, BoundaryCache] = weakref.WeakKeyDictionary()


def boundary_cache(ctx: ServiceContext) -> BoundaryCache:
    """The index cache of ``ctx``'s engine (one per engine and process)."""
    cache = _CACHES.get(ctx.engine)
    if cache is None:
        cache = _CACHES.setdefault(ctx.engine,
                                   BoundaryCache(ctx.settings.app.place_cache_seconds))
    return cache


class BoundaryCache:
    """One database's :class:`BoundaryIndex`, checked against the table at most every
    ``seconds`` and rebuilt when it changed."""

    def __init__(self, seconds: float, clock=time.monotonic) -> None:
        self.seconds = seconds
        self.clock = clock
        self._lock = threading.Lock()
        self._index: BoundaryIndex | None = None
        self._version: tuple | None = None
        self._fresh_until = 0.0

    def index(self, engine: Engine) -> BoundaryIndex:
        """The index, rebuilt first when the boundaries changed since it was built."""
        index = self._index
        if index is not None and self.clock() < self._fresh_until:
            return index
        with self._lock:
            with engine.connect() as connection:
                version = tuple(connection.execute(VERSION_QUERY).one())
                if self._index is None or version != self._version:
                    self._index = BoundaryIndex(connection.execute(ROWS_QUERY).all())
                    self._version = version
            self._fresh_until = self.clock() + self.seconds
            return self._index

    def forget(self) -> None:
        """Rebuild on next use."""
        with self._lock:
            self._index, self._version = None, None


BOUNDARIES = VillageBoundary.__table__
VERSION_QUERY = select(func.count(), func.max(BOUNDARIES.c.imported_at))
ROWS_QUERY = (
    select(BOUNDARIES.c.geometry, Village.id.label("village_id"),
           Village.name.label("kelurahan"), Village.code.label("village_code"),
           District.name.label("kecamatan"), Region.code.label("region_code"),
           Region.name.label("region_name"), BOUNDARIES.c.min_lon, BOUNDARIES.c.min_lat,
           BOUNDARIES.c.max_lon, BOUNDARIES.c.max_lat)
    .join_from(BOUNDARIES, Village, Village.id == BOUNDARIES.c.village_id)
    .join(District, District.id == Village.district_id)
    .join(Region, Region.id == District.region_id)
)


@dataclass(frozen=True)
class RegionExtent:
    """The bounding box of one kab/kota's loaded boundaries."""

    code: str
    name: str
    box: tuple[float, float, float, float]  # min lon, min lat, max lon, max lat

    def distance_km(self, lat: float, lon: float) -> float:
        """About how far the point is from the box (0 inside)."""
        dx = max(self.box[0] - lon, 0.0, lon - self.box[2])
        dy = max(self.box[1] - lat, 0.0, lat - self.box[3])
        return KM_PER_DEGREE * math.hypot(dx * math.cos(math.radians(lat)), dy)

    @property
    def area(self) -> float:
        """The box's area in square degrees (to prefer the tightest of several)."""
        return (self.box[2] - self.box[0]) * (self.box[3] - self.box[1])


class BoundaryIndex:
    """Every loaded boundary, ordered by the border rule (lowest code, then id), in an
    STRtree; a query prepares the point and tests only the polygons whose box holds it."""

    def __init__(self, rows) -> None:
        rows = sorted(rows, key=lambda row: (row.village_code is None, row.village_code or "",
                                             row.village_id))
        self.places = [Located(row.village_id, row.kelurahan, row.kecamatan, row.region_code,
                               row.region_name, row.village_code) for row in rows]
        self.polygons = shapely.from_wkb(np.array([row.geometry for row in rows], dtype=object))
        self.tree = STRtree(self.polygons)
        self.regions = _extents(rows)

    def covering(self, lat: float, lon: float) -> np.ndarray:
        """Positions of the polygons covering the point (boundary included), best first."""
        return np.sort(self.tree.query(shapely.Point(lon, lat), predicate="intersects"))

    def locate(self, lat: float, lon: float, region_code: str | None) -> Located:
        """See :func:`locate` (coordinates already checked)."""
        hits = self.covering(lat, lon)
        if region_code is None:
            if len(hits):
                return self.places[hits[0]]
        else:
            for hit in hits:
                if _in_scope(self.places[hit].region_code, region_code):
                    return self.places[hit]
            if not any(_in_scope(extent.code, region_code) for extent in self.regions):
                raise _no_boundaries()
            if len(hits):
                found = self.places[hits[0]]
                raise LocationRefused("location", Message(
                    "Titik ini berada di {found}, bukan di wilayah layanan ini.",
                    found=found.region_name), "other_region",
                    (found.region_code, found.region_name))
        self._outside(lat, lon)

    def _outside(self, lat: float, lon: float) -> NoReturn:
        if not self.regions:
            raise _no_boundaries()
        around = sorted((extent for extent in self.regions
                         if extent.distance_km(lat, lon) == 0), key=lambda e: e.area)
        if around:
            raise LocationRefused("location", Message(
                "Titik ini berada di sekitar {region}, tetapi di luar batas kelurahan/desa "
                "yang dikenal.", region=around[0].name), "outside",
                (around[0].code, around[0].name))
        nearest = min(self.regions, key=lambda extent: extent.distance_km(lat, lon))
        raise LocationRefused("location", Message(
            "Titik ini di luar wilayah layanan; wilayah terdekat: {region} (±{km} km).",
            region=nearest.name, km=round(nearest.distance_km(lat, lon))), "outside")


def _extents(rows) -> list[RegionExtent]:
    """Each kab/kota's bounding box, from its polygons' boxes."""
    boxes: dict[tuple[str, str], list[tuple[float, float, float, float]]] = {}
    for row in rows:
        boxes.setdefault((row.region_code, row.region_name), []).append(
            (row.min_lon, row.min_lat, row.max_lon, row.max_lat))
    return [RegionExtent(code, name, (*np.min(box, axis=0)[:2].tolist(),
                                      *np.max(box, axis=0)[2:].tolist()))
            for (code, name), box in boxes.items()]


def _in_scope(code: str, region_code: str) -> bool:
    return code == region_code or code.startswith(region_code + ".")


def _no_boundaries() -> LocationRefused:
    return LocationRefused("location", Message(
        "Batas kelurahan/desa wilayah ini belum dimuat; pilih kecamatan dan kelurahan."),
        "no_boundaries")
