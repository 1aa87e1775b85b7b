"""``push_pending``: send the LAPOR! outbox (claim → send → record), across workers.

A claim leases rows to one sender: ``state='sending'`` with ``next_attempt_at`` as the
lease end, ``FOR UPDATE SKIP LOCKED`` on PostgreSQL (SQLite serialises claims with
``BEGIN IMMEDIATE``). A row whose lease ran out is claimable again; that is how a
killed worker's rows come back. Only the oldest unfinished row of a complaint is
claimable, so a follow-up never overtakes its complaint's ``create``. The request is
built at claim time from the complaint, its event and its link; HTTP happens outside
any transaction; results are recorded per batch, fenced on the lease.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from lapor_bridge.db.models import Agency, Complaint, ComplaintEvent, OutboxMessage
from lapor_bridge.db.models_sync import LaporLink, LaporSeen
from lapor_bridge.domain.backoff import backoff_seconds
from lapor_bridge.lapor import (
    ComplaintDraft,
    FollowupDraft,
    LaporAuthError,
    LaporClient,
    LaporError,
    LaporPermanentError,
    LaporRateLimited,
    LaporRetryableError,
)
from lapor_bridge.lapor.mapping import BELUM_TERVERIFIKASI
from lapor_bridge.services.context import ServiceContext

log = logging.getLogger(__name__)

ClientFactory = Callable[[], LaporClient]
FOLLOWUP_KINDS = frozenset({"followup", "resolve", "reporter_reply", "archive", "reject"})
TRANSFER_KINDS = frozenset({"transfer", "dispose"})
KINDS = FOLLOWUP_KINDS | TRANSFER_KINDS | {"create"}
UNMAPPED = "instansi belum dipetakan"
# What a follow-up-shaped message says before the event's note (no dedicated endpoint).
FOLLOWUP_PREFIX = {
    "followup": "",
    "resolve": "Pengaduan dinyatakan selesai oleh instansi.",
    "reporter_reply": "Tanggapan pelapor:",
    "archive": "Pengaduan diarsipkan oleh admin daerah.",
    "reject": "Pengaduan ditolak oleh admin daerah.",
}
# After a write whose outcome is unknown, the request may still be queued at LAPOR!:
# wait this many request-timeouts before looking for it and writing again.
UNKNOWN_OUTCOME_TIMEOUTS = 5


@dataclass(frozen=True)
class TransferRequest:
    """A "bukan wewenang" forward of report ``lapor_id`` to ``institution_id``."""

    lapor_id: int
    institution_id: int
    reason: str


@dataclass(frozen=True)
class Outgoing:
    """One claimed outbox row, with the LAPOR! request built from it (or why it can't be)."""

    outbox_id: int
    kind: str
    key: str
    attempts: int
    lease_until: datetime
    complaint_id: int
    request: ComplaintDraft | FollowupDraft | TransferRequest | None
    blocked: str | None = None
    remote_closed: bool = False


@dataclass(frozen=True)
class Outcome:
    """What happened to one row: ``sent`` (ref), ``retry``, ``wait``, ``dead`` or ``release``."""

    item: Outgoing
    result: str
    ref: int | None = None
    error: str | None = None
    delay: float = 0.0
    counts: bool = True


@dataclass
class PushResult:
    """Totals of one push run."""

    claimed: int = 0
    sent: int = 0
    retried: int = 0
    waiting: int = 0
    dead: int = 0
    released: int = 0
    rate_limited_for: float | None = None
    errors: dict[str, int] = field(default_factory=dict)


def push_pending(
    ctx: ServiceContext,
    client_factory: ClientFactory | None = None,
    *,
    concurrency: int | None = None,
    max_batches: int | None = None,
) -> PushResult:
    """Send claimable outbox rows until none is left; raise ``LaporAuthError`` on bad credentials.

    A 429 pauses the whole sender: the batch's unsent rows are put back until
    ``Retry-After`` and the run ends.
    """
    settings = ctx.settings.lapor
    factory = client_factory or (lambda: LaporClient(settings))
    threads = max(1, concurrency or settings.concurrency)
    result = PushResult()
    local = threading.local()
    clients: list[LaporClient] = []

    def client() -> LaporClient:
        if not hasattr(local, "client"):
            local.client = factory()
            clients.append(local.client)
        return local.client

    batches = 0
    recording: Future | None = None  # a batch is recorded while the next one is sent
    try:
        with ThreadPoolExecutor(threads, thread_name_prefix="lapor-push") as pool, \
                ThreadPoolExecutor(1, thread_name_prefix="lapor-record") as recorder:
            while max_batches is None or batches < max_batches:
                items = claim_batch(ctx, settings.batch_size)
                if not items:
                    break
                batches += 1
                result.claimed += len(items)
                stop = threading.Event()
                outcomes = list(pool.map(partial(_send, ctx, client, stop=stop), items))
                _finish(recording)
                recording = recorder.submit(record_outcomes, ctx, outcomes, result)
                if stop.is_set():  # bad credentials or a 429: record, then stop
                    break
            _finish(recording)
    finally:
        for each in clients:
            each.close()
    return result


def _finish(recording: Future | None) -> None:
    """Wait for a batch's recording; raise the auth error it found."""
    if recording is not None and (auth := recording.result()) is not None:
        raise auth


def claim_batch(ctx: ServiceContext, limit: int) -> list[Outgoing]:
    """Lease up to ``limit`` due rows to this sender and build their requests."""
    lease = timedelta(seconds=ctx.settings.lapor.lease_seconds)
    with ctx.transaction() as session:
        now = ctx.clock()
        earlier = aliased(OutboxMessage)
        blocked_by_earlier = (
            select(earlier.id)
            .where(
                earlier.complaint_id == OutboxMessage.complaint_id,
                earlier.id < OutboxMessage.id,
                earlier.state != "done",
            )
            .exists()
        )
        query = (
            select(OutboxMessage)
            .where(
                OutboxMessage.state.in_(("pending", "sending")),
                OutboxMessage.next_attempt_at <= now,
                ~blocked_by_earlier,
            )
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(limit)
        )
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True, of=OutboxMessage)
        rows = list(session.scalars(query))
        if not rows:
            return []
        lease_until = now + lease
        for row in rows:
            row.state = "sending"
            row.attempts += 1
            row.next_attempt_at = lease_until
            row.updated_at = now
        return _build_requests(session, rows, lease_until)


