"""An agency's queue of complaints, as its officers see it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from lapor_bridge.db.models import Agency, Complaint
from lapor_bridge.domain.status import Status
from lapor_bridge.services.accounts import Principal
from lapor_bridge.services.context import ServiceContext
from lapor_bridge.services.errors import PermissionDenied

PAGE_SIZE = 50


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


@dataclass(frozen=True)
class QueuePage:
    """A page of the queue, newest first."""

    agency_name: str
    items: tuple[QueueItem, ...]
    page: int
    total: int

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


def agency_queue(ctx: ServiceContext, principal: Principal, page: int = 1) -> QueuePage:
    """The complaints routed to the person's queue, newest first."""
    agency_id = queue_agency_id(ctx, principal)
    page = max(1, page)
    with ctx.read() as session:
        agency = session.get(Agency, agency_id)
        total = session.scalar(
            select(func.count()).select_from(Complaint).where(Complaint.agency_id == agency_id)
        )
        rows = session.scalars(
            select(Complaint)
            .where(Complaint.agency_id == agency_id)
            .options(
                selectinload(Complaint.district),
                selectinload(Complaint.village),
                selectinload(Complaint.contact),
            )
            .order_by(Complaint.created_at.desc(), Complaint.id.desc())
            .limit(PAGE_SIZE)
            .offset((page - 1) * PAGE_SIZE)
        )
        items = tuple(
            QueueItem(
                tracking_number=row.tracking_number,
                title=row.title,
                status=Status(row.status),
                kecamatan=row.district.name if row.district else None,
                kelurahan=row.village.name if row.village else None,
                reporter=reporter_label(row),
                is_secret=row.is_secret,
                confidence=row.confidence,
                created_at=row.created_at,
            )
            for row in rows
        )
    return QueuePage(agency.name, items, page, total or 0)


def reporter_label(complaint: Complaint) -> str:
    """The reporter as officers may see them: never an ``anonim`` reporter's identity."""
    if complaint.is_anonymous:
        return "Anonim"
    if complaint.contact is not None and complaint.contact.name:
        return complaint.contact.name
    return "Tanpa nama"
