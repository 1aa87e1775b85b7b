"""Federation under faults: two members push to a province while processes die and the
network between them misbehaves; afterwards nothing is lost, duplicated or out of step.

Real processes, each instance on its own PostgreSQL database: the province
(``lapor-bridge serve``), two members (``serve`` + ``worker`` each; Kota Tegal 33.76,
and Kabupaten Tegal 33.28 + Brebes 33.29) and a LAPOR! simulator for the members' own
sync. Each member reaches the province through a TCP proxy on loopback that, while
faults are on, refuses, resets, delays or cuts connections at random (a cut forwards
the request and drops the answer: the province stored a batch the member believes
lost). Load at each member: residents POST complaints over the API, officers claim,
answer and resolve them (services in-process on the member's database).

Phases: calm (no faults), faults (the proxy's faults, and the province or a member
SIGKILLed and restarted at random), heal (faults off, wait for the outboxes to drain,
stop the members, one last push and drift check each). Then each member's database is
compared with the province's directly: same tracking numbers, status, version and
history; lost, duplicated and drift must be zero. A watcher reads the province while it
runs, so each status change at a member gets the time it took to show at the province
(median, p95 per phase), printed beside one bare HTTP POST round trip.

``tests/e2e/test_federation_fault.py`` runs a short version; the bench, at the default
schedule (push every 60 s): ``.venv/bin/python bench/federation_fault.py [--seconds 720]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import requests
from process_stack import HOST, free_port, stop_processes, wait_until  # bench/ is on sys.path
from sqlalchemy import create_engine, func, select

LB = str(Path(sys.executable).parent / "lapor-bridge")
MEMBERS = {  # slug: (member name, region code of its API intake, kab/kota it reports)
    "kota": ("Kota Tegal", "33.76", (("33.76", "Kota Tegal"),)),
    "kab": ("Kabupaten Tegal dan Brebes", "33.28",
            (("33.28", "Kabupaten Tegal"), ("33.29", "Kabupaten Brebes"))),
}
PLACES = {"33.76": [("Tegal Barat", "Kraton"), ("Margadana", "Krandon"),
                    ("Tegal Timur", "Mintaragen")],
          "33.28": [("Slawi", "Procot"), ("Adiwerna", "Ujungrusi"), ("Talang", "Kajen")]}
TEXTS = [
    ("Jalan berlubang", "Jalan di depan sekolah berlubang besar, sudah ada motor yang jatuh."),
    ("Sampah menumpuk", "Sampah di pinggir pasar menumpuk dan tidak diangkut seminggu ini."),
    ("Air PDAM keruh", "Air PDAM di rumah kami keruh dan berbau sejak tiga hari yang lalu."),
    ("Saluran mampet", "Saluran air di perumahan mampet sehingga banjir saat hujan."),
]
STEPS = ("disposed", "in_progress", "responded")  # the status each officer step starts from


@dataclass
class Plan:
    """Durations, cadence and fault rates (the defaults are the bench's)."""

    calm_seconds: float = 180
    fault_seconds: float = 720
    push_seconds: float = 60.0  # the settings' defaults: push, backoff base and cap
    backoff_base: float = 30.0
    backoff_max: float = 3600.0
    history_months: int = 0
    resident_pause: float = 1.0
    officer_pause: float = 0.5
    fault_rate: float = 0.4  # share of proxied connections that meet a fault
    kill_gap: tuple[float, float] = (40, 90)
    down: tuple[float, float] = (3, 20)
    settle_seconds: float = 1800
    seed: int = 20261208


# --- the proxy ------------------------------------------------------------------------


class FaultyProxy:
    """TCP proxies on loopback (one listening port per upstream), with faults on demand."""

    KINDS = ("refuse", "reset", "delay", "cut")

    def __init__(self, rate: float, seed: int) -> None:
        self.rate, self.on = rate, False
        self.rng = random.Random(seed)
        self.faults: Counter = Counter()
        self.connections = 0
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_forever, daemon=True).start()

    def listen(self, upstream_port: int) -> int:
        """A new listening port forwarding to ``upstream_port``."""
        port = free_port()

        async def serve():
            return await asyncio.start_server(
                lambda r, w: self._handle(r, w, upstream_port), HOST, port)

        asyncio.run_coroutine_threadsafe(serve(), self.loop).result(10)
        return port

    async def _handle(self, reader, writer, upstream_port: int) -> None:
        self.connections += 1
        fault = (self.rng.choice(self.KINDS) if self.on and self.rng.random() < self.rate
                 else None)
        if fault:
            self.faults[fault] += 1
        if fault in ("refuse", "reset"):
            if fault == "reset":  # RST instead of FIN
                writer.get_extra_info("socket").setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            writer.transport.abort()
            return
        if fault == "delay":
            await asyncio.sleep(self.rng.uniform(0.2, 3.0))
        try:
            up_reader, up_writer = await asyncio.open_connection(HOST, upstream_port)
        except OSError:  # the province is down
            writer.transport.abort()
            return
        await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer,
                                                             cut=fault == "cut"),
                             return_exceptions=True)