def _build_requests(session: Session, rows: list[OutboxMessage], lease_until) -> list[Outgoing]:
    complaint_ids = {row.complaint_id for row in rows}
    complaints = {
        c.id: c for c in session.scalars(select(Complaint).where(Complaint.id.in_(complaint_ids)))
    }
    links = {
        link.complaint_id: link
        for link in session.scalars(
            select(LaporLink).where(LaporLink.complaint_id.in_(complaint_ids))
        )
    }
    agencies = {agency.id: agency for agency in session.scalars(select(Agency))}
    event_ids = {
        row.payload.get("event_id") for row in rows if isinstance(row.payload, dict)
    } - {None}
    events = {
        event.id: event
        for event in session.scalars(
            select(ComplaintEvent).where(ComplaintEvent.id.in_(event_ids))
        )
    } if event_ids else {}
    own = {_institution(agency) for agency in agencies.values()} - {None}
    items = []
    for row in rows:
        complaint = complaints[row.complaint_id]
        link = links.get(row.complaint_id)
        request, blocked = _request_for(row, complaint, link, agencies, events, own)
        items.append(Outgoing(
            outbox_id=row.id, kind=row.kind, key=row.idempotency_key, attempts=row.attempts,
            lease_until=lease_until, complaint_id=row.complaint_id, request=request,
            blocked=blocked, remote_closed=bool(link and link.closed),
        ))
    return items


