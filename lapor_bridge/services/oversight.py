"""Read-only lists across agencies: the coordinator's province, the admin's region."""

from __future__ import annotations

from sqlalchemy import func, select

from lapor_bridge.db.models import Complaint
from lapor_bridge.domain.status import CLOCK_RUNNING_VALUES
from lapor_bridge.services.accounts import Principal
from lapor_bridge.services.context import ServiceContext
from lapor_bridge.services.errors import PermissionDenied
from lapor_bridge.services.queue import PAGE_SIZE, ROW_OPTIONS, QueuePage, queue_item
from lapor_bridge.services.scope import complaint_scope

OVERSIGHT_ROLES = frozenset({"coordinator", "regional_admin", "sysadmin"})


def complaints_in_scope(ctx: ServiceContext, principal: Principal, page: int = 1,
                        overdue_only: bool = False) -> QueuePage:
    """Every complaint the person oversees, newest first; or only the overdue, most late first."""
    if principal.role not in OVERSIGHT_ROLES:
        raise PermissionDenied("Halaman ini untuk admin dan koordinator.")
    page = max(1, page)
    now = ctx.clock()
    where = [complaint_scope(principal)]
    if overdue_only:
        where += [
            Complaint.status.in_(CLOCK_RUNNING_VALUES),
            Complaint.sla_due_at < now,
        ]
        order = (Complaint.sla_due_at.asc(), Complaint.id.asc())
    else:
        order = (Complaint.created_at.desc(), Complaint.id.desc())
    with ctx.read() as session:
        total = session.scalar(select(func.count()).select_from(Complaint).where(*where))
        rows = session.scalars(
            select(Complaint).where(*where).options(*ROW_OPTIONS).order_by(*order)
            .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
        )
        items = tuple(queue_item(ctx, row, now) for row in rows)
    title = "Laporan terlambat" if overdue_only else "Semua laporan"
    return QueuePage(title, items, page, total or 0, "terlambat" if overdue_only else "semua")
