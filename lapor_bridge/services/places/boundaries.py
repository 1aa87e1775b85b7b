"""``import_boundaries``: kelurahan/desa polygons from a GeoJSON file into the database.

One transaction per file: the file is read and checked (``features``), every feature is
matched to a place of the scope (``matching``), then the matched places' polygons are
replaced and the codes learned are written — in a few batched statements, never one
query per feature. A file refused as a whole writes nothing; features that match no
place (or are not usable polygons) are listed in the report, as are the scope's places
left without a polygon. Several features of one place (islands published apart) are
joined into one MultiPolygon.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from sqlalchemy import Connection, bindparam, delete, insert, or_, select, update

from lapor_bridge.db.models import District, Region, Village
from lapor_bridge.db.models_places import VillageBoundary
from lapor_bridge.services.context import ServiceContext
from lapor_bridge.services.errors import NotFound, ValidationFailed
from lapor_bridge.services.places import lookup
from lapor_bridge.services.places.features import (
    CODE_KEYS,
    KECAMATAN_KEYS,
    NAME_KEYS,
    Feature,
    PropertyKeys,
    read_features,
)
from lapor_bridge.services.places.matching import Matcher, PlaceRow
from lapor_bridge.translations import Message

BOUNDARIES = VillageBoundary.__table__
CHUNK = 500  # ids per DELETE … IN


@dataclass(frozen=True)
class ImportReport:
    """What an import did. Features are named by ``Feature.label``, places by
    ``PlaceRow.label``; ``unmatched`` pairs each feature left out with the reason."""

    source: str
    features: int
    by_code: int  # features matched by their code
    by_name: int  # features matched by kecamatan and name
    stored: int  # places whose polygon was written
    kept: int  # matched places that kept the polygon they had (``only_missing``)
    codes_learned: int
    repaired: tuple[str, ...]
    unmatched: tuple[tuple[str, str], ...]
    without_polygon: tuple[str, ...]

    @property
    def matched(self) -> int:
        """Features matched to a place."""
        return self.by_code + self.by_name


def import_boundaries(ctx: ServiceContext, geojson_text_or_path: str | Path,
                      region_code: str | None = None, *,
                      code_keys: tuple[str, ...] = CODE_KEYS,
                      name_keys: tuple[str, ...] = NAME_KEYS,
                      kecamatan_keys: tuple[str, ...] = KECAMATAN_KEYS,
                      only_missing: bool = False) -> ImportReport:
    """Load the kelurahan/desa polygons of a GeoJSON FeatureCollection (text, or a path).

    ``region_code`` limits matching to one kab/kota (or a province's kab/kota); without
    it every region of this instance is matched. ``only_missing`` leaves places that
    already have a polygon as they are (the demo seed). Raises ``ValidationFailed`` (key
    ``file``) for a file refused whole and ``NotFound`` for an unknown region; nothing
    is written then.
    """
    text, source = _read(geojson_text_or_path)
    keys = PropertyKeys(code=code_keys, name=name_keys, kecamatan=kecamatan_keys)
    features = read_features(text, keys)
    with ctx.sql_transaction() as connection:
        places = _places(connection, region_code)
        has_polygon = set(connection.scalars(select(BOUNDARIES.c.village_id)))
        matcher = Matcher(places)
        shapes: dict[int, list[shapely.Geometry]] = defaultdict(list)
        unmatched, methods = [], {"code": 0, "name": 0}
        for feature in features:
            place, how = _place_of(feature, matcher)
            if place is None:
                unmatched.append((feature.label, how))
                continue
            methods[how] += 1
            shapes[place.village_id].append(feature.geometry)
        kept = set(shapes) & has_polygon if only_missing else set()
        stored = {village_id: geometries for village_id, geometries in shapes.items()
                  if village_id not in kept}
        _store(connection, stored, source, ctx.clock())
        _write_codes(connection, matcher)
    lookup.forget(ctx)
    with_polygon = has_polygon | set(stored)
    return ImportReport(
        source=source, features=len(features), by_code=methods["code"],
        by_name=methods["name"], stored=len(stored), kept=len(kept),
        codes_learned=len(matcher.village_codes),
        repaired=tuple(feature.label for feature in features if feature.repaired),
        unmatched=tuple(unmatched),
        without_polygon=tuple(sorted(place.label for place in places
                                     if place.village_id not in with_polygon)))


def _read(source: str | Path) -> tuple[str, str]:
    """The file's text and the name it is recorded under."""
    if isinstance(source, str) and source.lstrip("\ufeff \t\r\n").startswith(("{", "[")):
        return source.lstrip("\ufeff"), "GeoJSON"
    path = Path(source)
    try:
        return path.read_text(encoding="utf-8-sig"), path.name[:200]
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidationFailed({"file": Message("Berkas tidak dapat dibaca: {error}.",
                                                error=str(exc))}) from exc


def _place_of(feature: Feature, matcher: Matcher) -> tuple[PlaceRow | None, str]:
    if feature.geometry is None:
        return None, feature.problem
    return matcher.find(feature)


def _places(connection: Connection, region_code: str | None) -> list[PlaceRow]:
    """Every kelurahan/desa of the scope: one kab/kota, a province's, or all."""
    regions, districts, villages = Region.__table__, District.__table__, Village.__table__
    query = (select(villages.c.id, villages.c.name, villages.c.code, districts.c.id,
                    districts.c.name, districts.c.code, regions.c.code, regions.c.name)
             .join_from(villages, districts, districts.c.id == villages.c.district_id)
             .join(regions, regions.c.id == districts.c.region_id))
    if region_code is not None:
        if connection.scalar(select(regions.c.id).where(regions.c.code == region_code)) is None:
            raise NotFound(Message("Wilayah {region} belum terdaftar.", region=region_code))
        query = query.where(or_(regions.c.code == region_code,
                                regions.c.code.startswith(region_code + ".")))
    return [PlaceRow(*row) for row in connection.execute(query)]


def _store(connection: Connection, stored: dict[int, list], source: str, now) -> None:
    """Replace the polygons of ``stored``'s places: one DELETE per 500 ids, one
    multi-row INSERT."""
    if not stored:
        return
    ids = sorted(stored)
    geometries = np.array([shapes[0] if len(shapes) == 1 else shapely.union_all(shapes)
                           for shapes in (stored[village_id] for village_id in ids)])
    blobs = shapely.to_wkb(geometries, output_dimension=2)
    bounds = shapely.bounds(geometries).tolist()
    for start in range(0, len(ids), CHUNK):
        connection.execute(delete(BOUNDARIES).where(
            BOUNDARIES.c.village_id.in_(ids[start:start + CHUNK])))
    connection.execute(insert(BOUNDARIES), [
        {"village_id": village_id, "geometry": blob, "min_lon": box[0], "min_lat": box[1],
         "max_lon": box[2], "max_lat": box[3], "source": source, "imported_at": now}
        for village_id, blob, box in zip(ids, blobs, bounds, strict=True)])


def _write_codes(connection: Connection, matcher: Matcher) -> None:
    for table, codes in ((Village.__table__, matcher.village_codes),
                         (District.__table__, matcher.district_codes)):
        if codes:
            connection.execute(
                update(table).where(table.c.id == bindparam("row_id"))
                .values(code=bindparam("new_code")),
                [{"row_id": row_id, "new_code": code} for row_id, code in codes.items()])