def _request_for(row, complaint, link, agencies, events, own):
    """(request, None) when sendable, (None, reason) when it must wait, raise when malformed."""
    agency = agencies[complaint.agency_id]
    if row.kind == "create":
        institution = _institution(agency)
        if institution is None:
            return None, f"{UNMAPPED}: {agency.name}"
        return ComplaintDraft(
            title=complaint.title, content=complaint.description, disposition_id=institution,
            is_anonymous=complaint.is_anonymous, is_secret=complaint.is_secret,
            service_category=complaint.category,
        ), None
    if link is None:
        return None, "menunggu laporan tercatat di SP4N-LAPOR!"
    event = events.get((row.payload or {}).get("event_id"))
    if row.kind not in KINDS or event is None:
        return None, None  # malformed: the sender dead-letters it
    if row.kind in TRANSFER_KINDS:
        target = agencies.get(event.agency_id)
        institution = _institution(target) if target else None
        if institution is None:
            return None, f"{UNMAPPED}: {target.name if target else event.agency_id}"
        reason = (event.note or "Bukan wewenang instansi").strip()
        return TransferRequest(link.lapor_id, institution, reason), None
    sender = link.institution_id if link.institution_id in own else _institution(agency)
    if sender is None:
        return None, f"{UNMAPPED}: {agency.name}"
    content = " ".join(part for part in (FOLLOWUP_PREFIX[row.kind], event.note or "") if part)
    return FollowupDraft(
        complaint_id=link.lapor_id, content=content or "Tindak lanjut.",
        institution_from_id=sender, is_secret=complaint.is_secret,
    ), None


def _institution(agency: Agency | None) -> int | None:
    raw = agency.lapor_institution_id if agency else None
    return int(raw) if raw and raw.strip().isdigit() else None


def _send(ctx: ServiceContext, client: Callable[[], LaporClient], item: Outgoing, *,
          stop: threading.Event) -> Outcome:
    settings = ctx.settings.lapor
    if stop.is_set():
        return Outcome(item, "release", counts=False)
    if item.blocked is not None:
        return Outcome(item, "wait", error=item.blocked, delay=settings.unmapped_retry_seconds,
                       counts=False)
    if item.request is None:
        return Outcome(item, "dead", error=f"pesan outbox tidak lengkap ({item.kind})")
    remaining = (item.lease_until - ctx.clock()).total_seconds()
    if remaining < send_bound_seconds(settings):  # it might still be in flight at lease end
        return Outcome(item, "release", counts=False)
    try:
        return Outcome(item, "sent", ref=send_one(client(), item))
    except LaporAuthError as exc:
        stop.set()
        return Outcome(item, "auth", error=str(exc), counts=False)
    except LaporRateLimited as exc:
        stop.set()
        return Outcome(item, "release", error=str(exc), delay=exc.retry_after or 1.0,
                       counts=False)
    except LaporRetryableError as exc:
        delay = exc.retry_after or 0.0
        if exc.outcome_unknown:
            delay = max(delay, UNKNOWN_OUTCOME_TIMEOUTS * _request_seconds(settings))
        return Outcome(item, "retry", error=_error_text(exc), delay=delay)
    except LaporPermanentError as exc:
        if exc.status_code == 409 and not item.remote_closed:
            # LAPOR! does not accept it in the report's current state (e.g. not yet
            # verified): wait for the poller to see a change, without burning attempts.
            return Outcome(item, "wait", error=f"menunggu SP4N-LAPOR!: {exc}",
                           delay=settings.poll_unverified_seconds, counts=False)
        return Outcome(item, "dead", error=_error_text(exc))
    except LaporError as exc:  # any other adapter failure: count it and retry
        return Outcome(item, "retry", error=_error_text(exc))


def send_bound_seconds(settings) -> float:
    """Longest one row's send may take: a write and a look-up, each up to both timeouts."""
    return 2 * _request_seconds(settings) + 1


def _request_seconds(settings) -> float:
    return settings.connect_timeout + settings.read_timeout


