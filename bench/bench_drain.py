"""Outbox drain by one worker process, then by two, against one PostgreSQL and one simulator.

Each run empties the tables, stores N complaints with their ``create`` outbox rows
(not timed), starts the sender processes (this script with ``--child``: build the
context, wait for "go", run ``push_pending`` until nothing is claimable), releases
them together and times until the last one finishes. The simulator (``lapor-bridge
lapor-sim``, its own process) answers after ``--latency-ms`` like a remote LAPOR!
would. Afterwards every report the simulator holds is checked: one per complaint,
none twice (by marker).
Goal: two workers ≥ 1.6 × one worker, zero duplicates.

Usage: ``.venv/bin/python bench/bench_drain.py [--count 2000] [--concurrency 4]
[--latency-ms 20..40] [--admin-url URL]``.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import requests
from bench_sync import SimProcess, own_database, store_backlog
from sqlalchemy import text

import lapor_bridge.db.all_models  # noqa: F401
from lapor_bridge.config import load_settings
from lapor_bridge.db.engine import make_engine, make_session_factory
from lapor_bridge.db.migrate import upgrade_to_head
from lapor_bridge.lapor.marker import MARKER_PREFIX
from lapor_bridge.services.context import ServiceContext
from lapor_bridge.services.seed import seed_demo
from lapor_bridge.services.sync.push import push_pending

ADMIN_URL = os.environ.get("LAPOR_BRIDGE_TEST_PG_URL",
                           "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def child(url: str, base_url: str, concurrency: int) -> None:
    """One sender process: ready, wait for "go", drain, print what it sent."""
    settings = load_settings(environ={}, overrides={"database.url": url})
    settings = dataclasses.replace(settings, lapor=dataclasses.replace(
        settings.lapor, base_url=base_url, concurrency=concurrency))
    ctx = ServiceContext(settings, make_session_factory(make_engine(settings.database)))
    print("ready", flush=True)
    sys.stdin.readline()
    result = push_pending(ctx)
    print(json.dumps({"sent": result.sent, "errors": result.errors}), flush=True)


def drain(processes: int, url: str, sim: SimProcess, concurrency: int) -> tuple[float, list]:
    """Seconds for ``processes`` senders to empty the outbox, and what each reported."""
    command = [sys.executable, __file__, "--child", url, sim.settings.base_url,
               str(concurrency)]
    senders = [subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                text=True) for _ in range(processes)]
    for sender in senders:
        assert sender.stdout.readline().strip() == "ready"
    started = time.perf_counter()
    for sender in senders:
        sender.stdin.write("go\n")
        sender.stdin.flush()
    reports = [json.loads(sender.stdout.readline()) for sender in senders]
    elapsed = time.perf_counter() - started
    for sender in senders:
        sender.wait(30)
    return elapsed, reports


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--latency-ms", default="20..40")
    parser.add_argument("--admin-url", default=ADMIN_URL)
    parser.add_argument("--child", nargs=3, metavar=("URL", "BASE_URL", "THREADS"))
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1], int(args.child[2]))
        return
    workdir = Path(tempfile.mkdtemp(prefix="bench-drain-"))
    with own_database(args.admin_url) as url:
        run(args, workdir, url)


def run(args, workdir: Path, url: str) -> None:
    """One worker, then two, each over a fresh backlog of N; prints figures and checks."""
    sim = SimProcess(workdir, "--latency-ms", args.latency_ms)
    settings = load_settings(environ={}, overrides={"database.url": url})
    engine = make_engine(settings.database)
    upgrade_to_head(engine)
    ctx = ServiceContext(settings, make_session_factory(engine))
    seed_demo(ctx)
    try:
        figures = {}
        for processes in (1, 2):
            with ctx.transaction() as session:  # both runs start from the same empty tables
                session.execute(text("TRUNCATE complaints CASCADE"))
            store_backlog(ctx, args.count)
            elapsed, reports = drain(processes, url, sim, args.concurrency)
            sent = sum(report["sent"] for report in reports)
            assert sent == args.count, reports
            figures[processes] = (elapsed, [report["sent"] for report in reports])
        held = requests.get(sim.settings.base_url.replace("/api/v3", "/_sim/complaints"),
                            timeout=60).json()
    finally:
        sim.stop()
        engine.dispose()
    markers = Counter(tag for report in held for tag in report["tags"]
                      if tag.startswith(MARKER_PREFIX))
    duplicates = sum(count - 1 for count in markers.values() if count > 1)
    one, two = figures[1][0], figures[2][0]
    print(f"PostgreSQL; simulator latency {args.latency_ms} ms; {args.count} complaints per "
          f"run; {args.concurrency} sender threads per worker; load average "
          f"{os.getloadavg()[0]:.1f}")
    print(f"one worker:  {args.count / one:7.1f} complaints/s ({one:.1f} s)")
    print(f"two workers: {args.count / two:7.1f} complaints/s ({two:.1f} s; split "
          f"{figures[2][1]})  ratio {one / two:.2f} (goal >= 1.6)")
    print(f"simulator holds {len(held)} reports for {2 * args.count} complaints; "
          f"duplicates by marker: {duplicates}")
    assert len(held) == 2 * args.count and duplicates == 0


if __name__ == "__main__":
    main()
