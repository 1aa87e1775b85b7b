"""Dashboard speed on the 1M-complaint database of ``bench/gen_complaints.py``.

In one run, for Provinsi Jawa Tengah and the year 2025, as its coordinator:

* **dashboard**: the overview, the league table and the first overdue page, each a
  full request through the Flask app in this process (service + template; the
  server time a user waits for, without the network), median of ``--rounds``; also
  the overview with the default period (the last 365 days, cut mid-month);
* **naive**: the same figures from a copy of ``complaints`` / ``complaint_events``
  without any index and without ``complaint_metrics``: the rows of the scope are
  read and every complaint's durations and SLA stages are worked out at request
  time (the stats job's own ``metrics_of``), then aggregated in Python; the overdue
  page is the same SQL on the unindexed copy. One round each (they are slow).

Then every SQL statement of one dashboard request is run again under
``EXPLAIN (ANALYZE, BUFFERS)``; ``--plans FILE`` writes them out.

Usage: ``.venv/bin/python bench/bench_dashboard.py [--rounds 7] [--plans FILE]``.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import time
from collections import Counter
from datetime import date, datetime

from gen_complaints import NOW  # the generator's "now" (bench/ is on sys.path)
from sqlalchemy import case, column, event, func, select, table, text
from sqlalchemy.engine import make_url

import lapor_bridge.db.all_models  # noqa: F401
import lapor_bridge.services.dashboards.overview as dashboard_service
from lapor_bridge.config import load_settings
from lapor_bridge.db.engine import make_engine, make_session_factory
from lapor_bridge.db.models import Agency, Complaint, ComplaintEvent, Region
from lapor_bridge.domain.calendar import WIB
from lapor_bridge.domain.dashboard import Compliance, percentile, share
from lapor_bridge.services.context import ServiceContext
from lapor_bridge.services.dashboards.refresh import RESPONSE_KINDS, SOURCE_COLUMNS, metrics_of

ADMIN_URL = os.environ.get(
    "LAPOR_BRIDGE_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
SCOPE = "periode=2025"
YEAR = (date(2025, 1, 1), date(2026, 1, 1))
PREVIOUS = (date(2024, 1, 1), date(2025, 1, 1))
PAGES = {"overview": f"/dasbor/?{SCOPE}", "league": f"/dasbor/peringkat?{SCOPE}",
         "overdue": "/dasbor/terlambat?urut=terlambat", "overview-365h": "/dasbor/"}
TARGETS = {"overview": 300, "league": 300, "overdue": 100, "overview-365h": 300}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--plans", help="write EXPLAIN (ANALYZE, BUFFERS) output here")
    args = parser.parse_args()
    url = make_url(ADMIN_URL).set(database="lapor_bench").render_as_string(hide_password=False)
    settings = load_settings(environ={}, overrides={"database.url": url,
                                                    "app.secret_key": "bench"})
    engine = make_engine(settings.database)
    ctx = ServiceContext(settings, make_session_factory(engine))
    ctx.clock = lambda: NOW
    _naive_copy(engine)
    client = _logged_in(ctx)
    with engine.connect() as connection:
        counts = connection.execute(text(
            "SELECT (SELECT count(*) FROM complaints), (SELECT count(*) FROM complaint_events),"
            " (SELECT count(*) FROM complaint_metrics)")).one()
    print(f"database: {counts[0]:,} complaints, {counts[1]:,} events, "
          f"{counts[2]:,} metrics rows; scope Provinsi Jawa Tengah, 2025")
    results = {}
    for name, path in PAGES.items():
        client.get(path)  # warm-up
        times = []
        for _ in range(args.rounds):
            started = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (path, response.status_code)
        results[name] = statistics.median(times)
    naive = {"overview": _timed(lambda: naive_overview(ctx)),
             "league": _timed(lambda: naive_league(ctx)),
             "overdue": _timed(lambda: naive_overdue(ctx))}
    print(f"{'page':14} {'dashboard ms':>13} {'naive ms':>10} {'target ms':>10}  reached")
    for name in PAGES:
        slow = f"{naive[name]:10.0f}" if name in naive else f"{'—':>10}"
        print(f"{name:14} {results[name]:13.1f} {slow} {TARGETS[name]:10}  "
              f"{'yes' if results[name] <= TARGETS[name] else 'NO'}")
    if args.plans:
        with open(args.plans, "w", encoding="utf-8") as handle:
            for name, path in PAGES.items():
                handle.write(f"#### {name}: GET {path}\n\n")
                for statement, plan in explain(engine, client, path):
                    handle.write(f"```\n{statement}\n\n{plan}\n```\n\n")
        print(f"plans written to {args.plans}")


def _timed(work) -> float:
    started = time.perf_counter()
    work()
    return (time.perf_counter() - started) * 1000


def _logged_in(ctx: ServiceContext):
    from lapor_bridge.web import create_app

    app = create_app(context=ctx)
    client = app.test_client()
    page = client.get("/masuk").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    client.post("/masuk", data={"username": "koordinator.jateng", "password": "tegal-demo",
                                "csrf_token": token})
    return client


def _naive_copy(engine) -> None:
    """Unindexed copies of complaints and events (made once)."""
    with engine.begin() as connection:
        if connection.execute(text("SELECT to_regclass('naive_complaints')")).scalar():
            return
        started = time.perf_counter()
        connection.execute(text("CREATE TABLE naive_complaints AS SELECT * FROM complaints"))
        connection.execute(text(
            "CREATE TABLE naive_events AS SELECT * FROM complaint_events"))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE naive_complaints"))
        connection.execute(text("VACUUM ANALYZE naive_events"))
    print(f"naive copies made in {time.perf_counter() - started:.1f} s")


def _naive(model):
    """The same columns, on the unindexed copy."""
    columns = [column(c.name, c.type) for c in model.__table__.columns]
    return table(f"naive_{'complaints' if model is Complaint else 'events'}", *columns)


def naive_rows(ctx: ServiceContext, period) -> list[dict]:
    """Every complaint of Jawa Tengah received in ``period``, worked out at request time."""
    complaints, events = _naive(Complaint).c, _naive(ComplaintEvent).c
    columns = [complaints[c.key] if getattr(c, "class_", None) is Complaint else c
               for c in SOURCE_COLUMNS]
    province = select(Region.id).where(Region.parent_id == select(Region.id).where(
        Region.code == "33").scalar_subquery())
    now = ctx.clock()
    with ctx.read() as session:
        rows = session.execute(
            select(*columns).join(Agency, Agency.id == complaints.agency_id)
            .where(complaints.region_id.in_(province),
                   complaints.created_at >= _moment(period[0]),
                   complaints.created_at < _moment(period[1]))).all()
        history = {row.complaint_id: row for row in session.execute(
            select(events.complaint_id,
                   func.min(case((events.kind.in_(RESPONSE_KINDS), events.created_at)))
                   .label("first_response"),
                   func.max(case((events.kind == "transferred", 1), else_=0)).label("rerouted"),
                   func.max(case((events.kind == "triage", 1), else_=0)).label("triaged"))
            .where(events.complaint_id.in_(
                select(complaints.id).where(complaints.region_id.in_(province),
                                            complaints.created_at >= _moment(period[0]),
                                            complaints.created_at < _moment(period[1]))))
            .group_by(events.complaint_id))}
    return [metrics_of(ctx, row, history.get(row.id), now) for row in rows]


def _moment(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=WIB)


def naive_overview(ctx: ServiceContext) -> dict:
    """The overview's figures from raw rows."""
    rows, now = naive_rows(ctx, YEAR), ctx.clock()
    first = [r["first_response_days"] for r in rows if r["first_response_days"] is not None]
    done = [r["resolution_days"] for r in rows if r["resolution_days"] is not None]
    stages = {prefix: Compliance(
        sum(1 for r in rows if r[f"{prefix}_met"]),
        sum(1 for r in rows if r[f"{prefix}_met"] is not None or (
            r[f"{prefix}_due_at"] is not None and r[f"{prefix}_due_at"] < now)))
        for prefix in ("dispose", "response", "completion")}
    return {
        "received": len(rows), "resolved": sum(r["resolved"] for r in rows),
        "open": sum(r["is_open"] for r in rows),
        "first": (percentile(first, 0.5), percentile(first, 0.9)),
        "resolution": (percentile(done, 0.5), percentile(done, 0.9)),
        "rerouted": share(sum(r["rerouted"] for r in rows), len(rows)), "stages": stages,
        "weeks": Counter(r["received_on"].isocalendar()[1] for r in rows),
        "categories": Counter(r["category"] for r in rows).most_common(8),
    }


