"""The hot paths on 1,000,000 complaints against the same paths on a near-empty database.

Uses the dashboard engineer's generator (``gen_complaints.py``) into a database of its
own (``--database``, default ``lapor_ops_1m``; ``--generate`` builds it, otherwise an
existing one is reused), then gives every complaint its ``create`` outbox row (done;
the newest 500 pending) and its LAPOR! link, as a year of sync would. In one run, on
that database and on a freshly seeded small one, it times (median of ``--rounds``):
intake (``POST /api/v1/complaints``), the officer queue page, the public list and
one complaint, the ``/metrics`` scrape, the poller's due-link query and an outbox
claim. Every SQL statement those paths issue on the big database is EXPLAINed; a
sequential scan of a large table is reported by name.

Usage: ``.venv/bin/python bench/bench_million.py [--generate] [--count 1000000]
[--database lapor_ops_1m] [--rounds 25] [--drop]``.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from datetime import UTC, datetime

from bench_sync import own_database
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

import lapor_bridge.db.all_models  # noqa: F401
from lapor_bridge.config import load_settings
from lapor_bridge.db.engine import make_engine, make_session_factory
from lapor_bridge.db.migrate import upgrade_to_head
from lapor_bridge.services.context import ServiceContext
from lapor_bridge.services.seed import seed_demo

ADMIN_URL = os.environ.get("LAPOR_BRIDGE_TEST_PG_URL",
                           "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
BIG_TABLES = ("complaints", "complaint_events", "lapor_outbox", "lapor_links", "lapor_seen",
              "complaint_metrics", "notifications", "reporter_contacts", "attachments")
LARGE_ROWS = 10_000
COMPLAINT = {"title": "Air PDAM keruh", "kecamatan": "Tegal Barat", "kelurahan": "Kraton",
             "description": "Air PDAM di rumah kami keruh dan berbau sejak tiga hari yang lalu."}
SYNC_SHAPE = """
INSERT INTO lapor_outbox (complaint_id, kind, idempotency_key, payload, state, attempts,
                          next_attempt_at, lapor_ref, created_at, updated_at)
SELECT id, 'create', md5('bench' || id), '{}', 'done', 1, created_at, id::text, created_at,
       created_at FROM complaints WHERE NOT EXISTS (SELECT 1 FROM lapor_outbox);
UPDATE lapor_outbox SET state = 'pending', lapor_ref = NULL
 WHERE id IN (SELECT id FROM lapor_outbox ORDER BY id DESC LIMIT 500);
INSERT INTO lapor_links (complaint_id, lapor_id, origin, institution_id, lapor_status, closed,
                         next_poll_at, created_at)
SELECT id, 9000000 + id, 'push', 1001, 'Dalam Proses', status IN
       ('resolved', 'auto_closed', 'archived', 'rejected'), now() + interval '3 hours',
       created_at FROM complaints WHERE NOT EXISTS (SELECT 1 FROM lapor_links)
   AND id NOT IN (SELECT id FROM complaints ORDER BY id DESC LIMIT 500);
UPDATE lapor_links SET next_poll_at = now() - interval '1 minute'
 WHERE id IN (SELECT id FROM lapor_links WHERE NOT closed ORDER BY id DESC LIMIT 300);