def send_one(client: LaporClient, item: Outgoing) -> int:
    """Carry out one request; returns LAPOR!'s id (report, follow-up or target instansi).

    The first attempt sends straight away; a later attempt (an earlier one may have
    reached LAPOR!) looks for its result first, and an unknown outcome is looked up
    before it is reported as a failure.
    """
    request = item.request
    retry = item.attempts > 1
    if isinstance(request, ComplaintDraft):
        if retry and (found := client.find_by_marker(item.key)) is not None:
            return found.id
        return _recovering(lambda: client.create_complaint(request, item.key),
                           lambda: _marker_id(client, item.key))
    if isinstance(request, FollowupDraft):
        if retry and (found := _followup_id(client, request)) is not None:
            return found
        return _recovering(lambda: client.add_followup(request),
                           lambda: _followup_id(client, request))
    client.reject_not_authority(request.lapor_id, request.institution_id, request.reason)
    return request.institution_id


def _recovering(call: Callable[[], int], lookup: Callable[[], int | None]) -> int:
    """``call``; after an unknown outcome, its result if a look-up finds it.

    When the look-up fails too, the write's unknown outcome is what is raised (never,
    say, a 429 of the look-up), so the attempt counts and the next one looks first.
    """
    try:
        return call()
    except LaporRetryableError as exc:
        if not exc.outcome_unknown:
            raise
        try:
            found = lookup()
        except LaporError as lookup_error:
            raise exc from lookup_error
        if found is None:
            raise
        return found


def _marker_id(client: LaporClient, key: str) -> int | None:
    found = client.find_by_marker(key)
    return None if found is None else found.id


def _followup_id(client: LaporClient, draft: FollowupDraft) -> int | None:
    for followup in client.list_followups(draft.complaint_id):
        if (not followup.from_reporter and followup.content == draft.content
                and followup.institution_from_id == draft.institution_from_id):
            return followup.id
    return None


def _error_text(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:1000]


def record_outcomes(
    ctx: ServiceContext, outcomes: list[Outcome], result: PushResult
) -> LaporAuthError | None:
    """Store every outcome of a batch in one transaction; return the auth error, if any.

    Rows are loaded in bulk, fenced on their lease; a LAPOR! id already tied to
    another complaint dead-letters the row instead of failing the batch.
    """
    settings = ctx.settings.lapor
    auth: LaporAuthError | None = None
    # Only a 429 releases a row with an error; then the whole batch waits Retry-After.
    pause = max((o.delay for o in outcomes if o.result == "release" and o.error), default=None)
    if pause is not None:
        result.rate_limited_for = max(result.rate_limited_for or 0.0, pause)
    with ctx.transaction() as session:
        now = ctx.clock()
        rows, links, taken = _load_for_record(session, outcomes)
        linked: list[dict] = []
        for outcome in outcomes:
            row = rows.get(outcome.item.outbox_id)
            if row is None or row.state != "sending" or row.next_attempt_at != \
                    outcome.item.lease_until:
                log.info("outbox %s was re-claimed after its lease; result left to the new owner",
                         outcome.item.outbox_id)
                continue
            if not outcome.counts:
                row.attempts -= 1
            row.updated_at = now
            if outcome.error is not None:
                kind = outcome.error.split(":", 1)[0]
                result.errors[kind] = result.errors.get(kind, 0) + 1
            if outcome.result == "sent":
                clash = taken.get(outcome.ref) if row.kind == "create" else None
                if clash is None or clash == row.complaint_id:
                    _record_sent(session, row, outcome, now, settings, links, linked)
                    result.sent += 1
                    continue
                outcome = Outcome(outcome.item, "dead",
                                  error=f"SP4N-LAPOR! #{outcome.ref} sudah tertaut ke laporan lain")
            if outcome.result == "auth":
                auth = LaporAuthError(outcome.error or "LAPOR! refused the credentials")
                _reschedule(row, "pending", now, outcome.error)
                result.released += 1
            elif outcome.result == "release":
                delay = pause or outcome.delay
                _reschedule(row, "pending", now + timedelta(seconds=delay), row.last_error)
                result.released += 1
            elif outcome.result == "wait":
                _reschedule(row, "pending", now + timedelta(seconds=outcome.delay), outcome.error)
                result.waiting += 1
            elif outcome.result == "retry" and row.attempts < settings.max_attempts:
                delay = max(outcome.delay, backoff_seconds(
                    row.attempts, settings.backoff_base_seconds, settings.backoff_max_seconds))
                _reschedule(row, "pending", now + timedelta(seconds=delay), outcome.error)
                result.retried += 1
            else:
                _reschedule(row, "dead", now, outcome.error)
                result.dead += 1
        if linked:
            # Core UPDATE: linking is not an edit of the complaint (its version stays).
            table = Complaint.__table__
            session.execute(
                table.update().where(table.c.id == bindparam("complaint"))
                .values(lapor_id=bindparam("lapor_id")), linked)
    return auth


