"""The overdue list of the dashboards: open complaints past their stored due time.

Read live from ``complaints`` (``sla_due_at`` is kept current by every action and
by the SLA job), so it never lags behind the metrics refresh. Complaints waiting
for the reporter are not overdue: their clock is stopped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import aliased

from lapor_bridge.db.models import Agency, Complaint, Region, User
from lapor_bridge.domain.categories import label as category_label
from lapor_bridge.domain.sla import Stage
from lapor_bridge.domain.status import CLOCK_RUNNING_VALUES
from lapor_bridge.services.accounts import Principal
from lapor_bridge.services.context import ServiceContext
from lapor_bridge.services.dashboards.scope import DashboardScope, ScopeRequest, resolve_scope
from lapor_bridge.services.deadlines import STAGE_LABELS
from lapor_bridge.services.scope import complaint_scope
from lapor_bridge.services.sla_clock import working_calendar

PAGE_SIZE = 50
EXPORT_LIMIT = 50_000
SORTS = {
    "terlambat": "Paling lama terlambat",
    "instansi": "Instansi",
    "wilayah": "Kabupaten/kota",
    "terbaru": "Terbaru masuk",
}


@dataclass(frozen=True)
class OverdueItem:
    """One overdue complaint: who holds it and how late it is."""

    tracking_number: str
    title: str
    region: str
    agency: str
    holder: str
    category: str
    stage: str
    due_at: datetime
    over_days: float
    escalation_level: int


@dataclass(frozen=True)
class OverduePage:
    """One page of the overdue list."""

    scope: DashboardScope
    items: tuple[OverdueItem, ...]
    page: int
    total: int
    sort: str
    page_size: int = PAGE_SIZE

    @property
    def pages(self) -> int:
        """How many pages there are."""
        return max(1, -(-self.total // self.page_size))


def overdue_page(ctx: ServiceContext, principal: Principal, wanted: ScopeRequest,
                 sort: str = "terlambat", page: int = 1, page_size: int = PAGE_SIZE
                 ) -> OverduePage:
    """Overdue complaints in scope, ``page_size`` at a time, sorted by ``sort``."""
    now = ctx.clock()
    sort = sort if sort in SORTS else "terlambat"
    page = max(1, page)
    with ctx.read() as session:
        scope = resolve_scope(session, principal, wanted)
        where = (scope.complaint_filter(), complaint_scope(principal), *overdue_at(now))
        total = session.scalar(select(func.count()).select_from(Complaint).where(*where)) or 0
        holder = aliased(User)
        rows = session.execute(
            select(Complaint.tracking_number, Complaint.title, Complaint.category,
                   Complaint.sla_stage, Complaint.sla_due_at, Complaint.escalation_level,
                   Region.name, Agency.name, holder.full_name)
            .join(Agency, Agency.id == Complaint.agency_id)
            .join(Region, Region.id == Complaint.region_id)
            .outerjoin(holder, holder.id == Complaint.claimed_by_id)
            .where(*where).order_by(*_order(sort, Region, Agency))
            .limit(page_size).offset((page - 1) * page_size)).all()
    calendar = working_calendar(ctx.settings.sla.cuti_bersama)
    items = tuple(
        OverdueItem(number, title, region, agency, officer or agency, category_label(category),
                    STAGE_LABELS.get(Stage(stage), stage) if stage else "—", due_at,
                    calendar.working_days_between(due_at, now), level)
        for number, title, category, stage, due_at, level, region, agency, officer in rows)
    return OverduePage(scope, items, page, total, sort, page_size)


def overdue_at(now: datetime) -> tuple[ColumnElement[bool], ...]:
    """WHERE clauses of "open, clock running, past due at ``now``"."""
    return Complaint.status.in_(CLOCK_RUNNING_VALUES), Complaint.sla_due_at < now


def _order(sort: str, region, agency):
    by_due = (Complaint.sla_due_at.asc(), Complaint.id.asc())
    if sort == "instansi":
        return (agency.name, *by_due)
    if sort == "wilayah":
        return (region.name, *by_due)
    if sort == "terbaru":
        return (Complaint.created_at.desc(), Complaint.id.desc())
    return by_due