"""


def generate(database: str, count: int) -> None:
    """Their generator, pointed at our database name."""
    import gen_complaints

    gen_complaints.DATABASE = database
    sys.argv = ["gen_complaints.py", "--count", str(count), "--admin-url", ADMIN_URL]
    gen_complaints.main()


def add_sync_shape(url: str) -> None:
    """Outbox rows and links for every complaint (skipped when already there)."""
    engine = create_engine(url)
    with engine.begin() as connection:
        for statement in SYNC_SHAPE.split(";"):
            if statement.strip():
                connection.execute(text(statement))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE lapor_outbox"))
        connection.execute(text("VACUUM ANALYZE lapor_links"))
    engine.dispose()


class Recorder:
    """The SQL statements an engine runs while ``on`` (with their parameters), those
    intake sends straight to the driver (``db.direct``) included."""

    def __init__(self, engine) -> None:
        from lapor_bridge.services.intake import store as intake_store

        self.on, self.statements = False, []
        event.listen(engine, "before_cursor_execute", self._record)
        direct = intake_store.run_autocommit

        def recorded(engine_, statement, values):
            self._record(None, None, statement.sql, statement.parameters(values), None, False)
            return direct(engine_, statement, values)

        intake_store.run_autocommit = recorded

    def _record(self, _conn, _cursor, statement, parameters, _context, executemany):
        if self.on and not executemany and statement.lstrip().upper().startswith(
                ("SELECT", "UPDATE", "DELETE", "WITH")):
            self.statements.append((statement, parameters))


def paths(ctx: ServiceContext):
    """name → a callable doing one request of that path (the client logged in as needed)."""
    from lapor_bridge.services.sync.poll import _due_links
    from lapor_bridge.services.sync.push import claim_batch
    from lapor_bridge.web import create_app, limiter

    app = create_app(context=ctx)
    limiter.enabled = False
    public, officer = app.test_client(), app.test_client()
    page = officer.get("/masuk").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    officer.post("/masuk", data={"username": "petugas.pupr", "password": "tegal-demo",
                                 "csrf_token": token})
    number = public.post("/api/v1/complaints", json=COMPLAINT).get_json()["tracking_number"]

    def ok(response, status=200):
        assert response.status_code == status, response.status_code
        return response

    return {
        "intake POST /api/v1/complaints":
            lambda: ok(public.post("/api/v1/complaints", json=COMPLAINT), 201),
        "officer queue /petugas/": lambda: ok(officer.get("/petugas/")),
        "public list /api/v1/complaints": lambda: ok(public.get("/api/v1/complaints?limit=20")),
        "one complaint /api/v1/complaints/<n>":
            lambda: ok(public.get(f"/api/v1/complaints/{number}")),
        "scrape /metrics": lambda: ok(public.get("/metrics")),
        "poller: due links (100)": lambda: _due_links(ctx, datetime.now(UTC), 100, False, 0),
        "outbox claim (100)": lambda: claim_batch(ctx, 100),
    }


def timed(ctx: ServiceContext, rounds: int, recorder: Recorder | None = None) -> dict:
    """Median milliseconds per path; with a recorder, the statements of one round."""
    figures = {}
    for name, work in paths(ctx).items():
        work()  # warm-up
        times = []
        for round_ in range(rounds):
            if recorder is not None:
                recorder.on = round_ == 0
            started = time.perf_counter()
            work()
            times.append((time.perf_counter() - started) * 1000)
            if recorder is not None:
                recorder.on = False
        figures[name] = statistics.median(times)
    return figures


def seq_scans(engine, statements) -> list[str]:
    """Large tables (of ``BIG_TABLES``, with at least ``LARGE_ROWS`` rows here: on an
    empty one a sequential scan is the right plan) that any of the statements reads with
    a sequential scan."""
    found = set()
    with engine.connect() as connection:
        large = {name for name, rows in connection.exec_driver_sql(
            "SELECT relname, reltuples FROM pg_class WHERE relname = ANY(%(names)s)",
            {"names": list(BIG_TABLES)}) if rows >= LARGE_ROWS}
        for statement, parameters in statements:
            plan = connection.exec_driver_sql(f"EXPLAIN {statement}", parameters).all()
            for (row,) in plan:
                match = re.search(r"Seq Scan on (\w+)", row)
                if match and match.group(1) in large:
                    found.add(f"{match.group(1)}: {statement.split()[0:6]}")
        connection.rollback()
    return sorted(found)


def context(url: str) -> ServiceContext:
    """A service context (starter model, high limits) on ``url``."""
    from classifiers.model import load_model, train_starter

    model_dir = os.path.join(os.environ.get("TMPDIR", "/tmp"), "bench-million-model")
    if not os.path.exists(os.path.join(model_dir, "manifest.json")):
        train_starter(model_dir)
    settings = load_settings(environ={}, overrides={
        "database.url": url, "app.secret_key": "bench", "app.upload_dir": "/tmp/bench-up",
        "app.intake_rate_limit": "1000000 per minute"})
    engine = make_engine(settings.database)
    from pathlib import Path

    return ServiceContext(settings, make_session_factory(engine), load_model(Path(model_dir)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--generate", action="store_true")
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--database", default="lapor_ops_1m")
    parser.add_argument("--rounds", type=int, default=25)
    parser.add_argument("--drop", action="store_true", help="drop the big database afterwards")
    args = parser.parse_args()
    assert args.database != "lapor_bench", "lapor_bench belongs to bench_dashboard.py"
    big_url = make_url(ADMIN_URL).set(database=args.database).render_as_string(
        hide_password=False)
    if args.generate:
        generate(args.database, args.count)
    add_sync_shape(big_url)
    big = context(big_url)
    engine = big.session_factory.kw["bind"]
    upgrade_to_head(engine)  # a database generated before a migration gets its indexes
    with engine.connect() as connection:
        sizes = connection.execute(text(
            "SELECT (SELECT count(*) FROM complaints), (SELECT count(*) FROM complaint_events),"
            " (SELECT count(*) FROM lapor_outbox), (SELECT count(*) FROM lapor_links)")).one()
    recorder = Recorder(engine)
    big_figures = timed(big, args.rounds, recorder)
    scans = seq_scans(engine, recorder.statements)
    with own_database(ADMIN_URL) as small_url:
        small_engine = make_engine(load_settings(
            environ={}, overrides={"database.url": small_url}).database)
        upgrade_to_head(small_engine)
        seed_demo(ServiceContext(big.settings, make_session_factory(small_engine)))
        small_engine.dispose()
        small = context(small_url)
        small_figures = timed(small, args.rounds)
        small.session_factory.kw["bind"].dispose()
    engine.dispose()
    print(f"big database {args.database}: {sizes[0]:,} complaints, {sizes[1]:,} events, "
          f"{sizes[2]:,} outbox rows, {sizes[3]:,} links; small: the seeded demo; "
          f"median of {args.rounds}; load average {os.getloadavg()[0]:.1f}")
    print(f"{'path':40} {'1M ms':>8} {'small ms':>9} {'ratio':>6}")
    for name, value in big_figures.items():
        print(f"{name:40} {value:8.1f} {small_figures[name]:9.1f} "
              f"{value / small_figures[name]:6.2f}")
    print(f"statements EXPLAINed: {len(recorder.statements)}; sequential scans of large "
          f"tables: {scans or 'none'}")
    if args.drop:
        admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
