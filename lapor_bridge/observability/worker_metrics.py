"""Prometheus metrics of ``lapor-bridge worker``, served on its own port.

Counted from each finished job's recorded run (``JobRun``): runs and their time,
sync errors by class, complaints sent to LAPOR!, SLA escalations, federation records the
province acknowledged, dead-lettered, or put back for a retry.
"""

from __future__ import annotations

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, JobExecutionEvent
from apscheduler.schedulers.base import BaseScheduler
from prometheus_client import Counter, Histogram, start_http_server

from lapor_bridge.observability.metrics import error_class

JOB_RUNS = Counter("lapor_job_runs", "Job runs of this worker", ["job", "outcome"])
JOB_SECONDS = Histogram("lapor_job_duration_seconds", "Time of one job run", ["job"],
                        buckets=(.05, .1, .5, 1, 5, 15, 60, 300, 900))
SYNC_ERRORS = Counter("lapor_sync_errors", "Failed LAPOR! requests and applies, by class",
                      ["job", "error"])
SENT = Counter("lapor_outbox_sent", "Outbox rows LAPOR! accepted")
ESCALATIONS = Counter("lapor_sla_escalations", "Overdue complaints escalated by the SLA job")
FEDERATION = Counter("lapor_federation_records", "Records pushed to the province, by outcome",
                     ["outcome"])
FEDERATION_OUTCOMES = {"sent": "sent", "retried": "retried", "dead": "dead", "refused": "dead"}


def observe_job(event: JobExecutionEvent) -> None:
    """Count one finished APScheduler run of ``run_job`` (its return value is the JobRun)."""
    run = getattr(event, "retval", None)
    if event.exception is not None or run is None:
        JOB_RUNS.labels(event.job_id, "error" if event.exception else "skipped").inc()
        return
    JOB_RUNS.labels(run.name, "ok" if run.ok else "failed").inc()
    if run.finished_at and run.started_at:
        JOB_SECONDS.labels(run.name).observe((run.finished_at - run.started_at).total_seconds())
    summary = run.summary or {}
    for kind, count in (summary.get("errors") or {}).items():
        SYNC_ERRORS.labels(run.name, error_class(kind)).inc(count)
    if not run.ok and run.error:
        SYNC_ERRORS.labels(run.name, error_class(run.error)).inc()
    SENT.inc(summary.get("sent", 0) if run.name == "lapor-push" else 0)
    ESCALATIONS.inc(summary.get("escalated", 0) if run.name == "sla" else 0)
    if run.name == "federation-push":
        for key, outcome in FEDERATION_OUTCOMES.items():
            FEDERATION.labels(outcome).inc(summary.get(key, 0))


def serve_worker_metrics(scheduler: BaseScheduler, port: int, host: str) -> None:
    """Count the scheduler's jobs and serve ``/metrics`` on ``host:port`` (0: do nothing)."""
    if not port:
        return
    scheduler.add_listener(observe_job, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
    start_http_server(port, addr=host)
