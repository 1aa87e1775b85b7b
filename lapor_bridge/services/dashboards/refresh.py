"""Keep ``complaint_metrics`` and ``complaint_cells`` in step with ``complaints``
(incremental, idempotent).

Each run reads the complaints inserted since the last run (id above the
watermark) and those updated since it (``updated_at``, with an overlap for
transactions that committed late), recomputes their rows from the complaint, its
history and the SLA clocks, replaces them, then rebuilds the cells of every
(kab/kota, month) those rows were or are now received or closed in. Running it
twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import case, delete, func, select, type_coerce
from sqlalchemy.orm import Session

from lapor_bridge.db.models import Agency, Complaint, ComplaintEvent, UtcDateTime
from lapor_bridge.db.models_federation import FederatedComplaint
from lapor_bridge.db.models_stats import ComplaintCell, ComplaintMetrics, StatsWatermark
from lapor_bridge.domain.calendar import WIB
from lapor_bridge.domain.sla import Stage, evaluate
from lapor_bridge.domain.status import Status
from lapor_bridge.services.context import ServiceContext
from lapor_bridge.services.dashboards.cells import Pair, pairs_of, rebuild_cells
from lapor_bridge.services.sla_clock import sla_policy, timeline_of, working_calendar

WATERMARK = "complaint_metrics"
OVERLAP = timedelta(minutes=10)
BATCH = 2000
RESPONSE_KINDS = ("responded", "followup")
RESOLVED = frozenset({Status.RESOLVED.value, Status.AUTO_CLOSED.value})
STAGE_COLUMNS = {Stage.DISPOSE: "dispose", Stage.FIRST_RESPONSE: "response",
                 Stage.COMPLETION: "completion"}
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
SOURCE_COLUMNS = (Complaint.id, Complaint.region_id, Complaint.agency_id, Complaint.category,
            Complaint.status, Complaint.created_at, Complaint.updated_at, Complaint.disposed_at,
            Complaint.first_disposed_at, Complaint.first_response_at,
            Complaint.last_response_at, Complaint.closed_at, Complaint.pauses,
            Complaint.sla_due_at, Agency.code.label("agency_code"))


@dataclass(frozen=True)
class RefreshSummary:
    """What one refresh did."""

    refreshed: int
    full: bool


def refresh_metrics(ctx: ServiceContext, *, full: bool = False) -> RefreshSummary:
    """Recompute the metrics of new and changed complaints (all of them when ``full``)."""
    now = ctx.clock()
    with ctx.read() as session:
        mark = session.get(StatsWatermark, WATERMARK)
        full = full or mark is None
        if full:
            ids = list(session.scalars(select(Complaint.id).order_by(Complaint.id)))
        else:
            since = mark.seen_until - OVERLAP
            ids = sorted(set(session.scalars(select(Complaint.id).where(
                Complaint.id > mark.last_id))) | set(session.scalars(select(Complaint.id).where(
                    Complaint.updated_at >= since))))
    seen_until, last_id = (_EPOCH, 0) if full else (mark.seen_until, mark.last_id)
    with ctx.transaction() as session:
        if full:
            session.execute(delete(ComplaintCell))
            session.execute(delete(ComplaintMetrics))
        seen_until = max(seen_until, refresh_rows(ctx, session, ids, now))
        last_id = max(last_id, ids[-1]) if ids else last_id
        mark = session.get(StatsWatermark, WATERMARK) or StatsWatermark(name=WATERMARK)
        mark.seen_until, mark.last_id, mark.refreshed_at = seen_until, last_id, now
        session.add(mark)
    return RefreshSummary(len(ids), full)


def refresh_rows(ctx: ServiceContext, session: Session, ids: Sequence[int],
                 now: datetime) -> datetime:
    """Replace the metrics rows of ``ids`` in ``session`` and rebuild the cells they touch;
    the newest ``updated_at`` read."""
    seen_until, touched = _EPOCH, set()
    for start in range(0, len(ids), BATCH):
        seen_until = max(seen_until, _refresh_batch(
            ctx, session, ids[start:start + BATCH], now, touched))
    rebuild_cells(session, touched)
    return seen_until


def last_refreshed(ctx: ServiceContext) -> datetime | None:
    """When the metrics were last refreshed (None: never)."""
    with ctx.read() as session:
        mark = session.get(StatsWatermark, WATERMARK)
        return mark.refreshed_at if mark else None


def _refresh_batch(ctx: ServiceContext, session: Session, ids: Sequence[int],
                   now: datetime, touched: set[Pair]) -> datetime:
    rows = session.execute(select(*SOURCE_COLUMNS).join(Agency, Agency.id == Complaint.agency_id)
                           .where(Complaint.id.in_(ids))).all()
    history = {row.complaint_id: row for row in session.execute(
        select(
            ComplaintEvent.complaint_id,
            type_coerce(func.min(case((ComplaintEvent.kind.in_(RESPONSE_KINDS),
                                       ComplaintEvent.created_at))), UtcDateTime())
            .label("first_response"),
            func.max(case((ComplaintEvent.kind == "transferred", 1), else_=0)).label("rerouted"),
            func.max(case((ComplaintEvent.kind == "triage", 1), else_=0)).label("triaged"),
        ).where(ComplaintEvent.complaint_id.in_(ids)).group_by(ComplaintEvent.complaint_id))}
    for region_id, received_on, closed_on in session.execute(
            select(ComplaintMetrics.region_id, ComplaintMetrics.received_on,
                   ComplaintMetrics.closed_on).where(ComplaintMetrics.complaint_id.in_(ids))):
        touched |= pairs_of(region_id, received_on, closed_on)
    session.execute(delete(ComplaintMetrics).where(ComplaintMetrics.complaint_id.in_(ids)))
    if rows:
        targets = dict(session.execute(select(
            FederatedComplaint.complaint_id, FederatedComplaint.sla_targets).where(
                FederatedComplaint.complaint_id.in_(ids))).all())
        values = [metrics_of(ctx, row, history.get(row.id), now, targets.get(row.id))
                  for row in rows]
        for value in values:
            touched |= pairs_of(value["region_id"], value["received_on"], value["closed_on"])
        session.execute(ComplaintMetrics.__table__.insert(), values)
    return max((row.updated_at for row in rows), default=_EPOCH)


def metrics_of(ctx: ServiceContext, row, history, now: datetime,
               targets: dict[str, int] | None = None) -> dict:
    """The ``complaint_metrics`` values of one complaint row (with ``agency_code``);
    ``targets``: a federation member's SLA targets for it, which replace ours."""
    settings = ctx.settings.sla
    calendar = working_calendar(settings.cuti_bersama)
    timeline = timeline_of(row)
    pauses = [(start, end or now) for start, end in timeline.pauses]
    policy = sla_policy(settings)
    if targets:
        policy = replace(policy, agency_overrides={row.agency_code: targets})
    clocks = {clock.stage: clock for clock in evaluate(
        timeline, now, policy, calendar, agency_code=row.agency_code).stages}
    first_response = history.first_response if history else None
    resolved = row.status in RESOLVED and row.closed_at is not None
    values = {
        "complaint_id": row.id, "region_id": row.region_id, "agency_id": row.agency_id,
        "category": row.category or "", "status": row.status,
        "is_open": not Status(row.status).is_closed, "resolved": resolved,
        "rerouted": bool(history and history.rerouted),
        "triaged": bool(history and history.triaged),
        "received_on": row.created_at.astimezone(WIB).date(),
        "closed_on": row.closed_at.astimezone(WIB).date()
        if row.closed_at and Status(row.status).is_closed else None,
        "sla_due_at": row.sla_due_at,
        "first_response_days": calendar.working_days_between(
            row.created_at, first_response, pauses) if first_response else None,
        "resolution_days": calendar.working_days_between(
            row.created_at, row.closed_at, pauses) if resolved else None,
    }
    for stage, prefix in STAGE_COLUMNS.items():
        clock = clocks.get(stage)
        done = clock is not None and clock.done_at is not None
        values[f"{prefix}_met"] = (not clock.breached) if done else None
        values[f"{prefix}_due_at"] = (
            clock.due_at if clock is not None and not done and not clock.paused else None)
    return values
