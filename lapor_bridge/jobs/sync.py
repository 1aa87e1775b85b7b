"""LAPOR! sync job functions, and one full foreground cycle (``lapor-bridge sync-once``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from lapor_bridge.db.models_jobs import JobRun
from lapor_bridge.jobs.runner import Job, run_job
from lapor_bridge.lapor import LaporAuthError
from lapor_bridge.services.context import ServiceContext
from lapor_bridge.services.sync.inbound import import_disposed
from lapor_bridge.services.sync.masters import masters_are_stale, sync_institutions
from lapor_bridge.services.sync.poll import poll_due
from lapor_bridge.services.sync.push import push_pending

PUSH, POLL, INBOUND, MASTERS = "lapor-push", "lapor-poll", "lapor-inbound", "lapor-masters"


def run_push(ctx: ServiceContext):
    """Send the outbox until nothing is claimable."""
    return push_pending(ctx)


def run_poll(ctx: ServiceContext):
    """Poll the linked reports that are due."""
    return poll_due(ctx)


def run_inbound(ctx: ServiceContext):
    """Import national reports disposed to our instansi."""
    return import_disposed(ctx)


def run_masters(ctx: ServiceContext):
    """Refresh the instansi master list."""
    return sync_institutions(ctx)


@dataclass
class CycleOutcome:
    """What one foreground cycle did: each job's recorded run (None: skipped or locked)."""

    runs: dict[str, JobRun | None] = field(default_factory=dict)
    auth_error: LaporAuthError | None = None

    def summary(self) -> dict[str, Any]:
        """JSON-ready: per job, ok/skipped and its summary or error."""
        return {
            name: None if run is None else {"ok": run.ok, "summary": run.summary,
                                            "error": run.error}
            for name, run in self.runs.items()
        }


def run_cycle(ctx: ServiceContext, *, poll_all: bool = False) -> CycleOutcome:
    """Masters when stale, push until nothing is claimable, inbound, then poll.

    Each step runs under its job's lock and is recorded like a scheduled run; bad
    credentials stop the cycle and are returned in ``auth_error``.
    """
    outcome = CycleOutcome()

    def guarded(step: Callable[[ServiceContext], Any]) -> Callable[[ServiceContext], Any]:
        def run(context: ServiceContext) -> Any:
            try:
                return step(context)
            except LaporAuthError as exc:
                outcome.auth_error = exc
                raise
        return run

    steps = [
        Job(PUSH, guarded(run_push), "interval", singleton=False),
        Job(INBOUND, guarded(run_inbound), "interval"),
        Job(POLL, guarded(lambda c: poll_due(c, every=poll_all)), "interval"),
    ]
    if masters_are_stale(ctx):
        steps.insert(0, Job(MASTERS, guarded(run_masters), "cron"))
    for job in steps:
        outcome.runs[job.name] = run_job(ctx, job)
        if outcome.auth_error is not None:
            break
    return outcome
