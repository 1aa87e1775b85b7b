"""Places: point → kelurahan look-ups and boundary imports, each beside a baseline.

* **locate**: a synthetic kabupaten of 300 desa (Voronoi cells, edges cut into 50–200
  vertices and bent by a smooth noise field that moves shared vertices alike, so that
  neighbours keep common borders) imported through ``import_boundaries`` into SQLite;
  then ``locate()`` as shipped (coordinate checks, cache check, STRtree query with the
  point prepared, border rule) for 20,000 random points of the kabupaten, one call at a
  time: median and p95. Baseline in the same run: the simplest correct full-speed
  look-up, ``shapely.intersects_xy`` over all 300 prepared polygons (vectorised), first
  hit in the same rank order; both must give the same answer for every point. The
  import part repeats this on the province's 8,500 polygons (5,000 points).
* **import**: a synthetic province of ``--desa`` desa (35 kab/kota, ~16 kecamatan each,
  same generator) whose places exist without codes, so every feature is matched by
  kecamatan and name and its code learned — the slowest path — through
  ``import_boundaries`` (file read, checks, repair check, matching, WKB, writes), wall
  time on SQLite and PostgreSQL. Baseline in the same run: a bare driver ``executemany``
  INSERT of the same rows (WKB already made) into the same table.

Usage: ``.venv/bin/python bench/bench_places.py [--part locate|import|all] [--desa 8500]``.
PostgreSQL from ``LAPOR_BRIDGE_TEST_PG_URL`` (a database is created and dropped).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import shapely
from sqlalchemy import create_engine, delete, insert, text
from sqlalchemy.engine import make_url

import lapor_bridge.db.all_models  # noqa: F401
from lapor_bridge.config import load_settings
from lapor_bridge.db.engine import make_engine, make_session_factory
from lapor_bridge.db.migrate import upgrade_to_head
from lapor_bridge.db.models import District, Region, Village
from lapor_bridge.db.models_places import VillageBoundary
from lapor_bridge.services.context import ServiceContext
from lapor_bridge.services.places.boundaries import import_boundaries
from lapor_bridge.services.places.lookup import boundary_cache, locate

ADMIN_URL = os.environ.get("LAPOR_BRIDGE_TEST_PG_URL",
                           "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
KABUPATEN = (109.0, -7.3, 109.5, -6.9)    # ~55 × 44 km
PROVINCE = (108.5, -8.0, 111.5, -6.5)
REGIONS = 35


def cells(count: int, area: tuple[float, float, float, float], seed: int) -> list:
    """``count`` desa-like polygons tiling ``area``: 50–200 vertices, shared borders."""
    rng = np.random.default_rng(seed)
    west, south, east, north = area
    points = shapely.points(rng.uniform(west, east, count), rng.uniform(south, north, count))
    frame = shapely.box(*area)
    voronoi = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(points),
                                                         extend_to=frame))
    clipped = shapely.intersection(voronoi, frame)
    side = np.sqrt((east - west) * (north - south) / count)
    bent = shapely.transform(shapely.segmentize(clipped, side / 25), _bend(side))
    return [shapely.make_valid(cell) if not cell.is_valid else cell for cell in bent]


def _bend(side: float):
    amplitude = side / 120

    def move(xy: np.ndarray) -> np.ndarray:
        x, y = xy[:, 0], xy[:, 1]
        return np.column_stack([
            x + amplitude * np.sin(x * 2900 + np.cos(y * 1700)),
            y + amplitude * np.sin(y * 3100 + np.cos(x * 2300))])
    return move


def province_layout(polygons: list, regions: int) -> list[tuple[int, int, int]]:
    """(region, kecamatan, desa) numbers: regions by longitude bands, kecamatan of ~15."""
    order = np.argsort([polygon.centroid.x for polygon in polygons], kind="stable")
    per_region = int(np.ceil(len(polygons) / regions))
    layout = [None] * len(polygons)
    for rank, index in enumerate(order):
        region, within = divmod(rank, per_region)
        layout[index] = (region + 1, within // 15 + 1, within % 15 + 1)
    return layout


def database(kind: str, workdir: Path):
    """A fresh, migrated database; yields its ServiceContext (dropped afterwards)."""
    if kind == "sqlite":
        url = f"sqlite:///{workdir / f'places-{uuid.uuid4().hex[:6]}.db'}"
        admin = None
    else:
        name = f"lapor_bench_places_{uuid.uuid4().hex[:8]}"
        admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    settings = load_settings(environ={}, overrides={"database.url": url})
    engine = make_engine(settings.database)
    upgrade_to_head(engine)
    try:
        yield ServiceContext(settings, make_session_factory(engine))
    finally:
        engine.dispose()
        if admin is not None:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


def add_places(ctx, layout) -> None:
    """Province 99, its kab/kota 99.RR, kecamatan and desa (names only, no codes)."""
    with ctx.engine.begin() as connection:
        connection.execute(insert(Region.__table__), [
            {"id": 1, "code": "99", "name": "Provinsi Uji", "kind": "provinsi"}] + [
            {"id": 1 + region, "code": f"99.{region:02d}", "name": f"Kabupaten Uji {region}",
             "kind": "kabupaten", "parent_id": 1} for region in range(1, REGIONS + 1)])
        districts = sorted({(region, kecamatan) for region, kecamatan, _ in layout})
        district_ids = {key: n for n, key in enumerate(districts, start=1)}
        connection.execute(insert(District.__table__), [
            {"id": district_ids[key], "region_id": 1 + key[0], "name": f"Kecamatan {key[1]}"}
            for key in districts])
        connection.execute(insert(Village.__table__), [
            {"id": n, "district_id": district_ids[region, kecamatan], "name": f"Desa {desa}"}
            for n, (region, kecamatan, desa) in enumerate(layout, start=1)])


def geojson(polygons, layout) -> str:
    """The BIG-style FeatureCollection of the polygons."""
    features = [{"type": "Feature", "properties": {
        "KDEPUM": f"99.{region:02d}.{kecamatan:02d}.2{desa:03d}", "WADMKD": f"Desa {desa}",
        "WADMKC": f"Kecamatan {kecamatan}"},
        "geometry": json.loads(shapely.to_geojson(polygon))}
        for polygon, (region, kecamatan, desa) in zip(polygons, layout, strict=True)]
    return json.dumps({"type": "FeatureCollection", "features": features})


def vertices(polygons) -> str:
    counts = shapely.get_num_coordinates(np.array(polygons))
    outside = int(np.sum((counts < 50) | (counts > 200)))
    return (f"vertices per polygon: min {counts.min()}, median {int(np.median(counts))}, "
            f"max {counts.max()} ({outside} of {len(counts)} outside 50–200)")


def bench_locate(workdir: Path, points: int) -> None:
    polygons = cells(300, KABUPATEN, seed=7)
    layout = [(1, n // 15 + 1, n % 15 + 1) for n in range(len(polygons))]
    print(f"locate: 300 desa; {vertices(polygons)}")
    for ctx in database("sqlite", workdir):
        add_places(ctx, layout)
        report = import_boundaries(ctx, geojson(polygons, layout))
        assert report.stored == 300, report
        measure_locate(ctx, KABUPATEN, points)


def measure_locate(ctx, area, points: int) -> None:
    """``locate()`` as shipped beside the vectorised all-polygons baseline."""
    started = time.perf_counter()
    index = boundary_cache(ctx).index(ctx.engine)
    print(f"  index of {len(index.places)} polygons built from the database in "
          f"{time.perf_counter() - started:.3f} s")
    rng = np.random.default_rng(11)
    west, south, east, north = area
    lons = rng.uniform(west + 0.001, east - 0.001, points)
    lats = rng.uniform(south + 0.001, north - 0.001, points)
    prepared = shapely.from_wkb(shapely.to_wkb(index.polygons))   # same order (rank)
    shapely.prepare(prepared)

    def baseline(lat, lon):
        hits = np.flatnonzero(shapely.intersects_xy(prepared, lon, lat))
        return index.places[hits[0]] if len(hits) else None

    shipped = [timed(lambda a=lat, b=lon: locate(ctx, a, b))
               for lat, lon in zip(lats, lons, strict=True)]
    simple = [timed(lambda a=lat, b=lon: baseline(a, b))
              for lat, lon in zip(lats, lons, strict=True)]
    assert [found for found, _ in shipped] == [found for found, _ in simple]
    for name, runs in (("locate() as shipped", shipped),
                       (f"baseline intersects_xy over all {len(prepared)}", simple)):
        times = sorted(seconds for _, seconds in runs)
        print(f"  {name}: median {statistics.median(times) * 1000:.4f} ms, "
              f"p95 {times[int(len(times) * 0.95)] * 1000:.4f} ms ({len(times)} points)")


def timed(call):
    started = time.perf_counter()
    result = call()
    return result, time.perf_counter() - started


def bench_import(workdir: Path, desa: int, kinds: list[str]) -> None:
    polygons = cells(desa, PROVINCE, seed=3)
    layout = province_layout(polygons, REGIONS)
    text_ = geojson(polygons, layout)
    print(f"import: {desa} desa in {REGIONS} kab/kota; file {len(text_) / 1e6:.1f} MB; "
          f"{vertices(polygons)}")
    for kind in kinds:
        for ctx in database(kind, workdir):
            add_places(ctx, layout)
            path = workdir / "provinsi.geojson"
            path.write_text(text_, encoding="utf-8")
            started = time.perf_counter()
            report = import_boundaries(ctx, path)
            seconds = time.perf_counter() - started
            assert report.stored == desa and report.codes_learned == desa, report
            rows = bare_rows(polygons)
            with ctx.engine.begin() as connection:
                connection.execute(delete(VillageBoundary.__table__))
            started = time.perf_counter()
            bare_insert(ctx, rows)
            bare = time.perf_counter() - started
            print(f"  {kind}: import_boundaries {seconds:.1f} s (target ≤ 60 s); "
                  f"baseline bare executemany INSERT of the same rows {bare:.1f} s")
            if kind == "sqlite":
                measure_locate(ctx, PROVINCE, 5000)


def bare_rows(polygons) -> list[tuple]:
    blobs = shapely.to_wkb(np.array(polygons), output_dimension=2)
    bounds = shapely.bounds(np.array(polygons)).tolist()
    now = datetime.now(UTC)
    return [(n, blob, *box, "provinsi.geojson", now)
            for n, (blob, box) in enumerate(zip(blobs, bounds, strict=True), start=1)]


def bare_insert(ctx, rows) -> None:
    """The driver's executemany, no SQLAlchemy statement building or type processing."""
    connection = ctx.engine.raw_connection()
    try:
        cursor = connection.cursor()
        marker = "?" if ctx.engine.dialect.name == "sqlite" else "%s"
        stamped = rows if marker == "%s" else [(*row[:-1], row[-1].isoformat(" "))
                                               for row in rows]
        cursor.executemany(
            "INSERT INTO village_boundaries (village_id, geometry, min_lon, min_lat, max_lon, "
            f"max_lat, source, imported_at) VALUES ({', '.join([marker] * 8)})", stamped)
        connection.commit()
    finally:
        connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--part", choices=("locate", "import", "all"), default="all")
    parser.add_argument("--desa", type=int, default=8500)
    parser.add_argument("--points", type=int, default=20_000)
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    args = parser.parse_args()
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    with tempfile.TemporaryDirectory() as workdir:
        if args.part in ("locate", "all"):
            bench_locate(Path(workdir), args.points)
        if args.part in ("import", "all"):
            bench_import(Path(workdir), args.desa, kinds)


if __name__ == "__main__":
    main()