async def _pipe(reader, writer, cut: bool = False) -> None:
    try:
        while data := await reader.read(65536):
            if cut:  # the request went through; its answer never arrives
                writer.transport.abort()
                return
            writer.write(data)
            await writer.drain()
    finally:
        writer.close()


# --- processes ------------------------------------------------------------------------



class Stack:
    """The simulator, the province and two members as process groups; kill and restart."""

    def __init__(self, urls: dict[str, str], model_dir: Path, workdir: Path,
                 plan: Plan) -> None:
        self.workdir, self.urls = workdir, urls
        self.ports = {name: free_port() for name in ("sim", "province", *MEMBERS)}
        self.procs: dict[str, subprocess.Popen] = {}
        self.starts: Counter = Counter()
        clean = {k: v for k, v in os.environ.items()
                 if not k.startswith(("LAPOR_BRIDGE_", "PROMETHEUS_"))}
        common = {
            "CLASSIFIER__MODEL_DIR": str(model_dir), "DATABASE__POOL_SIZE": "4",
            "APP__INTAKE_RATE_LIMIT": "100000 per minute", "LOG__FORMAT": "json",
            "LAPOR__BASE_URL": f"http://{HOST}:{self.ports['sim']}/api/v3",
            "FEDERATION__PUSH_INTERVAL_SECONDS": str(plan.push_seconds),
            "FEDERATION__BACKOFF_BASE_SECONDS": str(plan.backoff_base),
            "FEDERATION__BACKOFF_MAX_SECONDS": str(plan.backoff_max),
        }
        self.env = {}
        for name in ("province", *MEMBERS):
            folder = workdir / name
            folder.mkdir(parents=True, exist_ok=True)
            own = {**common, "DATABASE__URL": urls[name], "APP__INSTANCE_DIR": str(folder),
                   "APP__UPLOAD_DIR": str(folder / "uploads"),
                   "METRICS__MULTIPROC_DIR": str(folder / "prom"),
                   "APP__REGION_CODE": MEMBERS[name][1] if name in MEMBERS else "33",
                   "FEDERATION__PUBLIC_URL": f"http://{HOST}:{self.ports[name]}",
                   "MAIL__PUBLIC_URL": f"http://{HOST}:{self.ports[name]}"}
            self.env[name] = {**clean, **{f"LAPOR_BRIDGE_{k}": v for k, v in own.items()}}

    def url(self, name: str) -> str:
        """The instance's base URL."""
        return f"http://{HOST}:{self.ports[name]}"

    def _start(self, name: str, command: list[str], env: dict[str, str]) -> None:
        self.starts[name] += 1
        with (self.workdir / f"{name}-{self.starts[name]}.log").open("w") as log:
            self.procs[name] = subprocess.Popen(command, env=env, cwd=self.workdir, stdout=log,
                                                stderr=subprocess.STDOUT,
                                                start_new_session=True)

    def start_sim(self) -> None:
        """The members' LAPOR! (no faults: the federation is under test)."""
        self._start("sim", [LB, "lapor-sim", "--port", str(self.ports["sim"]),
                            "--auto-dispose", "--db", str(self.workdir / "lapor-sim.db")],
                    os.environ.copy())

    def start(self, name: str, key: str = "") -> None:
        """The province's web, or a member's web and worker."""
        web = [LB, "serve", "--workers", "2" if name == "province" else "1", "--threads", "4",
               "--port", str(self.ports[name])]
        if key:
            self.env[name]["LAPOR_BRIDGE_FEDERATION__KEY"] = key
        self._start(name, web, self.env[name])
        if name in MEMBERS:
            self._start(f"{name}-worker", [LB, "worker"], self.env[name])

    def wait_ready(self, name: str, seconds: float = 90) -> None:
        """Until the instance answers /readyz."""
        wait_until(lambda: requests.get(f"{self.url(name)}/readyz", timeout=2).ok, seconds,
                   name)

    def kill(self, name: str) -> None:
        """SIGKILL the instance's process groups (gunicorn master and workers, worker)."""
        for proc_name in (name, f"{name}-worker"):
            proc = self.procs.get(proc_name)
            if proc is not None and proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(10)

    def check_alive(self) -> None:
        """Every process still runs."""
        for name, proc in self.procs.items():
            assert proc.poll() is None, f"{name} died: see {self.workdir}"

    def stop(self, *names: str) -> None:
        """SIGTERM process groups (default: all), SIGKILL what lingers."""
        stop_processes([proc for name, proc in self.procs.items()
                        if not names or name in names or name.removesuffix("-worker") in names],
                       groups=True)



