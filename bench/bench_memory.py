"""Memory of one web worker with the routing model loaded, against a bare Flask worker.

Starts ``lapor-bridge serve --workers 1`` (and the same with ``--workers 2 --preload``)
and, as the baseline, ``bare_intake.py`` under gunicorn, on a fresh PostgreSQL
database; sends each intake requests for a while (lapor-bridge: public reads too), then reads every
worker's RSS and PSS (``/proc/PID/smaps_rollup``: PSS splits pages shared
copy-on-write between processes). Goal: one worker ≤ 250 MB RSS.

Usage: ``.venv/bin/python bench/bench_memory.py [--seconds 10] [--admin-url URL]``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from bench_intake import ADMIN_URL, BIN, HOST, bodies, free_port, start
from bench_sync import own_database
from loadgen import closed_loop

import lapor_bridge.db.all_models  # noqa: F401
from lapor_bridge.config import load_settings
from lapor_bridge.db.engine import make_engine, make_session_factory
from lapor_bridge.db.migrate import upgrade_to_head
from lapor_bridge.services.context import ServiceContext
from lapor_bridge.services.seed import seed_demo


def children(pid: int) -> list[int]:
    """Process ids whose parent is ``pid``."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return sorted(found)


def memory_mb(pid: int) -> tuple[float, float]:
    """(RSS, PSS) of ``pid`` in MB."""
    fields = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, value = line.split(":", 1)
        fields[name] = int(value.split()[0])
    return fields["Rss"] / 1024, fields["Pss"] / 1024


def exercise(port: int, seconds: float, with_reads: bool) -> int:
    """Intake POSTs for ``seconds`` (then public list reads as long), 4 connections; POSTs sent."""
    sent = len(closed_loop(HOST, port, bodies(port), connections=4, seconds=seconds).latencies)
    if with_reads:
        get = f"GET /api/v1/complaints?limit=20 HTTP/1.1\r\nHost: {HOST}\r\n\r\n".encode()
        closed_loop(HOST, port, [get], connections=4, seconds=seconds)
    return sent


def measured(name: str, command: list[str], env: dict, port: int, log: Path, ready: str,
             seconds: float, with_reads: bool) -> list[str]:
    server = start(command, env, port, log, ready)
    try:
        sent = exercise(port, seconds, with_reads)
        rows = [f"{name:<40} {sent} intake requests"]
        for pid in children(server.pid):
            rss, pss = memory_mb(pid)
            rows.append(f"{name:<40} worker {pid}: RSS {rss:6.1f} MB  PSS {pss:6.1f} MB")
        master_rss, _ = memory_mb(server.pid)
        rows.append(f"{name:<40} master: RSS {master_rss:6.1f} MB")
        return rows
    finally:
        server.terminate()
        server.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--admin-url", default=ADMIN_URL)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-memory-"))
    with own_database(args.admin_url) as url:
        run(args, workdir, url)


def run(args, workdir: Path, url: str) -> None:
    from classifiers.model import train_starter

    settings = load_settings(environ={}, overrides={"database.url": url})
    engine = make_engine(settings.database)
    upgrade_to_head(engine)
    seed_demo(ServiceContext(settings, make_session_factory(engine)))
    engine.dispose()
    train_starter(workdir / "model")
    base_env = {k: v for k, v in os.environ.items()
                if not k.startswith(("LAPOR_BRIDGE_", "PROMETHEUS_"))}
    app_env = {**base_env, "LAPOR_BRIDGE_DATABASE__URL": url,
               "LAPOR_BRIDGE_CLASSIFIER__MODEL_DIR": str(workdir / "model"),
               "LAPOR_BRIDGE_APP__UPLOAD_DIR": str(workdir / "uploads"),
               "LAPOR_BRIDGE_APP__INTAKE_RATE_LIMIT": "10000000 per minute",
               "LAPOR_BRIDGE_METRICS__MULTIPROC_DIR": str(workdir / "prom"),
               "LAPOR_BRIDGE_LOG__FORMAT": "json"}
    rows = []
    port = free_port()
    rows += measured("bare Flask + SQLAlchemy, 1 worker",
                     [str(BIN / "gunicorn"), "-w", "1", "--threads", "4", "-k", "gthread",
                      "-b", f"{HOST}:{port}", "--no-control-socket", "bare_intake:create_app()"],
                     {**base_env, "BARE_DATABASE_URL": url}, port, workdir / "bare.log", "/",
                     args.seconds, False)
    for label, extra in (("lapor-bridge serve, 1 worker", ["--workers", "1"]),
                         ("lapor-bridge serve, 2 workers, preload", ["--workers", "2",
                                                                     "--preload"])):
        port = free_port()
        rows += measured(label, [str(BIN / "lapor-bridge"), "serve", "--threads", "4",
                                 "--port", str(port), *extra],
                         app_env, port, workdir / "app.log", "/readyz", args.seconds, True)
    print(f"after {args.seconds:.0f} s of intake (then as long of public list reads for "
          f"lapor-bridge); "
          f"python {sys.version.split()[0]}; load average {os.getloadavg()[0]:.1f}")
    print("\n".join(rows))
    print("goal: one lapor-bridge worker <= 250 MB RSS")


if __name__ == "__main__":
    main()
