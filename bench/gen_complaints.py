"""Generate N complaints with their histories into a dedicated PostgreSQL database.

Builds the database ``lapor_bench`` (dropped and recreated) through ADMIN_URL,
migrates it, seeds the demo, adds the 35 kabupaten/kota of Jawa Tengah (BPS codes
33.01–33.29, 33.71–33.76) and 10 of Jawa Timur, each with the demo's eleven
agencies, then writes complaints spread over 2023–2025 (working days busier, holidays
respected) with the lives the demo history gives them: disposition or triage,
transfers, follow-ups, resolution. Rows go in with ``COPY``, two processes in
parallel, each computing the metrics rows of what it wrote with the stats job's own
``refresh_rows``; then the watermark is set and the incremental job runs once.

Usage: ``.venv/bin/python bench/gen_complaints.py [--count 1000000] [--admin-url URL]``.
Prints the database URL and the time of each step. ``--cells-only`` instead brings an
existing ``lapor_bench`` to the head migration and rebuilds its ``complaint_cells``
from its metrics rows (what a fresh run builds along the way).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import create_engine, func, insert, literal, select, text
from sqlalchemy.engine import make_url

import lapor_bridge.db.all_models  # noqa: F401
from lapor_bridge.config import load_settings
from lapor_bridge.db.engine import make_engine, make_session_factory
from lapor_bridge.db.migrate import upgrade_to_head
from lapor_bridge.db.models import Agency, Complaint, Region, UtcDateTime
from lapor_bridge.db.models_stats import ComplaintMetrics, StatsWatermark
from lapor_bridge.demo_neighbours import agencies as agencies_of
from lapor_bridge.services.context import ServiceContext
from lapor_bridge.services.dashboards.cells import month_of, rebuild_cells
from lapor_bridge.services.dashboards.refresh import WATERMARK, refresh_rows
from lapor_bridge.services.demo_history import build_rows, plan_day, response_shape
from lapor_bridge.services.seed import seed_demo
from lapor_bridge.services.sla_clock import working_calendar

ADMIN_URL = os.environ.get(
    "LAPOR_BRIDGE_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
DATABASE = "lapor_bench"
FIRST_DAY, LAST_DAY = date(2023, 1, 1), date(2025, 12, 31)
NOW = datetime(2026, 1, 15, 3, tzinfo=UTC)
JATENG = [f"33.{n:02d}" for n in range(1, 30)] + [f"33.{n}" for n in range(71, 77)]
JATIM = [f"35.{n:02d}" for n in range(1, 11)]
COMPLAINT_COLUMNS = (
    "id", "tracking_number", "reporter_key_hash", "region_id", "title", "description",
    "channel", "district_id", "village_id", "is_anonymous", "is_secret", "predicted_agency_id",
    "confidence", "model_version", "agency_id", "category", "status", "created_at",
    "updated_at", "version", "claimed_by_id", "claimed_at", "disposed_at", "first_disposed_at",
    "first_response_at", "last_response_at", "closed_at", "pauses", "escalation_level",
    "sla_stage", "sla_due_at")
EVENT_COLUMNS = ("complaint_id", "kind", "actor_type", "from_status", "to_status", "agency_id",
                 "created_at", "actor_id", "actor_label", "is_internal", "note")


class Place:
    """What ``plan_day``/``build_rows`` need of a region (picklable)."""

    def __init__(self, region_id: int, agencies: dict[str, tuple[int, str]]) -> None:
        self.region = _Id(region_id)
        self.agencies = {code: _Agency(agency_id, code) for code, (agency_id, _) in
                         agencies.items()}
        self.villages = [(None, None, "Kelurahan Uji", "Kecamatan Uji")]
        self.officers: dict[int, int] = {}


class _Id:
    def __init__(self, ident: int) -> None:
        self.id = ident


class _Agency(_Id):
    def __init__(self, ident: int, code: str) -> None:
        super().__init__(ident)
        self.code = code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--admin-url", default=ADMIN_URL)
    parser.add_argument("--cells-only", action="store_true",
                        help="migrate the existing database and rebuild its cells")
    args = parser.parse_args()
    url = make_url(args.admin_url).set(database=DATABASE).render_as_string(hide_password=False)
    started = time.perf_counter()
    if args.cells_only:
        rebuild_existing(url)
        print(f"total {time.perf_counter() - started:.1f} s")
        return
    places = prepare(args.admin_url, url)
    print(f"schema, demo and {len(places)} regions: {time.perf_counter() - started:.1f} s")
    days = [FIRST_DAY + timedelta(n) for n in range((LAST_DAY - FIRST_DAY).days + 1)]
    # plan_day yields about 0.76 x volume per region and day on average (weekends, holidays)
    volume = max(1, round(args.count / (len(days) * len(places) * 0.7576)))
    codes = sorted(places)
    halves = [codes[0::2], codes[1::2]]
    step = time.perf_counter()
    with ProcessPoolExecutor(2) as pool:
        written = list(pool.map(write_part, [url, url], [
            {code: places[code] for code in half} for half in halves],
            [days, days], [volume, volume], [0, 5_000_000]))
    complaints = sum(part[0] for part in written)
    events = sum(part[1] for part in written)
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text(
            "SELECT setval('complaints_id_seq', (SELECT max(id) FROM complaints))"))
    set_watermark(engine)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))
    print(f"{complaints:,} complaints, {events:,} events, their metrics rows (COPY, "
          f"2 processes): {time.perf_counter() - step:.1f} s, of which metrics "
          f"{sum(part[2] for part in written):.1f} s of process time")
    from lapor_bridge.jobs.stats import refresh_daily_stats

    ctx = _context(url)
    ctx.clock = lambda: NOW
    step = time.perf_counter()
    summary = refresh_daily_stats(ctx)
    print(f"incremental metrics job afterwards: {summary.refreshed:,} complaints re-read, "
          f"{time.perf_counter() - step:.1f} s")
    print(f"total {time.perf_counter() - started:.1f} s; database {make_url(url).database}")


def set_watermark(engine) -> None:
    """The stats watermark as if the job had just read everything, at NOW."""
    with engine.begin() as connection:
        connection.execute(StatsWatermark.__table__.delete())
        connection.execute(insert(StatsWatermark).from_select(
            ["name", "seen_until", "last_id", "refreshed_at"],
            select(literal(WATERMARK), func.max(Complaint.updated_at), func.max(Complaint.id),
                   literal(NOW, UtcDateTime()))))


def rebuild_existing(url: str) -> None:
    """Migrate an existing bench database to head and rebuild every cell."""
    ctx = _context(url)
    engine = ctx.session_factory.kw["bind"]
    upgrade_to_head(engine)
    step = time.perf_counter()
    m = ComplaintMetrics
    with ctx.transaction() as session:
        pairs = set()
        for region_id, first, last in session.execute(
                select(m.region_id, func.min(m.received_on),
                       func.max(func.coalesce(m.closed_on, m.received_on)))
                .group_by(m.region_id)):
            month = month_of(first)
            while month <= last:
                pairs.add((region_id, month))
                month = (month + timedelta(32)).replace(day=1)
        written = rebuild_cells(session, pairs)
    set_watermark(engine)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE complaint_cells"))
        connection.execute(text("VACUUM ANALYZE complaint_metrics"))
    print(f"{written:,} cells from {len(pairs):,} (kab/kota, month) pairs: "
          f"{time.perf_counter() - step:.1f} s")


def prepare(admin_url: str, url: str) -> dict[str, Place]:
    """Fresh database, schema, demo seed, and the bench regions with their agencies."""
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{DATABASE}"'))
    admin.dispose()
    ctx = _context(url)
    upgrade_to_head(ctx.session_factory.kw["bind"])
    seed_demo(ctx)
    places = {}
    with ctx.transaction() as session:
        for province_code, province_name, codes in (
                ("33", None, JATENG), ("35", "Provinsi Jawa Timur", JATIM)):
            province = session.scalar(select(Region).where(Region.code == province_code))
            if province is None:
                province = Region(code=province_code, name=province_name, kind="provinsi")
                session.add(province)
                session.flush()
            for code in codes:
                region = session.scalar(select(Region).where(Region.code == code))
                if region is None:
                    kind = "kota" if int(code[3:]) > 70 else "kabupaten"
                    region = Region(code=code, name=f"{kind.title()} uji {code}", kind=kind,
                                    parent_id=province.id)
                    session.add(region)
                    session.flush()
                existing = {a.code: a for a in session.scalars(
                    select(Agency).where(Agency.region_id == region.id))}
                for agency_code, name, is_triage in agencies_of(region.name):
                    if agency_code not in existing:
                        existing[agency_code] = Agency(region_id=region.id, code=agency_code,
                                                       name=name, is_triage=is_triage)
                        session.add(existing[agency_code])
                session.flush()
                places[code] = Place(region.id, {c: (a.id, a.name) for c, a in existing.items()})
    return places


def write_part(url: str, places: dict[str, Place], days: list[date], volume: int,
               first_id: int) -> tuple[int, int, float]:
    """Plan and COPY the complaints of some regions (ids after ``first_id``), then compute
    their metrics rows as the stats job does; return the counts and the metrics time."""
    ctx = _context(url)
    calendar = working_calendar(ctx.settings.sla.cuti_bersama)
    shape = response_shape()
    engine = ctx.session_factory.kw["bind"]
    next_id, events_written, metrics_seconds = first_id, 0, 0.0
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        for code, place in places.items():
            for start in range(0, len(days), 90):
                plans = [plan for day in days[start:start + 90]
                         for plan in plan_day(code, place, day, volume, calendar, shape, 2023)]
                built = build_rows(ctx, plans, place, NOW)
                complaints, events = [], []
                for offset, (row, history) in enumerate(built, 1):
                    row = dict(row, id=next_id + offset, pauses=json.dumps(row["pauses"]),
                               tracking_number=f"B{next_id + offset:07d}")
                    complaints.append(_line(row[column] for column in COMPLAINT_COLUMNS))
                    events += [_line(dict(event, complaint_id=next_id + offset)[column]
                                     for column in EVENT_COLUMNS) for event in history]
                for table, columns, lines in (("complaints", COMPLAINT_COLUMNS, complaints),
                                              ("complaint_events", EVENT_COLUMNS, events)):
                    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                        copy.write("".join(lines))
                events_written += len(events)
                raw.commit()
                clock = time.perf_counter()
                with ctx.transaction() as session:
                    refresh_rows(ctx, session, range(next_id + 1, next_id + len(built) + 1), NOW)
                metrics_seconds += time.perf_counter() - clock
                next_id += len(built)
    finally:
        raw.close()
    return next_id - first_id, events_written, metrics_seconds


def _line(values) -> str:
    """One row in COPY's text format."""
    return "\t".join(_text(value) for value in values) + "\n"


def _text(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def _context(url: str) -> ServiceContext:
    settings = load_settings(environ={}, overrides={"database.url": url})
    return ServiceContext(settings, make_session_factory(make_engine(settings.database)))


if __name__ == "__main__":
    main()
