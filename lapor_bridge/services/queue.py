"""An agency's queue of complaints, as its officers see it, with each one's SLA clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from lapor_bridge.db.models import Agency, Complaint
from lapor_bridge.domain.status import OPEN_VALUES, Status
from lapor_bridge.services.accounts import Principal
from lapor_bridge.services.context import ServiceContext
from lapor_bridge.services.errors import PermissionDenied
from lapor_bridge.services.intake.routing_table import Suggestion, suggestions_of, table_of
from lapor_bridge.services.scope import local_only
from lapor_bridge.services.sla_clock import snapshot

PAGE_SIZE = 50
VIEWS = ("aktif", "semua")


@dataclass(frozen=True)
class QueueItem:
    """One row of the queue page."""

    tracking_number: str
    title: str
    status: Status
    kecamatan: str | None
    kelurahan: str | None
    reporter: str
    is_secret: bool
    confidence: float | None
    created_at: datetime
    agency_name: str
    claimed_by: str | None
    due_at: datetime | None
    remaining: float | None
    overdue: bool
    paused: bool
    suggestions: tuple[Suggestion, ...]


@dataclass(frozen=True)
class QueuePage:
    """A page of the queue: open ones by due time (``aktif``) or all, newest first."""

    agency_name: str
    items: tuple[QueueItem, ...]
    page: int
    total: int
    view: str = "aktif"

    @property
    def pages(self) -> int:
        """How many pages there are."""
        return max(1, -(-self.total // PAGE_SIZE))


def queue_agency_id(ctx: ServiceContext, principal: Principal) -> int:
    """The agency whose queue this person works: their own, or their region's triage."""
    if principal.role == "officer" and principal.agency_id is not None:
        return principal.agency_id
    if principal.role == "regional_admin" and principal.region_id is not None:
        with ctx.read() as session:
            triage = session.scalar(
                select(Agency.id).where(
                    Agency.region_id == principal.region_id, Agency.is_triage.is_(True)
                )
            )
        if triage is not None:
            return triage
    raise PermissionDenied("Halaman ini hanya untuk petugas instansi.")


def agency_queue(ctx: ServiceContext, principal: Principal, page: int = 1,
                 view: str = "aktif") -> QueuePage:
    """The complaints in the person's queue: open ones soonest-due first, or all newest first
    (never a federation member's: its own officers work it)."""
    agency_id = queue_agency_id(ctx, principal)
    page, view = max(1, page), view if view in VIEWS else "aktif"
    where = [Complaint.agency_id == agency_id, local_only()]
    if view == "aktif":
        where.append(Complaint.status.in_(OPEN_VALUES))
        order = (Complaint.sla_due_at.asc().nulls_last(), Complaint.created_at.desc(),
                 Complaint.id.desc())
    else:
        order = (Complaint.created_at.desc(), Complaint.id.desc())
    with ctx.read() as session:
        agency = session.get(Agency, agency_id)
        total = session.scalar(select(func.count()).select_from(Complaint).where(*where))
        rows = session.scalars(
            select(Complaint).where(*where).options(*ROW_OPTIONS).order_by(*order)
            .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
        )
        context = suggestion_context(session, agency.region_id)
        items = tuple(queue_item(ctx, row, ctx.clock(), context) for row in rows)
    return QueuePage(agency.name, items, page, total or 0, view)


ROW_OPTIONS = (
    selectinload(Complaint.district),
    selectinload(Complaint.village),
    selectinload(Complaint.contact),
    selectinload(Complaint.agency),
    selectinload(Complaint.claimed_by),
)


def suggestion_context(session, region_id: int) -> tuple[dict[str, str], dict[str, str]]:
    """The region's routing table and agency names, to show the model's suggestions."""
    names = dict(session.execute(select(Agency.code, Agency.name).where(
        Agency.region_id == region_id)).all())
    return table_of(session, region_id), names


def queue_item(ctx: ServiceContext, row: Complaint, now: datetime,
               suggestion_context: tuple[dict[str, str], dict[str, str]] | None = None
               ) -> QueueItem:
    """One list row, with the live SLA clock (loaded with :data:`ROW_OPTIONS`); the
    model's suggestions only where ``suggestion_context`` (the triage queue) is given."""
    clocks = snapshot(ctx.settings.sla, row, row.agency.code, now)
    current = clocks.current
    return QueueItem(
        tracking_number=row.tracking_number,
        title=row.title,
        status=Status(row.status),
        kecamatan=row.district.name if row.district else None,
        kelurahan=row.village.name if row.village else None,
        reporter=reporter_label(row),
        is_secret=row.is_secret,
        confidence=row.confidence,
        created_at=row.created_at,
        agency_name=row.agency.name,
        claimed_by=row.claimed_by.full_name if row.claimed_by else None,
        due_at=clocks.due_at,
        remaining=current.remaining if current else None,
        overdue=bool(current and current.breached),
        paused=bool(current and current.paused),
        suggestions=suggestions_of(row.predictions, *suggestion_context)
        if suggestion_context else (),
    )


def reporter_label(complaint: Complaint) -> str:
    """The reporter as officers may see them: never an ``anonim`` reporter's identity."""
    if complaint.is_anonymous:
        return "Anonim"
    if complaint.personal_data_erased_at is not None:
        return "Data pelapor dihapus"
    if complaint.contact is not None and complaint.contact.name:
        return complaint.contact.name
    return "Tanpa nama"
