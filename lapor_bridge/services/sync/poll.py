"""``poll_due``: bring national changes of linked reports home, each exactly once.

Per due link (``next_poll_at``), in batches: fetch detail + history and follow-ups
(HTTP in a thread pool, outside transactions), then one transaction per batch with a
savepoint per report (a report that fails to apply is skipped, the others commit):

- every history log and follow-up id is recorded in ``lapor_seen`` (duplicates and
  reordering in LAPOR!'s answers collapse there);
- a new follow-up from another instansi becomes a ``followup`` event; from the
  reporter, a ``reporter_reply`` (the transition when the state allows it, else an
  event); follow-ups from our own instansi are our pushes and are not imported;
- the report's state goes through :mod:`lapor_bridge.services.sync.rules`;
- the next poll is scheduled by LAPOR!'s state: often while unverified, less when
  open, never once closed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from lapor_bridge.db.models import Agency, Complaint, ComplaintEvent, OutboxMessage
from lapor_bridge.db.models_sync import LaporInstitution, LaporLink, LaporSeen
from lapor_bridge.domain.status import Status
from lapor_bridge.domain.transitions import Action, IllegalTransition, Role, apply
from lapor_bridge.lapor import (
    LaporAuthError,
    LaporClient,
    LaporComplaint,
    LaporError,
    LaporFollowup,
    LaporNotFound,
)
from lapor_bridge.lapor.mapping import BELUM_TERVERIFIKASI, status_from_report
from lapor_bridge.services.context import ServiceContext
from lapor_bridge.services.notifications import enqueue_for_event
from lapor_bridge.services.sla_clock import refresh_stored_clock
from lapor_bridge.services.sync.push import TRANSFER_KINDS, mark_seen
from lapor_bridge.services.sync.rules import (
    CLOSING_ACTION,
    LocalView,
    Plan,
    RemoteView,
    plan_remote_change,
)
from lapor_bridge.services.workflow import EVENT_KIND, Actor, perform

log = logging.getLogger(__name__)

LAPOR_ACTOR = Actor(Role.LAPOR, "lapor", label="SP4N-LAPOR!")
ClientFactory = Callable[[], LaporClient]


@dataclass(frozen=True)
class Fetched:
    """One report as fetched, or the error that stopped the fetch."""

    link_id: int
    report: LaporComplaint | None = None
    followups: tuple[LaporFollowup, ...] = ()
    error: LaporError | None = None


@dataclass
class PollResult:
    """Totals of one poll run."""

    polled: int = 0
    changed: int = 0
    events: int = 0
    closed: int = 0
    errors: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Directory:
    """Our agencies by LAPOR! instansi id, and their names there."""

    agency_by_institution: dict[int, Agency]
    institution_names: dict[int, str]


def poll_due(
    ctx: ServiceContext,
    client_factory: ClientFactory | None = None,
    *,
    concurrency: int | None = None,
    every: bool = False,
) -> PollResult:
    """Poll every link due at the start of the run (``every``: all open links) once."""
    settings = ctx.settings.lapor
    factory = client_factory or (lambda: LaporClient(settings))
    threads = max(1, concurrency or settings.concurrency)
    started = ctx.clock()
    result = PollResult()
    directory = load_directory(ctx)
    clients = [factory() for _ in range(threads)]
    after = 0
    applying: Future | None = None  # a batch is applied while the next one is fetched
    try:
        with ThreadPoolExecutor(threads, thread_name_prefix="lapor-poll") as pool, \
                ThreadPoolExecutor(1, thread_name_prefix="lapor-apply") as applier:
            while True:
                batch = _due_links(ctx, started, settings.batch_size, every, after)
                if not batch:
                    break
                after = batch[-1][0]
                chunks = [batch[index::threads] for index in range(threads)]
                fetched = [
                    item
                    for part in pool.map(_fetch_all, clients, chunks)
                    for item in part
                ]
                if applying is not None:
                    applying.result()
                applying = applier.submit(_apply_batch, ctx, fetched, directory, result)
            if applying is not None:
                applying.result()
    finally:
        for client in clients:
            client.close()
    return result


def _apply_batch(ctx: ServiceContext, fetched: list[Fetched], directory: Directory,
                 result: PollResult) -> None:
    """One transaction for the batch, a savepoint per report: one failure skips one report."""
    for item in fetched:
        if isinstance(item.error, LaporAuthError):
            raise item.error
    with ctx.transaction() as session:
        _load_batch(session, fetched)
        for item in fetched:
            try:
                with session.begin_nested():
                    _apply(ctx, session, item, directory, result)
            except Exception as exc:  # e.g. an officer changed it meanwhile: next run
                log.warning("applying LAPOR! report of link %s failed: %s", item.link_id, exc)
                kind = type(exc).__name__
                result.errors[kind] = result.errors.get(kind, 0) + 1


def _load_batch(session: Session, fetched: list[Fetched]) -> None:
    """Links and complaints of the batch in two queries (later ``session.get`` finds them)."""
    links = list(session.scalars(select(LaporLink).where(
        LaporLink.id.in_([item.link_id for item in fetched]))))
    list(session.scalars(select(Complaint).where(
        Complaint.id.in_([link.complaint_id for link in links]))))


def _due_links(ctx, started: datetime, limit: int, every: bool, after: int):
    """Open links due at ``started`` (or all open ones), by id, after ``after``: one pass."""
    with ctx.read() as session:
        query = select(LaporLink.id, LaporLink.lapor_id).where(
            LaporLink.closed.is_(False), LaporLink.id > after)
        if not every:
            query = query.where(LaporLink.next_poll_at <= started)
        query = query.order_by(LaporLink.id).limit(limit)
        return [tuple(row) for row in session.execute(query)]


def _fetch_all(client: LaporClient, links: list[tuple[int, int]]) -> list[Fetched]:
    return [fetch_report(client, link_id, lapor_id) for link_id, lapor_id in links]


def fetch_report(client: LaporClient, link_id: int, lapor_id: int) -> Fetched:
    """Detail, history and follow-ups of one report (errors are returned, not raised)."""
    try:
        report = client.get_complaint(lapor_id)
        followups = tuple(client.list_followups(lapor_id))
    except LaporError as exc:
        return Fetched(link_id, error=exc)
    return Fetched(link_id, report, followups)


def load_directory(ctx: ServiceContext) -> Directory:
    """Our mapped agencies by instansi id (first active agency wins) and synced names."""
    with ctx.read() as session:
        agencies = {}
        for agency in session.scalars(select(Agency).order_by(Agency.active.desc(), Agency.id)):
            raw = (agency.lapor_institution_id or "").strip()
            if raw.isdigit():
                agencies.setdefault(int(raw), agency)
        names = dict(session.execute(select(LaporInstitution.id, LaporInstitution.name)).all())
    return Directory(agencies, names)


def apply_fetched(
    ctx: ServiceContext, item: Fetched, directory: Directory, result: PollResult
) -> None:
    """Record one fetched report (or its fetch error) on its link and complaint."""
    with ctx.transaction() as session:
        _apply(ctx, session, item, directory, result)


def _apply(ctx: ServiceContext, session: Session, item: Fetched, directory: Directory,
           result: PollResult) -> None:
    settings = ctx.settings.lapor
    result.polled += 1
    now = ctx.clock()
    link = session.get(LaporLink, item.link_id)
    if item.error is not None:
        kind = type(item.error).__name__
        result.errors[kind] = result.errors.get(kind, 0) + 1
        link.last_error = f"{kind}: {item.error}"[:1000]
        wait = settings.poll_open_seconds if isinstance(item.error, LaporNotFound) \
            else min(settings.poll_unverified_seconds, settings.poll_open_seconds)
        link.next_poll_at = now + timedelta(seconds=wait)
        return
    complaint = session.get(Complaint, link.complaint_id)
    report = item.report
    events = _import_followups(session, link, complaint, item.followups, directory, now,
                               ctx.settings.sla)
    _record_logs(session, link.lapor_id, complaint.id, report)
    moved = (report.status_name, report.disposition_id) != (link.lapor_status,
                                                              link.institution_id)
    changed = moved and _apply_state(ctx, session, link, complaint, report, directory, now)
    result.events += events
    if changed or events:
        result.changed += 1
        _wake_outbox(session, complaint.id, now)
    remote_status = status_from_report(report.status_name, report.logs)
    link.lapor_status = report.status_name
    link.institution_id = report.disposition_id
    link.closed = remote_status in CLOSING_ACTION
    result.closed += int(link.closed)
    link.last_polled_at = now
    link.last_error = None
    interval = settings.poll_unverified_seconds \
        if report.status_name == BELUM_TERVERIFIKASI else settings.poll_open_seconds
    link.next_poll_at = now + timedelta(seconds=interval)


def _record_logs(session: Session, lapor_id: int, complaint_id: int,
                 report: LaporComplaint) -> None:
    """Mark the report's history entries seen (only the poller writes logs: no race)."""
    known = set(session.scalars(select(LaporSeen.remote_id).where(
        LaporSeen.lapor_id == lapor_id, LaporSeen.kind == "log")))
    for remote_id in sorted({entry.id for entry in report.logs} - known):
        session.add(LaporSeen(lapor_id=lapor_id, kind="log", remote_id=remote_id,
                              complaint_id=complaint_id))