# --- set-up ---------------------------------------------------------------------------


def context(url: str, **federation):
    """A service context on ``url`` (``federation``: [federation] settings)."""
    from lapor_bridge.config import load_settings
    from lapor_bridge.services.context import build_context

    overrides = {"database.url": url, "database.pool_size": 4,
                 **{f"federation.{k}": v for k, v in federation.items()}}
    return build_context(load_settings(environ={}, overrides=overrides), load_model=False)


def prepare(urls: dict[str, str], months: int) -> None:
    """Migrate the three databases; seed the province, and the members with officers for
    every agency (Kabupaten Tegal and Brebes have none in the demo seed)."""
    from lapor_bridge.db.migrate import upgrade_to_head
    from lapor_bridge.db.models import Agency, User
    from lapor_bridge.demo_region import DEMO_PASSWORD
    from lapor_bridge.services.demo_history import seed_history
    from lapor_bridge.services.passwords import hash_password
    from lapor_bridge.services.seed import seed_demo, seed_province

    for name, url in urls.items():
        ctx = context(url)
        upgrade_to_head(ctx.engine)
        if name == "province":
            seed_province(ctx)
        else:
            seed_demo(ctx)
            seed_history(ctx, months)  # 0 months: just the two neighbours' regions
            with ctx.transaction() as session:
                staffed = set(session.scalars(select(User.agency_id).where(
                    User.role == "officer")))
                password = hash_password(DEMO_PASSWORD)
                for agency in session.scalars(select(Agency).where(
                        Agency.is_triage.is_(False), Agency.id.not_in(staffed))):
                    session.add(User(username=f"petugas.{agency.id}", role="officer",
                                     full_name=f"Petugas {agency.name}"[:120],
                                     agency_id=agency.id, region_id=agency.region_id,
                                     password_hash=password))
        ctx.engine.dispose()


def federate(stack: Stack, proxy: FaultyProxy) -> dict[str, str]:
    """Register both members at the province and join each through its proxy; their keys
    and the proxy URLs."""
    from lapor_bridge.services.federation.members import add_member
    from lapor_bridge.services.federation.uplink import join

    province = context(stack.urls["province"])
    keys = {}
    for slug, (name, _, regions) in MEMBERS.items():
        _, keys[slug] = add_member(province, name, list(regions), stack.url(slug))
        member = context(stack.urls[slug], key=keys[slug])
        join(member, f"http://{HOST}:{proxy.listen(stack.ports['province'])}")
        member.engine.dispose()
    province.engine.dispose()
    return keys


