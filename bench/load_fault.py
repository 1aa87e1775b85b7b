"""Load and faults on loopback: web intake, API reads, officer actions and LAPOR! sync at
once, while a sync worker is SIGKILLed and every PostgreSQL connection is cut.

The stack is real processes: ``lapor-bridge serve`` (gunicorn), two ``lapor-bridge
worker`` and ``lapor-bridge lapor-sim`` with faults (latency, 5xx/timeouts/resets,
lost responses, shuffled answers), on one PostgreSQL database. Load threads: residents
POSTing complaints, readers listing and opening them, officers (one login per agency)
claiming and answering over the web. Mid-run one worker is killed and restarted, and
every connection to the database is terminated from an admin connection. Then the
load stops, the faults are switched off, the sync settles, and the run checks:

- lost: complaints answered 201 with no row;
- duplicates: LAPOR! reports carrying the same idempotency marker, or more reports
  than complaints;
- drift: ``lapor-bridge alignment-report`` (after ``sync-once --poll-all``).

``tests/e2e/test_load_fault.py`` runs a short version; this script the long one:
``.venv/bin/python bench/load_fault.py [--seconds 120] [--admin-url URL]``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import requests
from process_stack import HOST, free_port, stop_processes, wait_until  # bench/ is on sys.path
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

LB = str(Path(sys.executable).parent / "lapor-bridge")
MARKER_PREFIX = "lapor-bridge:"
TEXTS = [
    ("Air PDAM keruh", "Air PDAM di rumah kami keruh dan berbau sejak tiga hari yang lalu."),
    ("Jalan berlubang", "Jalan di depan sekolah berlubang besar, sudah ada motor yang jatuh."),
    ("Sampah menumpuk", "Sampah di pinggir pasar menumpuk dan tidak diangkut seminggu ini."),
    ("Lampu jalan padam", "Lampu penerangan jalan di gang kami padam, gelap dan rawan."),
    ("Saluran mampet", "Saluran air di perumahan mampet sehingga banjir saat hujan."),
]
PLACES = [("Tegal Barat", "Kraton"), ("Margadana", "Krandon"), ("Tegal Timur", "Mintaragen")]
FAULTS = ["--latency-ms", "0..20", "--fail-rate", "0.1", "--lost-response-rate", "0.05",
          "--disorder-rate", "0.2", "--hang-ms", "1500", "--seed", "20260901"]
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
VERSION = re.compile(r'name="version" value="(\d+)"')


@dataclass
class Plan:
    """How long and how hard; when the faults strike (shares of ``seconds``)."""

    seconds: float = 120
    residents: int = 4
    readers: int = 2
    officers: int = 2
    pause: float = 0.05
    kill_worker_at: float = 0.35
    cut_database_at: float = 0.6
    settle_seconds: float = 240


@dataclass
class Tally:
    """What the load threads saw."""

    created: dict[str, str] = field(default_factory=dict)  # tracking number → agency code
    statuses: Counter = field(default_factory=Counter)
    reads: Counter = field(default_factory=Counter)
    actions: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)



class Stack:
    """The simulator, the web server and two sync workers as subprocesses."""

    def __init__(self, url: str, model_dir: Path, workdir: Path) -> None:
        self.url, self.workdir = url, workdir
        self.sim_port, self.web_port = free_port(), free_port()
        self.base = f"http://{HOST}:{self.web_port}"
        self.sim_url = f"http://{HOST}:{self.sim_port}"
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("LAPOR_BRIDGE_", "PROMETHEUS_"))}
        values = {
            "DATABASE__URL": url, "DATABASE__POOL_SIZE": "4", "DATABASE__POOL_TIMEOUT": "10",
            "CLASSIFIER__MODEL_DIR": str(model_dir), "APP__INSTANCE_DIR": str(workdir),
            "APP__UPLOAD_DIR": str(workdir / "uploads"),
            "APP__INTAKE_RATE_LIMIT": "100000 per minute",
            "METRICS__MULTIPROC_DIR": str(workdir / "prom"), "LOG__FORMAT": "json",
            "LAPOR__BASE_URL": f"{self.sim_url}/api/v3",
            "LAPOR__READ_TIMEOUT": "1.0", "LAPOR__CONNECT_TIMEOUT": "0.5",
            "LAPOR__LEASE_SECONDS": "10", "LAPOR__BATCH_SIZE": "20",
            "LAPOR__BACKOFF_BASE_SECONDS": "0.2", "LAPOR__BACKOFF_MAX_SECONDS": "2",
            "LAPOR__MAX_ATTEMPTS": "1000", "LAPOR__POLL_UNVERIFIED_SECONDS": "1",
            "LAPOR__POLL_OPEN_SECONDS": "2", "LAPOR__UNMAPPED_RETRY_SECONDS": "1",
            "LAPOR__PUSH_INTERVAL_SECONDS": "0.5", "LAPOR__POLL_INTERVAL_SECONDS": "1",
            "LAPOR__INBOUND_INTERVAL_SECONDS": "2",
        }
        self.env = {**env, **{f"LAPOR_BRIDGE_{key}": value for key, value in values.items()}}
        self.procs: dict[str, subprocess.Popen] = {}
        self.starts = Counter()

    def _start(self, name: str, command: list[str]) -> None:
        self.starts[name] += 1
        log = (self.workdir / f"{name}-{self.starts[name]}.log").open("w")
        self.procs[name] = subprocess.Popen(command, env=self.env, cwd=self.workdir,
                                            stdout=log, stderr=subprocess.STDOUT)

    def start(self) -> None:
        """Simulator, web (2 gunicorn workers), then two sync workers; wait until ready."""
        self._start("sim", [LB, "lapor-sim", "--port", str(self.sim_port), "--auto-dispose",
                            "--db", str(self.workdir / "lapor-sim.db"), *FAULTS])
        self._start("web", [LB, "serve", "--workers", "2", "--threads", "4",
                            "--port", str(self.web_port)])
        for name in ("worker-a", "worker-b"):
            self._start(name, [LB, "worker"])
        wait_until(lambda: requests.get(f"{self.sim_url}/_sim/faults", timeout=2).ok, 60,
                   "the simulator")
        wait_until(lambda: requests.get(f"{self.base}/readyz", timeout=5).ok, 90, "the web")

    def kill_worker(self, name: str = "worker-a") -> None:
        """SIGKILL a sync worker, then start it again."""
        self.procs[name].send_signal(signal.SIGKILL)
        self.procs[name].wait(10)
        self._start(name, [LB, "worker"])

    def cut_database(self, admin_url: str) -> int:
        """Terminate every connection to this run's database; returns how many."""
        name = make_url(self.url).database
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as connection:
                return len(connection.execute(text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"), {"name": name}).all())
        finally:
            admin.dispose()

    def calm(self) -> None:
        """Switch the simulator's faults off."""
        requests.put(f"{self.sim_url}/_sim/faults", timeout=10, json={
            "latency_ms": None, "fail_rate": 0.0, "lost_response_rate": 0.0,
            "disorder_rate": 0.0}).raise_for_status()

    def check_alive(self) -> None:
        """Every process still runs."""
        for name, proc in self.procs.items():
            assert proc.poll() is None, f"{name} died: see {self.workdir}"

    def stop(self, *names: str) -> None:
        """SIGTERM ``names`` (default: all; web and workers stop gracefully), kill what lingers."""
        stop_processes([proc for name, proc in self.procs.items() if not names or name in names])

    def cli(self, *args: str) -> str:
        """Run one ``lapor-bridge`` command against this stack; its standard output."""
        return subprocess.run([LB, *args], env=self.env, cwd=self.workdir, check=True,
                              capture_output=True, text=True, timeout=600).stdout



def resident(stack: Stack, tally: Tally, stop: threading.Event, pause: float, seed: int):
    """POST complaints until stopped; remember every 201."""
    rng = random.Random(seed)
    with requests.Session() as http:
        while not stop.is_set():
            title, body = rng.choice(TEXTS)
            kecamatan, kelurahan = rng.choice(PLACES)
            try:
                answer = http.post(f"{stack.base}/api/v1/complaints", timeout=15, json={
                    "title": title, "description": body, "kecamatan": kecamatan,
                    "kelurahan": kelurahan})
            except requests.RequestException as exc:
                with tally.lock:
                    tally.statuses[type(exc).__name__] += 1
                continue
            with tally.lock:
                tally.statuses[answer.status_code] += 1
                if answer.status_code == 201:
                    created = answer.json()
                    tally.created[created["tracking_number"]] = created["agency"]["code"]
            stop.wait(pause)


def reader(stack: Stack, tally: Tally, stop: threading.Event, seed: int) -> None:
    """List public complaints and open known ones until stopped."""
    rng = random.Random(seed)
    with requests.Session() as http:
        while not stop.is_set():
            with tally.lock:
                known = list(tally.created)
            path = (f"/api/v1/complaints/{rng.choice(known)}" if known and rng.random() < 0.7
                    else "/api/v1/complaints?limit=20")
            try:
                status = http.get(stack.base + path, timeout=15).status_code
            except requests.RequestException as exc:
                status = type(exc).__name__
            with tally.lock:
                tally.reads[status] += 1
            stop.wait(0.3)


def officer(stack: Stack, tally: Tally, stop: threading.Event, seed: int) -> None:
    """Officers of the agencies complaints went to: claim, then answer, over the web."""
    from lapor_bridge.demo_region import DEMO_PASSWORD

    rng = random.Random(seed)
    sessions: dict[str, requests.Session] = {}
    done: set[str] = set()
    while not stop.is_set():
        with tally.lock:
            waiting = [(n, code) for n, code in tally.created.items()
                       if n not in done and code != "TRIAGE" and hash(n) % 2 == seed % 2]
        if not waiting:
            stop.wait(0.5)
            continue
        number, code = rng.choice(waiting)
        try:
            http = sessions.get(code) or _login(stack, f"petugas.{code.lower()}", DEMO_PASSWORD)
            sessions[code] = http
            outcome = _answer(stack, http, number)
        except requests.RequestException as exc:
            sessions.pop(code, None)
            outcome = type(exc).__name__
        with tally.lock:
            tally.actions[outcome] += 1
        if outcome == "answered":
            done.add(number)
        stop.wait(0.2)


def _login(stack: Stack, username: str, password: str) -> requests.Session:
    http = requests.Session()
    page = http.get(f"{stack.base}/masuk", timeout=15).text
    http.post(f"{stack.base}/masuk", timeout=15, data={
        "username": username, "password": password, "csrf_token": TOKEN.search(page).group(1)})
    return http


def _answer(stack: Stack, http: requests.Session, number: str) -> str:
    case = f"{stack.base}/petugas/laporan/{number}"
    for slug, form in (("ambil", {}),
                       ("tindak-lanjut", {"text": f"Petugas menindaklanjuti laporan {number}."})):
        page = http.get(case, timeout=15)
        if page.status_code != 200:
            return f"page {page.status_code}"
        token, version = TOKEN.search(page.text), VERSION.search(page.text)
        if token is None or version is None:
            return f"no form for {slug}"
        answer = http.post(f"{case}/{slug}", timeout=15, allow_redirects=False, data={
            **form, "csrf_token": token.group(1), "version": version.group(1)})
        if answer.status_code != 302:
            return f"{slug} {answer.status_code}"
    return "answered"


def load(stack: Stack, plan: Plan, admin_url: str) -> tuple[Tally, dict]:
    """Run the load threads for ``plan.seconds`` with both faults in the middle."""
    tally, stop = Tally(), threading.Event()
    threads = [threading.Thread(target=resident, args=(stack, tally, stop, plan.pause, n))
               for n in range(plan.residents)]
    threads += [threading.Thread(target=reader, args=(stack, tally, stop, n))
                for n in range(plan.readers)]
    threads += [threading.Thread(target=officer, args=(stack, tally, stop, n))
                for n in range(plan.officers)]
    for thread in threads:
        thread.start()
    started = time.monotonic()
    events = {}
    for share, name in sorted([(plan.kill_worker_at, "kill"), (plan.cut_database_at, "cut")]):
        stop.wait(max(0.0, started + share * plan.seconds - time.monotonic()))
        if name == "kill":
            stack.kill_worker()
            events["worker killed at s"] = round(time.monotonic() - started, 1)
        else:
            events["connections terminated"] = stack.cut_database(admin_url)
            events["database cut at s"] = round(time.monotonic() - started, 1)
    stop.wait(max(0.0, started + plan.seconds - time.monotonic()))
    stop.set()
    for thread in threads:
        thread.join(30)
    stack.check_alive()
    return tally, events


def settle_and_check(stack: Stack, tally: Tally, plan: Plan) -> dict:
    """Faults off; wait for the outbox to empty; poll everything; count lost, duplicates, drift."""
    from lapor_bridge.db.models import Complaint, OutboxMessage

    stack.calm()
    engine = create_engine(stack.url)
    started = time.monotonic()
    try:
        def outbox_left() -> int:
            with engine.connect() as connection:
                return connection.scalar(select(func.count()).select_from(OutboxMessage)
                                         .where(OutboxMessage.state != "done"))

        wait_until(lambda: outbox_left() == 0, plan.settle_seconds, "the outbox to empty")
        stack.stop("web", "worker-a", "worker-b")  # foreground cycles finish the job
        for _ in range(2):
            stack.cli("sync-once", "--poll-all")
        drift = json.loads(stack.cli("alignment-report"))
        with engine.connect() as connection:
            stored = set(connection.scalars(select(Complaint.tracking_number)))
            dead = connection.scalar(select(func.count()).select_from(OutboxMessage)
                                     .where(OutboxMessage.state == "dead"))
    finally:
        engine.dispose()
    held = requests.get(f"{stack.sim_url}/_sim/complaints", timeout=120).json()
    return {"stored": stored, "dead": dead, "drift": drift, "held": held,
            "settle_s": round(time.monotonic() - started, 1)}


def verdict(tally: Tally, checked: dict) -> dict:
    """The figures that must be zero, and the context to read them by."""
    held = checked["held"]
    from_api = [report for report in held if report["source"] == "api"]
    markers = Counter(tag for report in from_api for tag in report["tags"]
                      if tag.startswith(MARKER_PREFIX))
    return {
        "complaints answered 201": len(tally.created),
        "complaints stored": len(checked["stored"]),
        "lost (201 without a row)": len(set(tally.created) - checked["stored"]),
        "LAPOR! reports from the bridge": len(from_api),
        "duplicates in LAPOR!": sum(n - 1 for n in markers.values() if n > 1)
        + max(0, len(from_api) - len(checked["stored"])),
        "drift": checked["drift"]["drift"],
        "drift reasons": checked["drift"].get("reasons"),
        "linked": checked["drift"]["linked"],
        "dead outbox rows": checked["dead"],
        "intake statuses": dict(tally.statuses),
        "reads": dict(tally.reads),
        "officer actions": dict(tally.actions),
        "settle seconds": checked["settle_s"],
    }


def run(url: str, admin_url: str, model_dir: Path, workdir: Path, plan: Plan) -> dict:
    """The whole scenario on a migrated, seeded database at ``url``; returns the verdict."""
    stack = Stack(url, model_dir, workdir)
    stack.start()
    try:
        tally, events = load(stack, plan, admin_url)
        checked = settle_and_check(stack, tally, plan)
    finally:
        stack.stop()
    return {**events, **verdict(tally, checked)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--admin-url", default=os.environ.get(
        "LAPOR_BRIDGE_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"))
    args = parser.parse_args()
    from bench_sync import own_database

    from classifiers.model import train_starter
    from lapor_bridge.config import load_settings
    from lapor_bridge.db.engine import make_engine, make_session_factory
    from lapor_bridge.db.migrate import upgrade_to_head
    from lapor_bridge.services.context import ServiceContext
    from lapor_bridge.services.seed import seed_demo

    workdir = Path(tempfile.mkdtemp(prefix="load-fault-"))
    train_starter(workdir / "model")
    with own_database(args.admin_url) as url:
        settings = load_settings(environ={}, overrides={"database.url": url})
        engine = make_engine(settings.database)
        upgrade_to_head(engine)
        seed_demo(ServiceContext(settings, make_session_factory(engine)))
        engine.dispose()
        started = time.monotonic()
        result = run(url, args.admin_url, workdir / "model", workdir, Plan(seconds=args.seconds))
    print(json.dumps(result, indent=2, default=str))
    print(f"total {time.monotonic() - started:.0f} s; load average {os.getloadavg()[0]:.1f}; "
          f"logs in {workdir}")
    zero = ("lost (201 without a row)", "duplicates in LAPOR!", "drift")
    print("verdict:", "OK" if all(result[key] == 0 for key in zero) else "FAILED")


if __name__ == "__main__":
    main()
