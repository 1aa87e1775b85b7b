"""LAPOR! sync speed: outbox drain vs a bare client loop, and one poll cycle.

Starts the simulator (``lapor-bridge lapor-sim``, its own process so that it does not
share this one's GIL) on loopback with no faults, then in one run:

1. bare loop: one ``requests.Session`` POSTs N create payloads, one after the other;
2. drain: N complaints (already stored, with their outbox rows) are pushed by
   ``push_pending`` — claim, build, send, record — with the configured concurrency;
3. poll: every one of the N linked reports is due; a bare loop (one session GETting
   each report's detail and follow-ups, sequentially) is timed, then one ``poll_due``
   cycle.

Usage: ``.venv/bin/python bench/bench_sync.py [--count 10000] [--concurrency 4]
[--postgres ADMIN_URL]``: a fresh SQLite file in a temporary directory, or with
``--postgres`` a fresh database created through ADMIN_URL and dropped afterwards.
"""

from __future__ import annotations

import argparse
import dataclasses
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import requests
from sqlalchemy import create_engine, select, text, update
from sqlalchemy.engine import make_url

import lapor_bridge.db.all_models  # noqa: F401  (registers every table)
from lapor_bridge.config import LaporSettings, load_settings
from lapor_bridge.db.engine import make_engine, make_session_factory
from lapor_bridge.db.migrate import upgrade_to_head
from lapor_bridge.db.models import Agency, Complaint, OutboxMessage, Region
from lapor_bridge.db.models_sync import LaporLink
from lapor_bridge.lapor import ComplaintDraft
from lapor_bridge.lapor.mapping import draft_to_payload
from lapor_bridge.services.context import ServiceContext
from lapor_bridge.services.intake.submit import hash_reporter_key, new_tracking_number
from lapor_bridge.services.seed import seed_demo
from lapor_bridge.services.sync.poll import poll_due
from lapor_bridge.services.sync.push import push_pending

TEXT = "Jalan di depan rumah nomor {n} berlubang besar dan membahayakan pengendara motor."


class SimProcess:
    """The simulator in a subprocess on a free loopback port."""

    def __init__(self, workdir: Path, *options: str) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        command = [str(Path(sys.executable).parent / "lapor-bridge"), "lapor-sim",
                   "--port", str(port), "--db", str(workdir / "lapor-sim.db"), *options]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
        self.settings = LaporSettings(base_url=f"http://127.0.0.1:{port}/api/v3")
        for _ in range(100):
            try:
                requests.get(f"http://127.0.0.1:{port}/_sim/faults", timeout=1)
                return
            except requests.ConnectionError:
                time.sleep(0.1)
        raise RuntimeError("the simulator did not start")

    def lapor_settings(self, **overrides) -> LaporSettings:
        """Settings pointing at this simulator."""
        return dataclasses.replace(self.settings, **overrides)

    def stop(self) -> None:
        """Stop the simulator."""
        self.process.terminate()
        self.process.wait(10)


def bare_loop(sim, drafts: list[tuple[ComplaintDraft, str]]) -> float:
    """Seconds for one session to POST every payload, sequentially."""
    settings = sim.lapor_settings()
    headers = {"Authorization": f"Bearer {settings.secret}", "token": settings.token}
    url = settings.base_url + settings.path_create
    with requests.Session() as session:
        started = time.perf_counter()
        for draft, key in drafts:
            response = session.post(url, json=draft_to_payload(draft, settings, key),
                                    headers=headers, timeout=10)
            response.raise_for_status()
        return time.perf_counter() - started


def bare_get_loop(sim, lapor_ids: list[int]) -> float:
    """Seconds for one session to GET each report's detail and follow-ups, sequentially."""
    settings = sim.lapor_settings()
    headers = {"Authorization": f"Bearer {settings.secret}", "token": settings.token}
    with requests.Session() as session:
        started = time.perf_counter()
        for lapor_id in lapor_ids:
            for path in (settings.path_detail, settings.path_followups):
                response = session.get(settings.base_url + path.format(complaint_id=lapor_id),
                                       headers=headers, timeout=10)
                response.raise_for_status()
        return time.perf_counter() - started