# --- load -----------------------------------------------------------------------------


@dataclass
class Tally:
    """What the load threads saw: every complaint answered 201 (``filed``), those still to
    work on (``open``), ``changes`` (member, number, version, at, phase), and when each
    (number, version) arrived at the province (``seen``)."""

    filed: dict[str, list[str]] = field(default_factory=dict)
    open: dict[str, dict[str, None]] = field(default_factory=dict)
    intake: Counter = field(default_factory=Counter)
    actions: Counter = field(default_factory=Counter)
    changes: list = field(default_factory=list)
    seen: dict[str, dict[int, datetime]] = field(default_factory=dict)
    phase: str = "calm"
    lock: threading.Lock = field(default_factory=threading.Lock)


def resident(stack: Stack, slug: str, tally: Tally, stop: threading.Event, pause: float,
             seed: int) -> None:
    """POST complaints to a member until stopped; remember every 201."""
    rng = random.Random(seed)
    with requests.Session() as http:
        while not stop.is_set():
            title, body = rng.choice(TEXTS)
            kecamatan, kelurahan = rng.choice(PLACES[MEMBERS[slug][1]])
            try:
                answer = http.post(f"{stack.url(slug)}/api/v1/complaints", timeout=10, json={
                    "title": title, "description": body, "kecamatan": kecamatan,
                    "kelurahan": kelurahan})
                outcome = answer.status_code
            except requests.RequestException as exc:
                outcome = type(exc).__name__
            with tally.lock:
                tally.intake[outcome] += 1
                if outcome == 201:
                    number = answer.json()["tracking_number"]
                    tally.filed[slug].append(number)
                    tally.open[slug][number] = None
            stop.wait(pause * rng.uniform(0.5, 1.5))


def officer(stack: Stack, slug: str, tally: Tally, stop: threading.Event, pause: float,
            seed: int) -> None:
    """Claim, answer and resolve the member's new complaints, one step at a time, as the
    officer of each complaint's agency (services on the member's database)."""
    from lapor_bridge.db.models import Complaint, User
    from lapor_bridge.domain.errors import DomainError
    from lapor_bridge.services.accounts import Principal
    from lapor_bridge.services.errors import ServiceError
    from lapor_bridge.services.workflow import claim, resolve, respond

    rng = random.Random(seed)
    ctx = context(stack.urls[slug])
    with ctx.read() as session:
        officers = {user.agency_id: Principal(user.id, user.username, user.full_name,
                                              user.role, user.agency_id, user.region_id)
                    for user in session.scalars(select(User).where(User.role == "officer"))}
    steps = {"disposed": lambda p, n: claim(ctx, p, n),
             "in_progress": lambda p, n: respond(ctx, p, n, "Petugas sudah meninjau lokasi."),
             "responded": lambda p, n: resolve(ctx, p, n, "Selesai ditangani.")}
    try:
        while not stop.is_set():
            with tally.lock:
                numbers = list(tally.open[slug])
            if not numbers:
                stop.wait(pause)
                continue
            number = rng.choice(numbers[-200:])
            with ctx.read() as session:
                complaint = session.scalar(select(Complaint).where(
                    Complaint.tracking_number == number))
                status, agency_id = complaint.status, complaint.agency_id
            if status not in steps or agency_id not in officers:
                with tally.lock:  # triage, or done: leave it
                    tally.open[slug].pop(number, None)
                continue
            try:
                steps[status](officers[agency_id], number)
            except (ServiceError, DomainError) as exc:
                with tally.lock:
                    tally.actions[type(exc).__name__] += 1
                continue
            at = datetime.now(UTC)
            with ctx.read() as session:
                version = session.scalar(select(Complaint.version).where(
                    Complaint.tracking_number == number))
            with tally.lock:
                tally.actions[status] += 1
                tally.changes.append((slug, number, version, at, tally.phase))
            stop.wait(pause * rng.uniform(0.5, 1.5))
    finally:
        ctx.engine.dispose()


