"""``push_changes``: queue the member's changed complaints and send them to the province.

Batches of ``batch_size`` due rows, oldest first. The province answers per record: a
stored, updated, duplicate or stale record is acknowledged (the row is ``sent`` unless
the complaint changed again meanwhile), a refused one is dead with the province's
reason. A network error, 5xx, 429 or a request the province refuses as malformed puts
the batch back with the LAPOR! outbox's backoff (exponential, capped, jittered; dead
after ``max_attempts``) and ends the run: the next run tries again. A 413 halves the
batch and tries again at once. A 401/403 ends the run untouched. A run with nothing to
send still posts an empty batch: the province then knows the member is alive.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, bindparam, case, or_, select, update

from lapor_bridge.db.models import UtcDateTime
from lapor_bridge.db.models_federation import FederationOutbox, FederationUplink
from lapor_bridge.domain.backoff import backoff_seconds
from lapor_bridge.services.context import ServiceContext
from lapor_bridge.services.federation.client import (
    FederationAuthError,
    FederationError,
    FederationRetryable,
    FederationTooLarge,
)
from lapor_bridge.services.federation.outbox import enqueue_changes
from lapor_bridge.services.federation.record import build_records
from lapor_bridge.services.federation.uplink import ClientFactory, client_factory, current_uplink

log = logging.getLogger(__name__)
ACKNOWLEDGED = frozenset({"stored", "updated", "duplicate", "stale"})
OUTBOX = FederationOutbox.__table__


@dataclass
class PushSummary:
    """What one push run did."""

    queued: int = 0
    sent: int = 0
    refused: int = 0
    retried: int = 0
    dead: int = 0
    results: dict[str, int] = field(default_factory=dict)
    error: str | None = None


def push_changes(ctx: ServiceContext, clients: ClientFactory | None = None, *,
                 max_batches: int | None = None) -> PushSummary:
    """Queue changes, then send due rows until none is left (or ``max_batches``)."""
    summary = PushSummary()
    uplink = current_uplink(ctx)
    if uplink is None:
        return summary
    summary.queued = enqueue_changes(ctx)
    settings = ctx.settings.federation
    client = (clients or client_factory(ctx))(uplink.province_url)
    batches, size = 0, settings.batch_size
    try:
        while max_batches is None or batches < max_batches:
            now = ctx.clock()
            with ctx.read() as session:
                due = session.execute(
                    select(FederationOutbox.complaint_id, FederationOutbox.attempts)
                    .where(FederationOutbox.state == "pending",
                           FederationOutbox.next_attempt_at <= now)
                    .order_by(FederationOutbox.next_attempt_at, FederationOutbox.complaint_id)
                    .limit(size)).all()
                records = build_records(session, [row.complaint_id for row in due],
                                        ctx.settings.sla, _public_url(ctx), now)
            if not due:
                if batches == 0:
                    _heartbeat(ctx, client, summary)
                break
            batches += 1
            ids = [row.complaint_id for row in due if row.complaint_id in records]
            gone = [{"_id": row.complaint_id, "_error": "complaint not found"}
                    for row in due if row.complaint_id not in records]
            if gone:
                _mark_dead(ctx, gone)
                summary.dead += len(gone)
            if not ids:
                continue
            try:
                results = client.send([records[complaint_id] for complaint_id in ids])
            except FederationAuthError as exc:
                _note(ctx, str(exc))
                raise
            except FederationTooLarge as exc:
                if size == 1:
                    raise FederationError(f"one record is too large: {exc}") from exc
                size = max(1, size // 2)
                continue
            except FederationError as exc:
                summary.error = str(exc)
                _back_off(ctx, due, exc, summary)
                _note(ctx, str(exc))
                break
            _record(ctx, ids, records, results, summary)
            _note(ctx, None, pushed=True)
    finally:
        client.close()
    return summary


def _heartbeat(ctx: ServiceContext, client, summary: PushSummary) -> None:
    """An empty batch: tells the province we are alive and our key still works."""
    try:
        client.send([])
    except FederationAuthError as exc:
        _note(ctx, str(exc))
        raise
    except FederationError as exc:
        summary.error = str(exc)
        _note(ctx, str(exc))
        return
    _note(ctx, None, pushed=True)


def _record(ctx: ServiceContext, ids, records, results, summary: PushSummary) -> None:
    acknowledged, refused = [], []
    for complaint_id, result in zip(ids, results, strict=True):
        outcome = str(result.get("result"))
        summary.results[outcome] = summary.results.get(outcome, 0) + 1
        if outcome in ACKNOWLEDGED:
            record = records[complaint_id]
            acknowledged.append({"_id": complaint_id, "_version": record["version"],
                                 "_changed": datetime.fromisoformat(record["changed_at"])})
        else:
            refused.append({"_id": complaint_id,
                            "_error": f"{outcome}: {result.get('error') or ''}"[:1000]})
    if acknowledged:
        version, changed = bindparam("_version"), bindparam("_changed", type_=UtcDateTime())
        older = or_(OUTBOX.c.version < version,
                    and_(OUTBOX.c.version == version, OUTBOX.c.changed_at < changed))
        with ctx.transaction() as session:  # sent unless the complaint moved on meanwhile
            session.execute(
                update(OUTBOX).where(OUTBOX.c.complaint_id == bindparam("_id"))
                .values(sent_version=version,
                        version=case((older, version), else_=OUTBOX.c.version),
                        changed_at=case((older, changed), else_=OUTBOX.c.changed_at),
                        state=case((or_(older, and_(OUTBOX.c.version == version,
                                                    OUTBOX.c.changed_at == changed)), "sent"),
                                   else_="pending"),
                        attempts=0, last_error=None), acknowledged)
    if refused:
        _mark_dead(ctx, refused)
    summary.sent += len(acknowledged)
    summary.refused += len(refused)


def _mark_dead(ctx: ServiceContext, rows: list[dict]) -> None:
    with ctx.transaction() as session:
        session.execute(update(OUTBOX).where(OUTBOX.c.complaint_id == bindparam("_id"))
                        .values(state="dead", last_error=bindparam("_error")), rows)


def _back_off(ctx: ServiceContext, due, error: FederationError, summary: PushSummary) -> None:
    settings = ctx.settings.federation
    now = ctx.clock()
    with ctx.transaction() as session:
        for complaint_id, attempts in due:
            row = session.get(FederationOutbox, complaint_id)
            row.attempts = attempts + 1
            row.last_error = str(error)[:1000]
            if row.attempts >= settings.max_attempts:
                row.state = "dead"
                summary.dead += 1
                continue
            delay = backoff_seconds(row.attempts, settings.backoff_base_seconds,
                                    settings.backoff_max_seconds)
            if isinstance(error, FederationRetryable) and error.retry_after:
                delay = max(delay, error.retry_after)
            row.next_attempt_at = now + timedelta(seconds=delay)
            summary.retried += 1


def _note(ctx: ServiceContext, error: str | None, *, pushed: bool = False) -> None:
    with ctx.transaction() as session:
        uplink = session.scalar(select(FederationUplink))
        if uplink is not None:
            uplink.last_error = error
            if pushed:
                uplink.last_push_at = ctx.clock()


def _public_url(ctx: ServiceContext) -> str:
    return ctx.settings.federation.public_url or ctx.settings.mail.public_url