def naive_league(ctx: ServiceContext) -> dict:
    """Per agency: volume, compliance and median resolution, this year and the one before."""
    tables = {}
    for period in (YEAR, PREVIOUS):
        groups: dict[int, list[dict]] = {}
        for row in naive_rows(ctx, period):
            groups.setdefault(row["agency_id"], []).append(row)
        tables[period] = {agency: (len(rows), percentile(
            [r["resolution_days"] for r in rows if r["resolution_days"] is not None], 0.5))
            for agency, rows in groups.items()}
    return tables


def naive_overdue(ctx: ServiceContext) -> list:
    """The first overdue page and its count, on the unindexed copy."""
    complaints = _naive(Complaint).c
    province = select(Region.id).where(Region.parent_id == select(Region.id).where(
        Region.code == "33").scalar_subquery())
    where = (complaints.region_id.in_(province),
             complaints.status.not_in(["resolved", "auto_closed", "archived", "rejected",
                                       "waiting_reporter"]),
             complaints.sla_due_at < ctx.clock())
    with ctx.read() as session:
        session.scalar(select(func.count()).where(*where))
        return session.execute(
            select(complaints.tracking_number, complaints.title, Agency.name, Region.name)
            .join(Agency, Agency.id == complaints.agency_id)
            .join(Region, Region.id == complaints.region_id)
            .where(*where).order_by(complaints.sla_due_at, complaints.id).limit(50)).all()


def explain(engine, client, path: str) -> list[tuple[str, str]]:
    """Each statement one request runs (the dashboard's own), with its analysed plan."""
    seen: list[tuple[str, object]] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT") and "users" not in statement:
            seen.append((statement, parameters))

    def record_cells(session, statement):  # the cells go over a raw binary cursor
        compiled = statement.compile(dialect=engine.dialect,
                                     compile_kwargs={"render_postcompile": True})
        seen.append((str(compiled), compiled.params))
        return original(session, statement)

    original = dashboard_service.fetch_rows
    event.listen(engine, "before_cursor_execute", record)
    dashboard_service.fetch_rows = record_cells
    try:
        client.get(path)
    finally:
        event.remove(engine, "before_cursor_execute", record)
        dashboard_service.fetch_rows = original
    plans = []
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("SET work_mem = '64MB'")
        for statement, parameters in seen:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {statement}", parameters)
            plans.append((statement, "\n".join(row[0] for row in cursor.fetchall())))
        raw.rollback()
    finally:
        raw.close()
    return plans


if __name__ == "__main__":
    main()