def _import_followups(session: Session, link: LaporLink, complaint: Complaint,
                      followups, directory: Directory, now: datetime, sla_settings) -> int:
    added = 0
    unique = {followup.id: followup for followup in followups}.values()
    for followup in sorted(unique, key=lambda f: (f.created_at, f.id)):
        seen = mark_seen(session, link.lapor_id, "followup", followup.id, complaint.id)
        own = (not followup.from_reporter
               and followup.institution_from_id in directory.agency_by_institution)
        if seen is None or own:
            continue
        if followup.from_reporter:
            event = _reporter_reply(session, complaint, followup, now, sla_settings)
        else:
            name = directory.institution_names.get(followup.institution_from_id) \
                or f"instansi {followup.institution_from_id}"
            event = ComplaintEvent(
                complaint=complaint, kind="followup", actor_type="lapor", actor_label=name,
                note=followup.content, created_at=now,
            )
            session.add(event)
            session.flush()
            enqueue_for_event(session, complaint, event)
        seen.event_id = event.id
        added += 1
    return added


def _reporter_reply(session: Session, complaint: Complaint, followup: LaporFollowup,
                    now: datetime, sla_settings) -> ComplaintEvent:
    try:
        apply(Status(complaint.status), Action.REPORTER_REPLY)
    except IllegalTransition:
        event = ComplaintEvent(
            complaint=complaint, kind="reporter_replied", actor_type="lapor",
            actor_label="pelapor (SP4N-LAPOR!)", note=followup.content, created_at=now,
        )
        session.add(event)
        session.flush()
        return event
    return perform(session, complaint, Action.REPORTER_REPLY, LAPOR_ACTOR, now,
                   sla_settings, note=followup.content)


