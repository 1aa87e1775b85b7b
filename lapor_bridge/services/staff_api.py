"""Staff work for API clients: a keyset-paged queue, and actions that answer with the case.

The workflow services stay the only place complaints change; this module adds
what a stateless client needs around them: pages that stay stable while new
complaints arrive, a stale version told apart from other conflicts
(:class:`StaleVersion`), and the case view as it is after the action, so the
client gets the new version (its ETag) with the state that version stands for.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_, select

from lapor_bridge.db.models import Complaint
from lapor_bridge.domain.status import OPEN_VALUES, Status
from lapor_bridge.services import workflow
from lapor_bridge.services.accounts import Principal
from lapor_bridge.services.casework import CaseView, case_view
from lapor_bridge.services.context import ServiceContext
from lapor_bridge.services.errors import Conflict, NotFound
from lapor_bridge.services.queue import ROW_OPTIONS, QueueItem, queue_agency_id, queue_item
from lapor_bridge.services.scope import load_in_scope


class StaleVersion(Conflict):
    """The client's version of the complaint is not the current one."""


@dataclass(frozen=True)
class StaffQueueQuery:
    """Filters and position of one queue page (newest first)."""

    statuses: tuple[Status, ...] | None = None
    open_only: bool = True
    after: tuple[datetime, int] | None = None
    limit: int = 20


@dataclass(frozen=True)
class StaffQueuePage:
    """One page; ``next_after`` is the sort key to continue from, None on the last page."""

    items: tuple[QueueItem, ...]
    next_after: tuple[datetime, int] | None


def queue_page(ctx: ServiceContext, principal: Principal,
               query: StaffQueueQuery) -> StaffQueuePage:
    """The principal's queue (as :func:`queue_agency_id` picks it), newest first, by keyset."""
    where = [Complaint.agency_id == queue_agency_id(ctx, principal)]
    if query.open_only:
        where.append(Complaint.status.in_(OPEN_VALUES))
    if query.statuses:
        where.append(Complaint.status.in_([status.value for status in query.statuses]))
    if query.after is not None:
        at, last_id = query.after
        where.append(or_(Complaint.created_at < at,
                         and_(Complaint.created_at == at, Complaint.id < last_id)))
    with ctx.read() as session:
        rows = session.scalars(
            select(Complaint).where(*where).options(*ROW_OPTIONS)
            .order_by(Complaint.created_at.desc(), Complaint.id.desc()).limit(query.limit + 1)
        ).all()
        now = ctx.clock()
        page = rows[:query.limit]
        items = tuple(queue_item(ctx, row, now) for row in page)
        more = len(rows) > query.limit
        return StaffQueuePage(items, (page[-1].created_at, page[-1].id) if more else None)


def _note(ctx: ServiceContext, principal: Principal, tracking_number: str, text: str, *,
          version: int) -> workflow.ActionResult:
    """An internal note, refused when the client's version is stale (notes never bump it)."""
    with ctx.read() as session:
        current = load_in_scope(session, principal, tracking_number).version
    if current != version:
        raise StaleVersion("Laporan ini sudah berubah sejak versi yang dikirim.")
    return workflow.add_note(ctx, principal, tracking_number, text)


# The workflow use case behind each write operation of the staff API.
ACTIONS: dict[str, Callable[..., workflow.ActionResult]] = {
    "claim": workflow.claim,
    "respond": workflow.respond,
    "request-info": workflow.request_info,
    "transfer": workflow.transfer,
    "resolve": workflow.resolve,
    "reopen": workflow.reopen,
    "notes": _note,
    "category": workflow.set_category,
}


def act(ctx: ServiceContext, principal: Principal, operation: str, tracking_number: str,
        version: int, **values) -> tuple[workflow.ActionResult, CaseView | None]:
    """Run ``operation`` if the complaint is still at ``version``; return its result and
    the case view after it (None when a transfer took it out of the principal's scope).
    :class:`StaleVersion` when another change came first."""
    try:
        result = ACTIONS[operation](ctx, principal, tracking_number, **values, version=version)
    except StaleVersion:
        raise
    except Conflict:
        with ctx.read() as session:
            current = load_in_scope(session, principal, tracking_number).version
        if current != version:
            raise StaleVersion("Laporan ini sudah berubah sejak versi yang dikirim.") from None
        raise
    try:
        return result, case_view(ctx, principal, tracking_number)
    except NotFound:
        return result, None