def store_backlog(ctx: ServiceContext, count: int) -> None:
    """``count`` complaints for Dinas PUPR with their ``create`` outbox rows (not timed)."""
    with ctx.transaction() as session:
        region = session.scalar(select(Region).where(Region.code == "33.76"))
        agency = session.scalar(select(Agency).where(Agency.code == "PUPR"))
        for n in range(count):
            complaint = Complaint(
                tracking_number=new_tracking_number(), reporter_key_hash=hash_reporter_key(
                    uuid.uuid4().hex), region_id=region.id, title=f"Jalan berlubang {n}",
                description=TEXT.format(n=n), channel="web", agency_id=agency.id,
                status="disposed")
            session.add(complaint)
            session.add(OutboxMessage(complaint=complaint, kind="create",
                                      idempotency_key=uuid.uuid4().hex,
                                      payload={"tracking_number": complaint.tracking_number}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--postgres", metavar="ADMIN_URL")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-sync-"))
    if args.postgres:
        with own_database(args.postgres) as url:
            run(args, workdir, url)
    else:
        run(args, workdir, f"sqlite:///{workdir / 'bench.db'}")


@contextmanager
def own_database(admin_url: str):
    """A new PostgreSQL database for this run (its URL), dropped at the end."""
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"bench_sync_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def run(args, workdir: Path, url: str) -> None:
    """Bare loop, drain and poll cycle against one database; prints the figures."""
    sim = SimProcess(workdir)
    settings = load_settings(environ={}, overrides={"database.url": url})
    settings = dataclasses.replace(settings, lapor=sim.lapor_settings(
        concurrency=args.concurrency, poll_open_seconds=3600, poll_unverified_seconds=3600))
    engine = make_engine(settings.database)
    upgrade_to_head(engine)
    ctx = ServiceContext(settings, make_session_factory(engine))
    seed_demo(ctx)
    try:
        drafts = [(ComplaintDraft(f"Jalan berlubang {n}", TEXT.format(n=n), 1002),
                   uuid.uuid4().hex) for n in range(args.count)]
        bare = bare_loop(sim, drafts)
        store_backlog(ctx, args.count)
        started = time.perf_counter()
        pushed = push_pending(ctx)
        drain = time.perf_counter() - started
        assert pushed.sent == args.count, pushed
        with ctx.transaction() as session:
            session.execute(update(LaporLink).values(next_poll_at=ctx.clock()))
            lapor_ids = list(session.scalars(select(LaporLink.lapor_id)))
        bare_gets = bare_get_loop(sim, lapor_ids)
        started = time.perf_counter()
        polled = poll_due(ctx)
        poll = time.perf_counter() - started
        assert polled.polled == args.count and not polled.errors, polled
    finally:
        sim.stop()
        engine.dispose()
    print(f"database: {engine.dialect.name}; complaints: {args.count}; "
          f"sender concurrency: {args.concurrency}")
    print(f"bare loop (1 session, sequential): {args.count / bare:8.1f} creates/s ({bare:.1f} s)")
    print(f"outbox drain (push_pending):       {args.count / drain:8.1f} complaints/s "
          f"({drain:.1f} s)  ratio {bare / drain:.2f} (goal >= 0.8)")
    print(f"bare loop of the poll's GETs (1 session, sequential): {bare_gets:.1f} s "
          f"({args.count / bare_gets:.0f} reports/s, detail + follow-ups each)")
    print(f"one poll cycle over {args.count} linked reports: {poll:.1f} s "
          f"({args.count / poll:.0f} reports/s, 2 GETs each)  ratio to the bare GETs "
          f"{bare_gets / poll:.2f}")


if __name__ == "__main__":
    main()
