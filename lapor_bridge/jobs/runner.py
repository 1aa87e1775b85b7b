"""Run one job: take its lock when it must run once across workers, record the run."""

from __future__ import annotations

import json
import logging
import os
import socket
import traceback
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, is_dataclass
from typing import Any

from lapor_bridge.db.models_jobs import JobRun
from lapor_bridge.jobs.locks import singleton
from lapor_bridge.services.context import ServiceContext

log = logging.getLogger(__name__)
WORKER_ID = f"{socket.gethostname()}:{os.getpid()}"


@dataclass(frozen=True)
class Job:
    """One entry of the schedule: what to run, how often, and whether only one worker may."""

    name: str
    run: Callable[[ServiceContext], Any]
    trigger: str  # "interval" or "cron" (APScheduler trigger names)
    trigger_args: dict[str, Any] = field(default_factory=dict)
    singleton: bool = True


def run_job(ctx: ServiceContext, job: Job) -> JobRun | None:
    """Run ``job`` once now; None when another worker holds its lock."""
    engine = ctx.engine
    lock_dir = ctx.settings.path(ctx.settings.app.instance_dir) / "locks"
    if not job.singleton:
        return _run_recorded(ctx, job)
    with singleton(engine, f"job:{job.name}", lock_dir) as held:
        if not held:
            log.debug("job %s is running elsewhere; skipped", job.name)
            return None
        return _run_recorded(ctx, job)


def _run_recorded(ctx: ServiceContext, job: Job) -> JobRun:
    with ctx.transaction() as session:
        record = JobRun(name=job.name, worker=WORKER_ID, started_at=ctx.clock())
        session.add(record)
    try:
        result = job.run(ctx)
    except Exception as exc:  # a failing job is recorded and retried on its next tick
        log.exception("job %s failed", job.name)
        outcome = {"ok": False, "error": "".join(traceback.format_exception_only(exc)).strip()}
    else:
        outcome = {"ok": True, "summary": _as_summary(result)}
    with ctx.transaction() as session:
        record = session.merge(record)
        record.finished_at = ctx.clock()
        record.ok = outcome["ok"]
        record.summary = outcome.get("summary")
        record.error = outcome.get("error")
    return record


def _as_summary(result: Any) -> dict | None:
    if result is None:
        return None
    if is_dataclass(result) and not isinstance(result, type):
        result = asdict(result)
    if not isinstance(result, dict):
        result = {"result": result}
    return json.loads(json.dumps(result, default=str))
