"""Intake over HTTP under gunicorn on PostgreSQL, against a bare Flask + SQLAlchemy insert.

In one run, on a fresh database (created through ADMIN_URL, dropped afterwards):

1. baseline: ``bare_intake.py`` (parse JSON, insert the same complaint row) under
   gunicorn with the same workers and threads;
2. ``lapor-bridge serve``: ``POST /api/v1/complaints`` — validate, classify, route,
   store complaint + events + outbox row — with the starter model.

Both run side by side and are measured in alternating rounds (the idle one costs
nothing); each round prints both and their ratio, the end the medians. In each round a
server gets a warm-up, a closed-loop peak (C connections back to back) and then
an open loop at ``--load`` × its own peak, whose latencies count from each request's
scheduled start. The load generator (``loadgen.py``) runs in this process, on the
same machine. Goal: intake peak ≥ 0.7 × bare peak; intake p99 ≤ 50 ms at 80 % load.

Usage: ``.venv/bin/python bench/bench_intake.py [--workers 2] [--threads 4]
[--connections 16] [--seconds 15] [--rounds 3] [--admin-url URL]``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import requests
from bench_sync import own_database
from loadgen import Tally, closed_loop, open_loop, post_request
from sqlalchemy import func, select

import lapor_bridge.db.all_models  # noqa: F401
from lapor_bridge.config import load_settings
from lapor_bridge.db.engine import make_engine, make_session_factory
from lapor_bridge.db.migrate import upgrade_to_head
from lapor_bridge.db.models import Complaint, OutboxMessage
from lapor_bridge.services.context import ServiceContext
from lapor_bridge.services.seed import seed_demo

BIN = Path(sys.executable).parent
ADMIN_URL = os.environ.get("LAPOR_BRIDGE_TEST_PG_URL",
                           "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
PLACES = [("Tegal Barat", "Kraton"), ("Margadana", "Krandon"), ("Tegal Timur", "Mintaragen")]
TEXTS = [
    ("Air PDAM keruh", "Air PDAM di rumah kami keruh dan berbau sejak tiga hari yang lalu."),
    ("Jalan berlubang", "Jalan di depan sekolah berlubang besar, sudah ada motor yang jatuh."),
    ("Sampah menumpuk", "Sampah di pinggir pasar menumpuk dan tidak diangkut seminggu ini."),
    ("Lampu jalan padam", "Lampu penerangan jalan di gang kami padam, gelap dan rawan."),
    ("Bantuan sosial", "Kami belum menerima bantuan sosial padahal sudah terdaftar."),
    ("Saluran mampet", "Saluran air di perumahan mampet sehingga banjir saat hujan."),
]
HOST = "127.0.0.1"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def bodies(port: int) -> list[bytes]:
    """Raw POSTs cycling through texts and places (both servers get the same ones)."""
    out = []
    for n, (title, text) in enumerate(TEXTS * 3):
        kecamatan, kelurahan = PLACES[n % len(PLACES)]
        body = json.dumps({"title": title, "description": text, "kecamatan": kecamatan,
                           "kelurahan": kelurahan}).encode()
        out.append(post_request(HOST, port, "/api/v1/complaints", body))
    return out


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def start(command: list[str], env: dict[str, str], port: int, log: Path, ready: str):
    """Start a server; wait until ``ready`` answers."""
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                               stderr=log.open("w"), cwd=Path(__file__).parent)
    for _ in range(300):
        try:
            if requests.get(f"http://{HOST}:{port}{ready}", timeout=5).status_code < 500:
                return process
        except requests.RequestException:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"server did not start: see {log}")


def measure(port: int, server_pid: int, args) -> tuple[Tally, Tally, dict[str, float]]:
    """Warm up, peak (closed loop), then the open loop at ``load`` × peak; with the CPU
    milliseconds per answer of each kind of process during the peak."""
    requests_ = bodies(port)
    closed_loop(HOST, port, requests_, connections=args.connections, seconds=3)
    before = cpu_seconds(server_pid)
    peak = closed_loop(HOST, port, requests_, connections=args.connections, seconds=args.seconds)
    after = cpu_seconds(server_pid)
    cpu = {kind: (after[kind] - before[kind]) * 1000 / max(1, len(peak.latencies))
           for kind in after}
    steady = open_loop(HOST, port, requests_, rate=peak.rate * args.load, seconds=args.seconds,
                       connections=4 * args.connections)
    return peak, steady, cpu


def cpu_seconds(server_pid: int) -> dict[str, float]:
    """CPU seconds used so far by the server (gunicorn master and workers), by
    PostgreSQL's processes and by redis-server, read from ``/proc``."""
    totals = {"web": 0.0, "postgres": 0.0, "redis": 0.0}
    for entry in Path("/proc").iterdir():
        try:
            stat = (entry / "stat").read_text() if entry.name.isdigit() else ""
        except OSError:
            continue
        if not stat:
            continue
        command = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()
        pid, parent = int(entry.name), int(fields[1])
        kind = ("web" if server_pid in (pid, parent) else "postgres" if command == "postgres"
                else "redis" if command.startswith("redis-server") else None)
        if kind:
            totals[kind] += (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    return totals


def line(name: str, peak: Tally, steady: Tally, load: float) -> str:
    return (f"{name:<28} peak {peak.rate:7.1f} req/s (p50 {peak.percentile(.5):6.1f} ms, "
            f"p99 {peak.percentile(.99):6.1f} ms) | at {load:.0%}: {steady.rate:6.1f} req/s "
            f"p50 {steady.percentile(.5):6.1f} ms p99 {steady.percentile(.99):6.1f} ms "
            f"| statuses {sorted((peak.statuses | steady.statuses).items())} "
            f"errors {peak.errors + steady.errors}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--load", type=float, default=0.8)
    parser.add_argument("--rounds", type=int, default=3,
                        help="alternating bare/intake rounds (the machine's noise shows in "
                             "the spread of the ratios)")
    parser.add_argument("--admin-url", default=ADMIN_URL)
    parser.add_argument("--limits", choices=("redis", "memory"), default="redis",
                        help="rate-limit counters: a private redis-server (as with several "
                             "workers in production) or each process's memory")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-intake-"))
    with own_database(args.admin_url) as url, limit_storage(args.limits) as storage:
        run(args, workdir, url, storage)


@contextmanager
def limit_storage(kind: str):
    """``memory://``, or the URL of a redis-server started for this run (stopped after)."""
    if kind == "memory":
        yield "memory://"
        return
    port = free_port()
    redis = subprocess.Popen(["redis-server", "--port", str(port), "--bind", HOST, "--save", "",
                              "--appendonly", "no"], stdout=subprocess.DEVNULL)
    try:
        time.sleep(0.5)
        yield f"redis://{HOST}:{port}"
    finally:
        redis.terminate()
        redis.wait(10)


def run(args, workdir: Path, url: str, storage: str) -> None:
    """Both servers on one database, measured in alternating rounds; figures and ratios."""
    from classifiers.model import train_starter

    settings = load_settings(environ={}, overrides={"database.url": url})
    engine = make_engine(settings.database)
    upgrade_to_head(engine)
    ctx = ServiceContext(settings, make_session_factory(engine))
    seed_demo(ctx)
    model_dir = workdir / "model"
    train_starter(model_dir)
    base_env = {k: v for k, v in os.environ.items()
                if not k.startswith(("LAPOR_BRIDGE_", "PROMETHEUS_"))}
    workers, threads = str(args.workers), str(args.threads)
    bare_port, app_port = free_port(), free_port()
    app_env = {**base_env, "LAPOR_BRIDGE_DATABASE__URL": url,
               "LAPOR_BRIDGE_DATABASE__POOL_SIZE": threads,
               "LAPOR_BRIDGE_CLASSIFIER__MODEL_DIR": str(model_dir),
               "LAPOR_BRIDGE_APP__UPLOAD_DIR": str(workdir / "uploads"),
               "LAPOR_BRIDGE_APP__INTAKE_RATE_LIMIT": "10000000 per minute",
               "LAPOR_BRIDGE_APP__RATE_LIMIT_STORAGE": storage,
               "LAPOR_BRIDGE_METRICS__MULTIPROC_DIR": str(workdir / "prom"),
               "LAPOR_BRIDGE_LOG__FORMAT": "json"}
    servers = [
        start([str(BIN / "gunicorn"), "-w", workers, "--threads", threads,
               "-k", "gthread" if args.threads > 1 else "sync",
               "-b", f"{HOST}:{bare_port}", "--no-control-socket", "bare_intake:create_app()"],
              {**base_env, "BARE_DATABASE_URL": url, "BARE_POOL_SIZE": threads},
              bare_port, workdir / "bare.log", "/"),
        start([str(BIN / "lapor-bridge"), "serve", "--workers", workers, "--threads", threads,
               "--port", str(app_port)], app_env, app_port, workdir / "app.log", "/readyz"),
    ]
    ratios, cpu_ratios, p99s, answered = [], [], [], 0
    try:
        print(f"gunicorn: {workers} workers x {threads} threads "
              f"({'gthread' if args.threads > 1 else 'sync'}); PostgreSQL; "
              f"{args.connections} connections; {args.seconds:.0f} s per phase; rate limits in "
              f"{storage.split(':')[0]}; {args.rounds} alternating rounds")
        for round_ in range(1, args.rounds + 1):
            bare_peak, bare_steady, bare_cpu = measure(bare_port, servers[0].pid, args)
            app_peak, app_steady, app_cpu = measure(app_port, servers[1].pid, args)
            answered += sum(t.statuses.get(201, 0) for t in (app_peak, app_steady))
            ratios.append(app_peak.rate / bare_peak.rate)
            cpu_ratios.append(sum(bare_cpu.values()) / sum(app_cpu.values()))
            p99s.append(app_steady.percentile(.99))
            print(f"round {round_}: load average {os.getloadavg()[0]:.1f}")
            print(line("  bare Flask + SQLAlchemy", bare_peak, bare_steady, args.load))
            print(line("  lapor-bridge intake", app_peak, app_steady, args.load))
            print(f"  intake / bare peak throughput {ratios[-1]:.2f}; CPU ms per request at "
                  f"peak, bare / intake: " + ", ".join(
                      f"{kind} {bare_cpu[kind]:.2f} / {app_cpu[kind]:.2f}" for kind in app_cpu))
    finally:
        for server in servers:
            server.terminate()
            server.wait(30)
    with ctx.read() as session:
        complaints = session.scalar(select(func.count()).select_from(Complaint))
        outbox = session.scalar(select(func.count()).select_from(OutboxMessage))
    engine.dispose()
    print(f"intake / bare peak throughput, median of {len(ratios)} rounds: "
          f"{statistics.median(ratios):.2f} (rounds {', '.join(f'{r:.2f}' for r in ratios)}; "
          f"goal >= 0.7)")
    print(f"server CPU per request (web + PostgreSQL + redis), bare / intake, median: "
          f"{statistics.median(cpu_ratios):.2f} (rounds "
          f"{', '.join(f'{r:.2f}' for r in cpu_ratios)}; steadier than throughput on a "
          f"shared machine)")
    print(f"intake p99 at {args.load:.0%} of its peak, median: {statistics.median(p99s):.1f} ms "
          f"(goal <= 50)")
    print(f"stored: {complaints} complaints in all, {outbox} outbox rows (one per intake "
          f"complaint; {answered} intake answers 201 outside the warm-ups)")


if __name__ == "__main__":
    main()
