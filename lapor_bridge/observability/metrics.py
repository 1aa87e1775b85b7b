"""Prometheus metrics of the web processes.

Counters and histograms are per process; under gunicorn they go through
``PROMETHEUS_MULTIPROC_DIR`` (set by ``lapor-bridge serve`` before this module is
imported) and are summed at scrape time. Queue figures — outbox depth, age and
errors, SLA breaches — are not counted in any process: :class:`DatabaseCollector`
asks the database at scrape time, through indexes only.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator, Sequence

from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from sqlalchemy import func, select

from lapor_bridge.db.models import Complaint, OutboxMessage
from lapor_bridge.db.models_federation import FederationMember, FederationOutbox
from lapor_bridge.domain.status import OPEN_VALUES
from lapor_bridge.services.context import Classifier, ServiceContext

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
QUEUED_STATES = ("pending", "sending", "dead")
FEDERATION_QUEUED = ("pending", "dead")
ERROR_SAMPLE = 10_000
ERROR_CLASS = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")

HTTP_REQUESTS = Counter("lapor_http_requests", "HTTP requests served",
                        ["endpoint", "method", "status"])
HTTP_SECONDS = Histogram("lapor_http_request_duration_seconds", "Time to answer a request",
                         ["endpoint"],
                         buckets=(.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10))
INTAKE = Counter("lapor_complaints_received", "Complaints stored by the web processes",
                 ["channel"])
CLASSIFY_SECONDS = Histogram("lapor_classification_seconds", "Time of one routing prediction",
                             buckets=(.0002, .0005, .001, .0025, .005, .01, .025, .05, .1))


class TimedClassifier:
    """A routing model whose predictions are timed into ``lapor_classification_seconds``."""

    def __init__(self, model: Classifier) -> None:
        self.model = model

    @property
    def version(self) -> str:
        """The timed model's version (it may change: see ``services.model_source``)."""
        return self.model.version

    @property
    def labels(self) -> tuple[str, ...]:
        """The timed model's labels."""
        return self.model.labels

    @property
    def target(self) -> str:
        """What the timed model's labels are (service categories or agency codes)."""
        return self.model.target

    def predict(self, texts: Sequence[str], k: int = 3) -> list[list[tuple[str, float]]]:
        """The model's prediction, timed."""
        started = time.perf_counter()
        try:
            return self.model.predict(texts, k=k)
        finally:
            CLASSIFY_SECONDS.observe(time.perf_counter() - started)