def _load_for_record(session: Session, outcomes: list[Outcome]):
    """The batch's rows (locked on PostgreSQL), links by complaint, and LAPOR! ids taken."""
    query = select(OutboxMessage).where(
        OutboxMessage.id.in_([o.item.outbox_id for o in outcomes]))
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    rows = {row.id: row for row in session.scalars(query)}
    complaint_ids = {row.complaint_id for row in rows.values()}
    links = {link.complaint_id: link for link in session.scalars(
        select(LaporLink).where(LaporLink.complaint_id.in_(complaint_ids)))}
    refs = [str(o.ref) for o in outcomes if o.result == "sent" and o.item.kind == "create"]
    taken = {int(lapor_id): complaint_id for complaint_id, lapor_id in session.execute(
        select(Complaint.id, Complaint.lapor_id).where(Complaint.lapor_id.in_(refs)))} \
        if refs else {}
    return rows, links, taken


def _reschedule(row: OutboxMessage, state: str, when: datetime, error: str | None) -> None:
    row.state = state
    row.next_attempt_at = when
    row.last_error = error


def _record_sent(session: Session, row: OutboxMessage, outcome: Outcome, now, settings,
                 links: dict[int, LaporLink], linked: list[dict]) -> None:
    row.state = "done"
    row.lapor_ref = str(outcome.ref)
    row.last_error = None
    row.next_attempt_at = now
    request = outcome.item.request
    link = links.get(row.complaint_id)
    if row.kind == "create":
        linked.append({"complaint": row.complaint_id, "lapor_id": str(outcome.ref)})
        if link is None:
            links[row.complaint_id] = link = LaporLink(
                complaint_id=row.complaint_id, lapor_id=outcome.ref, origin="push",
                institution_id=request.disposition_id, lapor_status=BELUM_TERVERIFIKASI,
                next_poll_at=now + timedelta(seconds=settings.poll_unverified_seconds),
                created_at=now,
            )
            session.add(link)
        return
    if isinstance(request, TransferRequest):
        link.institution_id = request.institution_id
        return
    mark_seen(session, link.lapor_id, "followup", outcome.ref, row.complaint_id, pushed=True)


def mark_seen(session: Session, lapor_id: int, kind: str, remote_id: int, complaint_id: int,
              *, pushed: bool = False) -> LaporSeen | None:
    """Record a LAPOR! log/follow-up as handled; None when it already was (here or elsewhere)."""
    exists = session.scalar(select(LaporSeen.id).where(
        LaporSeen.lapor_id == lapor_id, LaporSeen.kind == kind, LaporSeen.remote_id == remote_id))
    if exists is not None:
        return None
    seen = LaporSeen(lapor_id=lapor_id, kind=kind, remote_id=remote_id,
                     complaint_id=complaint_id, pushed=pushed)
    try:
        with session.begin_nested():
            session.add(seen)
    except IntegrityError:  # a concurrent writer recorded it first
        return None
    return seen
