"""The worker's metrics are counted from each finished job's recorded run."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from prometheus_client import REGISTRY

from lapor_bridge.observability.worker_metrics import observe_job

STARTED = datetime(2026, 3, 2, 1, tzinfo=UTC)


def value(name, **labels):
    return REGISTRY.get_sample_value(name, labels) or 0.0


def finished(name, ok=True, summary=None, error=None, exception=None):
    run = SimpleNamespace(name=name, ok=ok, summary=summary, error=error, started_at=STARTED,
                          finished_at=STARTED + timedelta(seconds=2))
    return SimpleNamespace(job_id=name, retval=None if exception else run, exception=exception)


def test_push_run_counts_sent_and_errors_by_class():
    before = (value("lapor_outbox_sent_total"),
              value("lapor_sync_errors_total", job="lapor-push", error="LaporServerError"),
              value("lapor_sync_errors_total", job="lapor-push", error="unmapped"),
              value("lapor_job_runs_total", job="lapor-push", outcome="ok"),
              value("lapor_job_duration_seconds_sum", job="lapor-push"))
    observe_job(finished("lapor-push", summary={
        "sent": 7, "errors": {"LaporServerError": 2, "instansi belum dipetakan": 1}}))
    after = (value("lapor_outbox_sent_total"),
             value("lapor_sync_errors_total", job="lapor-push", error="LaporServerError"),
             value("lapor_sync_errors_total", job="lapor-push", error="unmapped"),
             value("lapor_job_runs_total", job="lapor-push", outcome="ok"),
             value("lapor_job_duration_seconds_sum", job="lapor-push"))
    assert [b - a for a, b in zip(before, after, strict=True)] == [7, 2, 1, 1, 2]


def test_failed_skipped_and_sla_runs():
    failed = value("lapor_sync_errors_total", job="lapor-poll", error="OperationalError")
    skipped = value("lapor_job_runs_total", job="lapor-inbound", outcome="skipped")
    escalated = value("lapor_sla_escalations_total")
    observe_job(finished("lapor-poll", ok=False, error="OperationalError: server closed"))
    observe_job(SimpleNamespace(job_id="lapor-inbound", retval=None, exception=None))
    observe_job(finished("sla", summary={"checked": 9, "escalated": 3}))
    assert value("lapor_sync_errors_total", job="lapor-poll", error="OperationalError") \
        == failed + 1
    assert value("lapor_job_runs_total", job="lapor-inbound", outcome="skipped") == skipped + 1
    assert value("lapor_sla_escalations_total") == escalated + 3


def test_federation_push_counts_records_by_outcome():
    outcomes = ("sent", "retried", "dead")
    before = [value("lapor_federation_records_total", outcome=name) for name in outcomes]
    observe_job(finished("federation-push", summary={"queued": 9, "sent": 5, "retried": 3,
                                                     "dead": 1, "refused": 2}))
    after = [value("lapor_federation_records_total", outcome=name) for name in outcomes]
    assert [b - a for a, b in zip(before, after, strict=True)] == [5, 3, 3]