def watcher(url: str, tally: Tally, stop: threading.Event) -> None:
    """Read the province twice a second: when each (number, version) first arrived."""
    from lapor_bridge.db.models_federation import FederatedComplaint as F

    engine = create_engine(url)
    since = datetime(1970, 1, 1, tzinfo=UTC)
    try:
        while True:
            last = stop.is_set()
            started = datetime.now(UTC)
            with engine.connect() as connection:
                rows = connection.execute(select(
                    F.tracking_number, F.remote_version, F.received_at).where(
                    F.received_at >= since)).all()
            with tally.lock:
                for number, version, received in rows:
                    tally.seen.setdefault(number, {}).setdefault(version, received)
            since = started - timedelta(seconds=5)
            if last:
                return
            stop.wait(0.5)
    finally:
        engine.dispose()


def chaos(stack: Stack, keys: dict[str, str], plan: Plan, stop: threading.Event,
          kills: Counter, seed: int) -> None:
    """Until stopped: wait, SIGKILL the province or a member, leave it down, restart it."""
    rng = random.Random(seed)
    order: list[str] = []
    while not stop.wait(rng.uniform(*plan.kill_gap)):
        order = order or rng.sample(["province", *MEMBERS], 1 + len(MEMBERS))
        name = order.pop()  # each in turn, in a random order
        stack.kill(name)
        kills[name] += 1
        time.sleep(rng.uniform(*plan.down))
        stack.start(name, keys.get(name, ""))


