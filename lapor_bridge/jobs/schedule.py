"""The worker's schedule: one declarative list of every periodic job."""

from __future__ import annotations

from lapor_bridge.config import Settings
from lapor_bridge.jobs import federation
from lapor_bridge.jobs.retrain import RETRAIN, run_retrain
from lapor_bridge.jobs.runner import Job
from lapor_bridge.jobs.sla import run_sla_cycle
from lapor_bridge.jobs.stats import STATS, STATS_INTERVAL_MINUTES, refresh_daily_stats
from lapor_bridge.jobs.sync import (
    INBOUND,
    MASTERS,
    POLL,
    PUSH,
    run_inbound,
    run_masters,
    run_poll,
    run_push,
)
from lapor_bridge.services.alignment import run_alignment
from lapor_bridge.services.mail_delivery import deliver_mail

SLA_INTERVAL_MINUTES = 15
ALIGNMENT = "lapor-alignment"
MAIL = "mail"


def schedule(settings: Settings) -> tuple[Job, ...]:
    """Every job the worker runs. Push and mail run in every worker (claims keep them
    apart); the others run in one worker at a time (advisory lock)."""
    lapor = settings.lapor
    return (
        Job(PUSH, run_push, "interval", {"seconds": lapor.push_interval_seconds},
            singleton=False),
        Job(POLL, run_poll, "interval", {"seconds": lapor.poll_interval_seconds}),
        Job(INBOUND, run_inbound, "interval", {"seconds": lapor.inbound_interval_seconds}),
        Job(MASTERS, run_masters, "cron", {"hour": 2, "minute": 0}),
        Job("sla", run_sla_cycle, "interval", {"minutes": SLA_INTERVAL_MINUTES}),
        Job(STATS, refresh_daily_stats, "interval", {"minutes": STATS_INTERVAL_MINUTES}),
        # Asks LAPOR! once or twice per linked report: daily, after the master-data sync.
        Job(ALIGNMENT, run_alignment, "cron", {"hour": 3, "minute": 0}),
        Job(RETRAIN, run_retrain, "cron", {"day_of_week": "sun", "hour": 4, "minute": 0}),
        # Like push: every worker sends, the lease keeps them apart.
        Job(MAIL, deliver_mail, "interval", {"seconds": settings.mail.interval_seconds},
            singleton=False),
        # A member's reports to its province: one sender at a time (the records are
        # idempotent at the province, the lock only saves work).
        Job(federation.PUSH, federation.run_push, "interval",
            {"seconds": settings.federation.push_interval_seconds}),
        Job(federation.DRIFT, federation.run_drift, "interval",
            {"seconds": settings.federation.drift_interval_seconds}),
    )