class DatabaseCollector:
    """Outbox and SLA gauges read from the database at each scrape (index scans)."""

    def __init__(self, context: ServiceContext) -> None:
        self.context = context

    def collect(self) -> Iterator[Metric]:
        """Yield the queue gauges; an unreachable database yields ``lapor_database_up 0``."""
        up = GaugeMetricFamily("lapor_database_up", "1 when the scrape could read the database")
        try:
            families = list(self._families())
        except Exception:  # the scrape must answer even when the database does not
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from families

    def _families(self) -> Iterator[Metric]:
        now = self.context.clock()
        depth = GaugeMetricFamily("lapor_outbox_messages", "Outbox rows not yet done",
                                  labels=["state"])
        age = GaugeMetricFamily("lapor_outbox_oldest_age_seconds",
                                "Age of the oldest outbox row not yet done", labels=["state"])
        errors = GaugeMetricFamily("lapor_outbox_errors",
                                   "Outbox rows not done whose last attempt failed, by error class",
                                   labels=["state", "error"])
        overdue = GaugeMetricFamily("lapor_sla_overdue_complaints",
                                    "Open complaints past their SLA due time", labels=["status"])
        with self.context.read() as session:
            queued = session.execute(
                select(OutboxMessage.state, func.count(), func.min(OutboxMessage.created_at))
                .where(OutboxMessage.state.in_(QUEUED_STATES)).group_by(OutboxMessage.state))
            found = {state: (count, oldest) for state, count, oldest in queued}
            failed = session.execute(
                select(OutboxMessage.state, OutboxMessage.last_error)
                .where(OutboxMessage.state.in_(QUEUED_STATES),
                       OutboxMessage.last_error.is_not(None))
                .limit(ERROR_SAMPLE)).all()
            late = dict(session.execute(
                select(Complaint.status, func.count())
                .where(Complaint.status.in_(OPEN_VALUES), Complaint.sla_due_at < now)
                .group_by(Complaint.status)).all())
        for state in QUEUED_STATES:
            count, oldest = found.get(state, (0, None))
            depth.add_metric([state], count)
            age.add_metric([state], _age(now, oldest))
        by_class: dict[tuple[str, str], int] = {}
        for state, message in failed:
            key = (state, error_class(message))
            by_class[key] = by_class.get(key, 0) + 1
        for labels, count in sorted(by_class.items()):
            errors.add_metric(list(labels), count)
        for status in OPEN_VALUES:
            overdue.add_metric([status], late.get(status, 0))
        yield from (depth, age, errors, overdue)
        yield from self._federation(now)

    def _federation(self, now) -> Iterator[Metric]:
        """A member's outbox towards its province; at a province, each active member's
        time since its last push and its last measured lag."""
        waiting = GaugeMetricFamily("lapor_federation_outbox_records",
                                    "Federation outbox rows not yet accepted by the province",
                                    labels=["state"])
        oldest = GaugeMetricFamily("lapor_federation_outbox_oldest_age_seconds",
                                   "Age of the oldest change not yet accepted by the province",
                                   labels=["state"])
        since = GaugeMetricFamily("lapor_federation_member_last_push_age_seconds",
                                  "Seconds since the member's last push (province)",
                                  labels=["member"])
        lag = GaugeMetricFamily("lapor_federation_member_lag_seconds",
                                "Change-to-province lag of the member's last push (province)",
                                labels=["member"])
        with self.context.read() as session:
            found = {state: (count, first) for state, count, first in session.execute(
                select(FederationOutbox.state, func.count(), func.min(FederationOutbox.changed_at))
                .where(FederationOutbox.state.in_(FEDERATION_QUEUED))
                .group_by(FederationOutbox.state))}
            members = session.execute(
                select(FederationMember.name, FederationMember.last_push_at,
                       FederationMember.last_lag_seconds)
                .where(FederationMember.active.is_(True))).all()
        for state in FEDERATION_QUEUED:
            count, first = found.get(state, (0, None))
            waiting.add_metric([state], count)
            oldest.add_metric([state], _age(now, first))
        for name, pushed, seconds in members:
            if pushed is not None:
                since.add_metric([name], _age(now, pushed))
            if seconds is not None:
                lag.add_metric([name], seconds)
        yield from (waiting, oldest, since, lag)


def _age(now, moment) -> float:
    """Seconds from ``moment`` (naive UTC from SQLite, or aware) to ``now``; 0 for None."""
    if moment is None:
        return 0
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=now.tzinfo)
    return max((now - moment).total_seconds(), 0)


def error_class(message: str) -> str:
    """A bounded label for a stored error: its exception name, or a fixed word."""
    head = message.split(":", 1)[0].strip()
    if ERROR_CLASS.match(head):
        return head
    if head.startswith("instansi belum dipetakan"):
        return "unmapped"
    if head.startswith("menunggu"):
        return "waiting"
    return "other"


def render(context: ServiceContext) -> bytes:
    """The text exposition of every process's samples plus the database gauges."""
    registry = CollectorRegistry(auto_describe=False)
    if os.environ.get(MULTIPROC_ENV):
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(_ProcessCollector())
    registry.register(DatabaseCollector(context))
    return generate_latest(registry)


class _ProcessCollector:
    """This process's default registry, for single-process servers and tests."""

    def collect(self) -> Iterator[Metric]:
        yield from REGISTRY.collect()