def bare_post_round_trip(rounds: int = 300) -> float:
    """Median ms of one small JSON POST answered 200 by a bare HTTP server on loopback."""

    class Answer(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):  # noqa: N802 - http.server's name
            self.rfile.read(int(self.headers["Content-Length"]))
            # one write: headers and body in separate segments would meet delayed ACKs
            self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                             b"Content-Length: 2\r\n\r\n{}")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer((HOST, 0), Answer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    times = []
    with requests.Session() as http:
        for _ in range(rounds):
            started = time.perf_counter()
            http.post(f"http://{HOST}:{server.server_port}/", json={"records": []}, timeout=5)
            times.append((time.perf_counter() - started) * 1000)
    server.shutdown()
    return statistics.median(times)


# --- the run --------------------------------------------------------------------------


def run(urls: dict[str, str], model_dir: Path, workdir: Path, plan: Plan) -> dict:
    """The whole scenario on three empty databases; returns the verdict."""
    baseline = bare_post_round_trip()
    prepare(urls, plan.history_months)
    proxy = FaultyProxy(plan.fault_rate, plan.seed)
    stack = Stack(urls, model_dir, workdir, plan)
    stack.start_sim()
    stack.start("province")
    stack.wait_ready("province")
    keys = federate(stack, proxy)
    for slug in MEMBERS:
        stack.start(slug, keys[slug])
    for slug in MEMBERS:
        stack.wait_ready(slug)
    tally = Tally(filed={slug: [] for slug in MEMBERS}, open={slug: {} for slug in MEMBERS})
    stop, kills = threading.Event(), Counter()
    watching = threading.Event()
    threads = [threading.Thread(target=watcher, args=(urls["province"], tally, watching))]
    for n, slug in enumerate(MEMBERS):
        threads += [
            threading.Thread(target=resident, args=(stack, slug, tally, stop,
                                                    plan.resident_pause, plan.seed + n)),
            threading.Thread(target=officer, args=(stack, slug, tally, stop,
                                                   plan.officer_pause, plan.seed + 10 + n))]
    for thread in threads:
        thread.start()
    started = time.monotonic()
    try:
        stop.wait(plan.calm_seconds)
        tally.phase, proxy.on = "faults", True
        calm_stop = threading.Event()
        chaos_thread = threading.Thread(target=chaos, args=(
            stack, keys, plan, calm_stop, kills, plan.seed + 20))
        chaos_thread.start()
        stop.wait(plan.fault_seconds)
        calm_stop.set()
        chaos_thread.join()
        stop.set()
        for thread in threads[1:]:
            thread.join(30)
        tally.phase, proxy.on = "heal", False
        loaded = time.monotonic() - started
        healed = heal(stack, keys, plan)
    finally:
        stop.set()
        watching.set()
        threads[0].join(30)
        stack.stop()
    checked = compare(urls, tally.filed)
    return verdict(tally, checked, healed, kills, proxy, baseline, loaded)


def heal(stack: Stack, keys: dict[str, str], plan: Plan) -> dict:
    """Faults are off: restart what is down, wait until the province holds every member
    complaint at its version, stop the members, then push and check drift once more in
    this process."""
    from lapor_bridge.services.federation.drift import check_drift
    from lapor_bridge.services.federation.outbox import outbox_counts
    from lapor_bridge.services.federation.push import push_changes

    exited = sorted(name for name, proc in stack.procs.items() if proc.poll() is not None)
    for name in {name.removesuffix("-worker") for name in exited} - {"sim"}:
        stack.kill(name)
        stack.start(name, keys.get(name, ""))
    started = time.monotonic()
    members = {slug: context(stack.urls[slug], key=keys[slug]) for slug in MEMBERS}
    dead = {slug: outbox_counts(ctx).dead for slug, ctx in members.items()}

    try:
        wait_until(lambda: not behind(stack.urls), plan.settle_seconds,
                   "the province to hold every member complaint")
        settled = time.monotonic() - started
        stack.stop(*MEMBERS)  # nothing changes at the members from here on
        report = {}
        for slug, ctx in members.items():
            push_changes(ctx)
            first = check_drift(ctx)
            push_changes(ctx)
            report[slug] = {"dead rows": dead[slug], "drift found": first.drift,
                            "requeued": first.requeued, "drift after": check_drift(ctx).drift}
    finally:
        for ctx in members.values():
            ctx.engine.dispose()
    return {"processes that exited on their own": exited,
            "settle seconds": round(settled, 1), "members": report}


def behind(urls: dict[str, str]) -> int:
    """Member complaints the province lacks, or holds at an older version."""
    from lapor_bridge.db.models import Complaint, Region
    from lapor_bridge.db.models_federation import FederatedComplaint as F

    held = dict(read(urls["province"], select(F.tracking_number, F.remote_version)))
    count = 0
    for slug, (_, _, regions) in MEMBERS.items():
        count += sum(1 for number, version in read(urls[slug], select(
            Complaint.tracking_number, Complaint.version).join(Region).where(
            Complaint.member_id.is_(None), Region.code.in_([code for code, _ in regions])))
            if held.get(number, 0) < version)
    return count


def read(url: str, query) -> list:
    """The rows of ``query`` on the database at ``url``."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(query).all()
    finally:
        engine.dispose()


def compare(urls: dict[str, str], filed: dict[str, list[str]]) -> dict:
    """Each member's complaints of its kab/kota against the province's copies, directly;
    ``filed``: the complaints members answered 201, which must all be there."""
    from lapor_bridge.db.models import Complaint, ComplaintEvent, Region
    from lapor_bridge.db.models_federation import FederatedComplaint as F
    from lapor_bridge.db.models_federation import FederationMember

    events = (select(ComplaintEvent.complaint_id, func.count().label("n"))
              .where(ComplaintEvent.is_internal.is_(False))
              .group_by(ComplaintEvent.complaint_id).subquery())
    held = read(urls["province"], select(
        FederationMember.name, F.tracking_number, Complaint.status, F.remote_version,
        func.coalesce(events.c.n, 0))
        .join(FederationMember, FederationMember.id == F.member_id)
        .join(Complaint, Complaint.id == F.complaint_id)
        .outerjoin(events, events.c.complaint_id == Complaint.id))
    numbers = Counter(number for _, number, *_ in held)
    province_rows = read(urls["province"], select(func.count(), func.count(
        Complaint.tracking_number.distinct())).where(Complaint.member_id.is_not(None)))[0]
    result = {"duplicated": sum(n - 1 for n in numbers.values() if n > 1)
              + province_rows[0] - province_rows[1] + province_rows[0] - len(numbers)}
    lost = drift = history = local_count = extra = 0
    for slug, (name, _, regions) in MEMBERS.items():
        local = {number: rest for number, *rest in read(urls[slug], select(
            Complaint.tracking_number, Complaint.status, Complaint.version,
            func.coalesce(events.c.n, 0))
            .join(Region, Region.id == Complaint.region_id)
            .outerjoin(events, events.c.complaint_id == Complaint.id)
            .where(Complaint.member_id.is_(None),
                   Region.code.in_([code for code, _ in regions])))}
        remote = {number: rest for member, number, *rest in held if member == name}
        local_count += len(local)
        lost += len(set(local) - set(remote)) + len(set(filed[slug]) - set(local))
        extra += len(set(remote) - set(local))
        drift += sum(1 for number in set(local) & set(remote)
                     if local[number][:2] != remote[number][:2])
        history += sum(1 for number in set(local) & set(remote)
                       if min(local[number][2], 500) != remote[number][2])
    return {**result, "member complaints": local_count, "held at province": len(held),
            "lost": lost, "extra": extra, "drift": drift, "history mismatch": history}


def verdict(tally: Tally, checked: dict, healed: dict, kills: Counter, proxy: FaultyProxy,
            baseline: float, loaded: float) -> dict:
    """The zeros, the latencies and the context to read them by."""
    latencies: dict[str, list[float]] = {"calm": [], "faults": []}
    unseen = 0
    for _, number, version, at, phase in tally.changes:
        arrived = [when for held, when in tally.seen.get(number, {}).items() if held >= version]
        if not arrived:
            unseen += 1
        elif phase in latencies:
            latencies[phase].append((min(arrived) - at).total_seconds())
    figures = {}
    for phase, values in latencies.items():
        values.sort()
        figures[f"latency {phase}: changes"] = len(values)
        if values:
            figures[f"latency {phase}: median s"] = round(statistics.median(values), 1)
            figures[f"latency {phase}: p95 s"] = round(values[int(0.95 * (len(values) - 1))], 1)
            figures[f"latency {phase}: max s"] = round(values[-1], 1)
    return {
        **checked, **figures,
        "changes never seen at the province": unseen,
        "bare HTTP POST round trip, median ms": round(baseline, 2),
        "complaints answered 201": tally.intake[201],
        "intake outcomes": dict(tally.intake), "officer actions": dict(tally.actions),
        "kills": dict(kills), "proxied connections": proxy.connections,
        "network faults": dict(proxy.faults), "load seconds": round(loaded, 1), **healed,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=720, help="faulty phase")
    parser.add_argument("--calm-seconds", type=float, default=180)
    parser.add_argument("--push-seconds", type=float, default=60.0)
    parser.add_argument("--history", type=int, default=0, help="months of seeded history")
    parser.add_argument("--admin-url", default=os.environ.get(
        "LAPOR_BRIDGE_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"))
    args = parser.parse_args()
    from contextlib import ExitStack

    from bench_sync import own_database

    from classifiers.model import train_starter

    workdir = Path(tempfile.mkdtemp(prefix="federation-fault-"))
    train_starter(workdir / "model")
    plan = Plan(calm_seconds=args.calm_seconds, fault_seconds=args.seconds,
                push_seconds=args.push_seconds, history_months=args.history)
    started = time.monotonic()
    with ExitStack() as databases:
        urls = {name: databases.enter_context(own_database(args.admin_url))
                for name in ("province", *MEMBERS)}
        result = run(urls, workdir / "model", workdir, plan)
    print(json.dumps(result, indent=2, default=str))
    print(f"push every {plan.push_seconds:g} s, backoff {plan.backoff_base:g}–"
          f"{plan.backoff_max:g} s; total {time.monotonic() - started:.0f} s; load average "
          f"{os.getloadavg()[0]:.1f}; logs in {workdir}")
    zero = ("lost", "duplicated", "extra", "drift", "history mismatch",
            "changes never seen at the province")
    print("verdict:", "OK" if all(result[key] == 0 for key in zero) else "FAILED")


if __name__ == "__main__":
    main()
