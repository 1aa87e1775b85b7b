"""Chaos: a few hundred complaints and follow-ups both ways while LAPOR! misbehaves.

The simulator runs on loopback with every fault at a meaningful rate; workers are
real ``lapor-bridge worker`` subprocesses, one of which is SIGKILLed mid-batch and
restarted; the national side acts through ``/_sim/``. Then faults stop, the sync
settles, and the test checks exactly-once both ways and a drift of zero.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm.exc import StaleDataError

from lapor_bridge.db.models import Complaint, ComplaintEvent, OutboxMessage
from lapor_bridge.db.models_sync import LaporSeen
from lapor_bridge.domain.transitions import IllegalTransition
from lapor_bridge.lapor.marker import MARKER_PREFIX
from lapor_bridge.lapor.simulator import FaultConfig, run_in_thread
from lapor_bridge.services.alignment import alignment_report
from tests.sync.conftest import submit, with_lapor
from tests.sync.test_sync_poll import respond

pytestmark = pytest.mark.slow

LB = str(Path(sys.executable).parent / "lapor-bridge")
COMPLAINTS = 200
NATIONAL = 20
OURS = {1001, 1002, 1003, 1004, 1005, 1006, 1007, 1008, 1010, 1013, 1018}
CHAOS = FaultConfig(
    latency_ms=(0, 15), fail_rate=0.15, lost_response_rate=0.1, disorder_rate=0.3,
    hang_ms=1500, retry_after_s=1,
)
SETTLE_SECONDS = 120


def worker_env(settings, sim, instance_dir: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("LAPOR_BRIDGE_")}
    values = {
        "DATABASE__URL": settings.database.url, "APP__INSTANCE_DIR": str(instance_dir),
        "CLASSIFIER__MODEL_DIR": settings.classifier.model_dir,
        "LAPOR__BASE_URL": sim.base_url, "LAPOR__TOKEN": sim.token, "LAPOR__SECRET": sim.secret,
        "LAPOR__READ_TIMEOUT": "1.0", "LAPOR__CONNECT_TIMEOUT": "0.5",
        "LAPOR__LEASE_SECONDS": "10", "LAPOR__BATCH_SIZE": "20",
        "LAPOR__BACKOFF_BASE_SECONDS": "0.2", "LAPOR__BACKOFF_MAX_SECONDS": "2",
        "LAPOR__MAX_ATTEMPTS": "1000", "LAPOR__POLL_UNVERIFIED_SECONDS": "1",
        "LAPOR__POLL_OPEN_SECONDS": "1", "LAPOR__UNMAPPED_RETRY_SECONDS": "1",
        "LAPOR__PUSH_INTERVAL_SECONDS": "0.5", "LAPOR__POLL_INTERVAL_SECONDS": "1",
        "LAPOR__INBOUND_INTERVAL_SECONDS": "2",
    }
    env.update({f"LAPOR_BRIDGE_{key}": value for key, value in values.items()})
    return env


class Workers:
    """``lapor-bridge worker`` subprocesses, logging to files under ``where``."""

    def __init__(self, env: dict[str, str], where: Path) -> None:
        self.env, self.where, self.procs, self.started = env, where, {}, 0

    def start(self, name: str) -> None:
        self.started += 1
        log = open(self.where / f"{name}-{self.started}.log", "w")  # noqa: SIM115
        self.procs[name] = subprocess.Popen(
            [LB, "worker"], env=self.env, cwd=self.where, stdout=log, stderr=subprocess.STDOUT)

    def kill(self, name: str) -> None:
        self.procs[name].send_signal(signal.SIGKILL)
        self.procs[name].wait(10)

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)
        for proc in self.procs.values():
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)

    def check_alive(self) -> None:
        for name, proc in self.procs.items():
            assert proc.poll() is None, f"worker {name} died: see {self.where}"


def scalar(ctx, query):
    with ctx.read() as session:
        return session.scalar(query)


class NationalSide:
    """Plays LAPOR!'s admins, other instansi and reporters, each action once per report."""

    def __init__(self, sim) -> None:
        self.sim, self.done, self.filed = sim, set(), 0

    def act(self) -> None:
        control = self.sim.control
        if self.filed < NATIONAL:
            target = (1001, 1002, 1003)[self.filed % 3]
            control.file_nationally(f"Laporan nasional {self.filed}",
                                    f"Laporan warga nomor {self.filed} lewat lapor.go.id, "
                                    "mohon ditindaklanjuti.", target)
            self.filed += 1
        for report in control.complaints():
            self._one(control, report)

    def _once(self, key) -> bool:
        if key in self.done:
            return False
        self.done.add(key)
        return True

    def _one(self, control, report) -> None:
        lapor_id, status = report["id"], report["status"]
        if report["source"] != "api":
            if status == "Dalam Proses" and lapor_id % 4 == 0 and self._once(("prov", lapor_id)):
                control.post_followup(lapor_id, f"Provinsi memantau #{lapor_id}.",
                                      institution_id=2001)
            return
        if status == "Belum Terverifikasi":
            if lapor_id % 10 == 0:
                control.archive(lapor_id, "terlalu umum")
            elif lapor_id % 3 == 0:  # the admin takes a while with some of them
                control.verify(lapor_id)
            return
        if status == "Terverifikasi":
            target = 1003 if lapor_id % 7 == 0 else report["institution"]
            control.dispose(lapor_id, target)
            return
        if status != "Dalam Proses":
            return
        if lapor_id % 5 == 1 and self._once(("prov", lapor_id)):
            control.post_followup(lapor_id, f"Provinsi memantau #{lapor_id}.",
                                  institution_id=2001)
        if lapor_id % 6 == 2 and self._once(("reporter", lapor_id)):
            control.post_followup(lapor_id, f"Pelapor menambahkan keterangan #{lapor_id}.")

    def finish(self) -> None:
        """Verify and dispose whatever is still waiting, so every push can land."""
        control = self.sim.control
        for report in control.complaints():
            if report["status"] == "Belum Terverifikasi":
                control.verify(report["id"])
                report = control.complaint(report["id"])
            if report["status"] == "Terverifikasi":
                control.dispose(report["id"], report["institution"])


