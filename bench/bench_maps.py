"""Map GeoJSON for a city-sized bbox on 1M complaints in PostgreSQL (issue 18, "Maps").

Builds ``lapor_bench_maps`` (dropped and recreated through ADMIN_URL), migrates it,
seeds the demo, then COPYs N complaints at points scattered around the 35 kab/kota of
Jawa Tengah (normal spread, 0.12° for a kabupaten, 0.04° for a kota; 20% anonim, 10%
rahasia, a third closed). Then, ``--rounds`` times each, a page of 500 features of the
Kota Semarang box (≈ 22 × 18 km):

- ``public endpoint``: ``GET /peta/laporan.geojson`` through the Flask app (snapping,
  anonim centroids, JSON) — first page and a page deep in the box (``after``);
- ``officer service``: ``officer_points`` for one agency's open complaints;
- ``baseline``: the public layer's bare SQL through psycopg, rows dumped with ``json``.

Prints median and p95 in ms, and the EXPLAIN of the public query (must use
``ix_complaints_lon_lat_id``, no ``Seq Scan on complaints``).

Usage: ``.venv/bin/python bench/bench_maps.py [--count 1000000] [--rounds 30] [--keep]``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import time
from datetime import UTC, datetime, timedelta

import psycopg
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

import lapor_bridge.db.all_models  # noqa: F401
from lapor_bridge.config import load_settings
from lapor_bridge.db.engine import make_engine, make_session_factory
from lapor_bridge.db.migrate import upgrade_to_head
from lapor_bridge.db.models import Agency, Region
from lapor_bridge.services.accounts import Principal
from lapor_bridge.services.context import ServiceContext
from lapor_bridge.services.places.map_data import officer_points, parse_bbox
from lapor_bridge.services.seed import seed_demo

ADMIN_URL = os.environ.get(
    "LAPOR_BRIDGE_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
DATABASE = "lapor_bench_maps"
SEMARANG_BOX = "110.32,-7.08,110.52,-6.92"
# Approximate centres (lat, lon) of Jawa Tengah's 29 kabupaten and 6 kota.
KABUPATEN = [
    (-7.72, 109.00), (-7.45, 109.17), (-7.39, 109.36), (-7.40, 109.68), (-7.67, 109.65),
    (-7.71, 110.01), (-7.36, 109.90), (-7.50, 110.22), (-7.53, 110.60), (-7.70, 110.60),
    (-7.68, 110.84), (-7.81, 110.92), (-7.60, 110.95), (-7.43, 111.02), (-7.09, 110.92),
    (-6.97, 111.42), (-6.71, 111.34), (-6.75, 111.04), (-6.80, 110.84), (-6.59, 110.67),
    (-6.89, 110.64), (-7.14, 110.40), (-7.32, 110.17), (-6.92, 110.20), (-6.91, 109.73),
    (-7.03, 109.60), (-6.89, 109.38), (-6.98, 109.14), (-6.87, 109.04)]
KOTA = [(-7.48, 110.22), (-7.57, 110.82), (-7.33, 110.50), (-7.00, 110.42),
        (-6.89, 109.67), (-6.87, 109.13)]
STATUSES = ["submitted", "disposed", "in_progress", "responded", "resolved", "auto_closed"]
COLUMNS = ("tracking_number", "reporter_key_hash", "region_id", "title", "description",
           "channel", "lat", "lon", "is_anonymous", "is_secret", "agency_id", "category",
           "status", "created_at", "updated_at", "version", "pauses", "escalation_level",
           "sla_due_at")


def build(count: int) -> str:
    """A fresh, migrated, demo-seeded database with ``count`` complaints; its URL."""
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{DATABASE}"'))
    admin.dispose()
    url = make_url(ADMIN_URL).set(database=DATABASE).render_as_string(hide_password=False)
    ctx = context(url)
    upgrade_to_head(ctx.engine)
    seed_demo(ctx)
    with ctx.read() as session:
        region_id = session.scalar(select(Region.id).where(Region.code == "33.76"))
        agencies = list(session.scalars(select(Agency.id).where(Agency.region_id == region_id)))
    chance = random.Random(18)
    now = datetime(2026, 1, 15, 3, tzinfo=UTC)
    centres = [(lat, lon, 0.12) for lat, lon in KABUPATEN] + [(lat, lon, 0.04)
                                                             for lat, lon in KOTA]
    started = time.perf_counter()
    bare_url = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    copy_sql = f"COPY complaints ({', '.join(COLUMNS)}) FROM STDIN"
    with (psycopg.connect(bare_url) as connection, connection.cursor() as cursor,
          cursor.copy(copy_sql) as copy):
        for number in range(count):
            lat, lon, spread = chance.choice(centres)
            created = now - timedelta(minutes=chance.randrange(0, 3 * 365 * 24 * 60))
            copy.write_row((
                f"BM{number:09d}", "0" * 64, region_id, "Jalan rusak", "Lubang di jalan",
                "web", round(chance.gauss(lat, spread), 6),
                round(chance.gauss(lon, spread * 1.2), 6), chance.random() < 0.2,
                chance.random() < 0.1, chance.choice(agencies), "jalan",
                chance.choice(STATUSES), created, created, 1, "[]", 0,
                created + timedelta(days=chance.randrange(3, 20))))
    with psycopg.connect(bare_url, autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE complaints")  # what autovacuum does after a load
    print(f"generated {count:,} complaints in {time.perf_counter() - started:.1f} s")
    return url


def context(url: str) -> ServiceContext:
    """A service context on ``url`` (no classifier: maps do not need it)."""
    settings = load_settings(environ={}, overrides={
        "database.url": url, "app.secret_key": "bench", "app.upload_dir": "/tmp/bench-up"})
    return ServiceContext(settings, make_session_factory(make_engine(settings.database)))


def timed(rounds: int, work) -> tuple[float, float, int]:
    """Median and p95 in ms of ``work()`` over ``rounds`` (after one warm-up), and the
    size of the last result."""
    size = work()
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        size = work()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.95))], size


def public_sql(box) -> tuple[str, dict]:
    """The public layer's non-anonymous query as bare SQL, on the same snapped box."""
    return ("SELECT id, lat, lon, category, status, is_anonymous, village_id FROM complaints "
            "WHERE is_secret = false AND member_id IS NULL "
            "AND status NOT IN ('archived', 'rejected') AND id > %(after)s "
            "AND is_anonymous = false AND lon >= %(lon0)s AND lon < %(lon1)s "
            "AND lat >= %(lat0)s AND lat < %(lat1)s ORDER BY id + 0 LIMIT 500",
            {"lon0": box.min_lon - 0.0005, "lon1": box.max_lon + 0.0005,
             "lat0": box.min_lat - 0.0005, "lat1": box.max_lat + 0.0005})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--reuse", action="store_true", help="keep an existing database")
    parser.add_argument("--keep", action="store_true", help="do not drop it afterwards")
    args = parser.parse_args()
    url = (make_url(ADMIN_URL).set(database=DATABASE).render_as_string(hide_password=False)
           if args.reuse else build(args.count))
    ctx = context(url)
    from lapor_bridge.web import create_app

    client = create_app(context=ctx).test_client()
    box = parse_bbox(SEMARANG_BOX)
    sql, parameters = public_sql(box)
    bare_url = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(bare_url) as connection:
        inside = connection.execute(
            "SELECT count(*) FROM complaints WHERE lon BETWEEN %(lon0)s AND %(lon1)s "
            "AND lat BETWEEN %(lat0)s AND %(lat1)s", parameters).fetchone()[0]
        middle = connection.execute(
            "SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY id) FROM complaints WHERE "
            "lon BETWEEN %(lon0)s AND %(lon1)s AND lat BETWEEN %(lat0)s AND %(lat1)s",
            parameters).fetchone()[0]
        total = connection.execute("SELECT count(*) FROM complaints").fetchone()[0]
        print(f"{total:,} complaints; {inside:,} in the Kota Semarang box {SEMARANG_BOX}")

        def endpoint(after):
            def work():
                response = client.get(f"/peta/laporan.geojson?bbox={SEMARANG_BOX}"
                                      f"&limit=500&after={after}")
                assert response.status_code == 200
                return len(response.get_json()["features"])
            return work

        def bare(after):
            def work():
                rows = connection.execute(sql, parameters | {"after": after}).fetchall()
                json.dumps([list(row) for row in rows])
                return len(rows)
            return work

        officer = Principal(None, "bench", "Bench", "officer", 1, None)
        rows = [
            ("public endpoint, first page", endpoint(0)),
            ("public endpoint, page at the middle id", endpoint(middle)),
            ("officer service (one agency, open)",
             lambda: len(officer_points(ctx, officer, box, 500).features)),
            ("baseline: bare SQL + json, first page", bare(0)),
            ("baseline: bare SQL + json, middle page", bare(middle)),
        ]
        print(f"{'measure':46} {'median ms':>10} {'p95 ms':>8} {'features':>9}")
        for name, work in rows:
            median, p95, size = timed(args.rounds, work)
            print(f"{name:46} {median:10.1f} {p95:8.1f} {size:9}")
        plan = [row[0] for row in connection.execute(
            "EXPLAIN (ANALYZE, BUFFERS) " + sql, parameters | {"after": 0}).fetchall()]
        print("\nEXPLAIN ANALYZE (public layer, first page):\n  " + "\n  ".join(plan))
        text_plan = "\n".join(plan)
        assert "ix_complaints_lon_lat_id" in text_plan, "the map index is not used"
        assert "Seq Scan on complaints" not in text_plan, "a sequential scan"
    ctx.engine.dispose()
    if not args.keep:
        admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
