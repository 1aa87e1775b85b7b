"""The worker process: APScheduler 3 running the declarative schedule."""

from __future__ import annotations

import logging

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from lapor_bridge.jobs.runner import Job, run_job
from lapor_bridge.services.context import ServiceContext

log = logging.getLogger(__name__)


def build_scheduler(
    ctx: ServiceContext, jobs: tuple[Job, ...], *, background: bool = False
) -> BaseScheduler:
    """A scheduler with one APScheduler job per schedule entry (blocking, or in a thread)."""
    kind = BackgroundScheduler if background else BlockingScheduler
    scheduler = kind(
        timezone=ctx.settings.app.timezone,
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 300},
    )
    for job in jobs:
        scheduler.add_job(run_job, job.trigger, args=(ctx, job), id=job.name, name=job.name,
                          **job.trigger_args)
    return scheduler