class LocalSide:
    """Officers answering complaints here (each once), which the outbox must push."""

    def __init__(self, ctx) -> None:
        self.ctx, self.answered = ctx, set()

    def act(self) -> None:
        with self.ctx.read() as session:
            linked = session.execute(select(Complaint.tracking_number, Complaint.lapor_id)
                                     .where(Complaint.lapor_id.is_not(None))).all()
        for number, lapor_id in linked:
            lapor_id = int(lapor_id)
            if number in self.answered or lapor_id % 10 == 0 or lapor_id % 7 == 0 \
                    or lapor_id % 4 != 1:
                continue
            try:
                respond(self.ctx, number, f"Petugas menindaklanjuti laporan {number}.")
            except (StaleDataError, IllegalTransition):
                continue  # the poller changed it meanwhile, or it is closed: next round
            self.answered.add(number)


def settled(ctx) -> bool:
    return scalar(ctx, select(func.count()).select_from(OutboxMessage)
                  .where(OutboxMessage.state != "done")) == 0


@pytest.mark.parametrize("workers", [1, 2])
def test_chaos_sync_converges_exactly_once(ctx, tmp_path, workers):
    if workers == 2 and ctx.session_factory.kw["bind"].dialect.name != "postgresql":
        pytest.skip("several workers share one PostgreSQL")
    sim = run_in_thread(tmp_path / "lapor-sim.db", seed=20260302, faults=CHAOS)
    local_ctx = with_lapor(ctx, sim)
    pool = Workers(worker_env(ctx.settings, sim, tmp_path / "instance"), tmp_path)
    try:
        for n in range(COMPLAINTS):
            submit(ctx, n)
        for index in range(workers):
            pool.start(f"w{index}")
        national, local = NationalSide(sim), LocalSide(local_ctx)
        killed = False
        sending = select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.state == "sending")
        deadline = time.monotonic() + SETTLE_SECONDS
        while time.monotonic() < deadline:
            sent = scalar(ctx, select(func.count()).select_from(OutboxMessage)
                          .where(OutboxMessage.state == "done"))
            if not killed and sent >= COMPLAINTS // 3 and scalar(ctx, sending):
                pool.kill("w0")  # mid-batch: its leased rows must come back
                pool.start("w0")
                killed = True
            national.act()
            local.act()
            pool.check_alive()
            if killed and national.filed == NATIONAL and sent >= COMPLAINTS:
                break
            time.sleep(0.3)
        assert killed, "the backlog never got a third of the way: see worker logs"
        sim.app.extensions["lapor_sim"].faults.reconfigure(FaultConfig())
        national.finish()
        report = None
        while time.monotonic() < deadline + SETTLE_SECONDS:
            local.act()
            national.finish()
            if settled(ctx):
                report = alignment_report(local_ctx)
                if report["drift"] == 0 and report["unlinked"] == 0:
                    break
            time.sleep(1)
        pool.stop()
        assert report is not None and report["drift"] == 0, report
        cli = subprocess.run([LB, "alignment-report"], env=pool.env, cwd=tmp_path,
                             capture_output=True, text=True, timeout=120, check=True)
        printed = json.loads(cli.stdout)
        assert printed["drift"] == 0 and printed["linked"] == COMPLAINTS + NATIONAL

        remote = sim.control.complaints()
        _assert_every_complaint_exists_once_at_lapor(ctx, remote)
        _assert_every_national_change_arrived_once(ctx, remote)
        assert len(local.answered) > 10
        assert scalar(ctx, select(func.count()).select_from(OutboxMessage)
                      .where(OutboxMessage.state == "dead")) == 0
    finally:
        pool.stop()
        sim.stop()