def _apply_state(ctx, session: Session, link: LaporLink, complaint: Complaint,
                 report: LaporComplaint, directory: Directory, now: datetime) -> bool:
    local = local_view(session, complaint)
    remote = remote_view(report, directory)
    plan = plan_remote_change(local, remote)
    if plan is None:
        return False
    note = f"mengikuti SP4N-LAPOR! #{report.id}: {report.status_name}"
    to_agency = session.get(Agency, plan.to_agency_id) if plan.to_agency_id else None
    try:
        apply(local.status, plan.action)
    except IllegalTransition:
        _close_as_lapor(ctx, session, complaint, plan, now, note)
        return True
    perform(session, complaint, plan.action, LAPOR_ACTOR, now, ctx.settings.sla,
            note=note, to_agency=to_agency)
    return True


def _close_as_lapor(ctx, session: Session, complaint: Complaint, plan: Plan, now: datetime,
                    note: str) -> None:
    """LAPOR! closed a report from a state our table has no edge for: follow it anyway."""
    if plan.action not in CLOSING_ACTION.values():
        return
    before = complaint.status
    complaint.status = next(s for s, a in CLOSING_ACTION.items() if a is plan.action).value
    complaint.closed_at = now
    event = ComplaintEvent(
        complaint=complaint, kind=EVENT_KIND[plan.action], actor_type="lapor",
        actor_label=LAPOR_ACTOR.label, from_status=before, to_status=complaint.status,
        agency_id=complaint.agency_id, note=note, created_at=now,
    )
    session.add(event)
    session.flush()
    agency = session.get(Agency, complaint.agency_id)
    refresh_stored_clock(ctx.settings.sla, complaint, agency.code, now)
    enqueue_for_event(session, complaint, event)


def local_view(session: Session, complaint: Complaint) -> LocalView:
    """The complaint's state, agency and time of its last status change."""
    changed_at = session.scalar(
        select(func.max(ComplaintEvent.created_at)).where(
            ComplaintEvent.complaint_id == complaint.id, ComplaintEvent.to_status.is_not(None))
    )
    transfer_pending = session.scalar(
        select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.complaint_id == complaint.id,
            OutboxMessage.kind.in_(TRANSFER_KINDS),
            OutboxMessage.state != "done",
        )
    )
    agency = session.get(Agency, complaint.agency_id)
    return LocalView(Status(complaint.status), complaint.agency_id, agency.is_triage,
                     changed_at, bool(transfer_pending))


def remote_view(report: LaporComplaint, directory: Directory) -> RemoteView:
    """The report's state in our terms; its disposition as one of our agencies, if it is."""
    logs = {entry.id: entry for entry in report.logs}.values()
    agency = directory.agency_by_institution.get(report.disposition_id)
    newest = max((entry.created_at for entry in logs), default=None)
    disposed = max((entry.created_at for entry in logs
                    if entry.institution_to == report.disposition_id), default=None)
    return RemoteView(
        status=status_from_report(report.status_name, logs),
        status_name=report.status_name,
        changed_at=newest,
        agency_id=agency.id if agency else None,
        agency_is_triage=bool(agency and agency.is_triage),
        disposed_at=disposed or report.created_at,
    )


def _wake_outbox(session: Session, complaint_id: int, now: datetime) -> None:
    """LAPOR!'s state changed: rows waiting on it may go now."""
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.complaint_id == complaint_id, OutboxMessage.state == "pending",
               OutboxMessage.next_attempt_at > now)
        .values(next_attempt_at=now)
    )