def _assert_every_complaint_exists_once_at_lapor(ctx, remote) -> None:
    with ctx.read() as session:
        ours = dict(session.execute(
            select(OutboxMessage.idempotency_key, Complaint.lapor_id)
            .join(Complaint).where(OutboxMessage.kind == "create")).all())
        answers = list(session.scalars(select(ComplaintEvent.note).where(
            ComplaintEvent.kind == "responded")))
    by_key: dict[str, list[int]] = {}
    for report in remote:
        for tag in report["tags"]:
            if tag.startswith(MARKER_PREFIX):
                by_key.setdefault(tag[len(MARKER_PREFIX):], []).append(report["id"])
    assert len(ours) == COMPLAINTS
    assert {key: [int(lapor_id)] for key, lapor_id in ours.items()} == by_key
    pushed = [f["content"] for report in remote for f in report["followups"]
              if f["institution_from_id"] in OURS]
    assert sorted(pushed) == sorted(answers)


def _assert_every_national_change_arrived_once(ctx, remote) -> None:
    national = [r for r in remote if r["source"] == "national"]
    foreign = {(r["id"], f["id"]) for r in remote for f in r["followups"]
               if f["is_reporter"] or f["institution_from_id"] not in OURS}
    with ctx.read() as session:
        imported = list(session.scalars(select(Complaint.lapor_id)
                                        .where(Complaint.channel == "lapor")))
        arrived = session.execute(
            select(LaporSeen.lapor_id, LaporSeen.remote_id, ComplaintEvent.kind)
            .join(ComplaintEvent, ComplaintEvent.id == LaporSeen.event_id)
            .where(LaporSeen.kind == "followup")).all()
        lapor_events = session.scalar(select(func.count()).select_from(ComplaintEvent).where(
            ComplaintEvent.kind.in_(("followup", "reporter_replied")),
            ComplaintEvent.actor_type == "lapor"))
    assert sorted(int(i) for i in imported) == sorted(r["id"] for r in national)
    assert {(lapor_id, remote_id) for lapor_id, remote_id, _ in arrived} == foreign
    assert len(arrived) == len(foreign) == lapor_events and len(foreign) > 10
