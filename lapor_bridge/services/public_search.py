"""Searching complaints as the public may see them (API v1 list, Open311 GET requests).

Never the reporter. ``rahasia`` complaints are left out of searches; asked for by
tracking number they are returned with their text and place hidden, as on the
tracking page. A federation member's complaints held here are never returned: the
member's own instance publishes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import selectinload

from lapor_bridge.db.models import Agency, Complaint, Region
from lapor_bridge.domain import categories
from lapor_bridge.domain.status import Status
from lapor_bridge.services.context import ServiceContext
from lapor_bridge.services.scope import local_only

NEWEST_FIRST = "created_desc"
OLDEST_UPDATE_FIRST = "updated_asc"


@dataclass(frozen=True)
class PublicQuery:
    """Filters of a public search; ``None`` means "any"."""

    region_code: str
    tracking_numbers: tuple[str, ...] | None = None
    agency_codes: tuple[str, ...] | None = None
    categories: tuple[str, ...] | None = None  # "lainnya" also finds uncategorised ones
    statuses: tuple[Status, ...] | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    updated_from: datetime | None = None
    updated_to: datetime | None = None
    order: str = NEWEST_FIRST
    after: tuple[datetime, int] | None = None
    limit: int = 100


@dataclass(frozen=True)
class PublicSummary:
    """One complaint in a public list."""

    id: int
    tracking_number: str
    status: Status
    agency_code: str
    agency_name: str
    region_name: str
    is_secret: bool
    title: str | None
    description: str | None
    kecamatan: str | None
    kelurahan: str | None
    lat: float | None
    lon: float | None
    created_at: datetime
    updated_at: datetime
    due_at: datetime | None
    category: str | None


def find_public(ctx: ServiceContext, query: PublicQuery) -> list[PublicSummary]:
    """Complaints of ``query.region_code`` matching every filter, at most ``query.limit``."""
    # The region as a scalar subquery and agencies as an id list, not joins: the planner
    # then walks (region_id, created_at, id) backwards and stops after one page.
    region_id = select(Region.id).where(Region.code == query.region_code).scalar_subquery()
    statement = (
        select(Complaint)
        .where(Complaint.region_id == region_id, local_only())
        .options(
            selectinload(Complaint.agency), selectinload(Complaint.region),
            selectinload(Complaint.district), selectinload(Complaint.village),
        )
    )
    if query.tracking_numbers is not None:
        statement = statement.where(Complaint.tracking_number.in_(query.tracking_numbers))
    else:
        statement = statement.where(Complaint.is_secret.is_(False))
    if query.agency_codes is not None:
        statement = statement.where(Complaint.agency_id.in_(
            select(Agency.id).where(Agency.region_id == region_id,
                                    Agency.code.in_(list(query.agency_codes)))))
    if query.categories is not None:
        statement = statement.where(_in_categories(query.categories))
    if query.statuses is not None:
        statement = statement.where(Complaint.status.in_([str(value) for value in query.statuses]))
    for column, low, high in ((Complaint.created_at, query.created_from, query.created_to),
                              (Complaint.updated_at, query.updated_from, query.updated_to)):
        if low is not None:
            statement = statement.where(column >= low)
        if high is not None:
            statement = statement.where(column <= high)
    if query.order == OLDEST_UPDATE_FIRST:
        statement = statement.order_by(Complaint.updated_at, Complaint.id)
    else:
        if query.after is not None:
            at, last_id = query.after
            statement = statement.where(
                or_(Complaint.created_at < at,
                    and_(Complaint.created_at == at, Complaint.id < last_id))
            )
        statement = statement.order_by(Complaint.created_at.desc(), Complaint.id.desc())
    with ctx.read() as session:
        return [_summary(row) for row in session.scalars(statement.limit(query.limit))]


def _in_categories(codes: tuple[str, ...]):
    """Complaints filed under one of ``codes``; ``lainnya`` also matches those without a
    category of the list."""
    known = [code for code in codes if categories.is_category(code)]
    matches = [Complaint.category.in_(known)]
    if categories.OTHER in known:
        matches.append(or_(Complaint.category.is_(None),
                           Complaint.category.not_in(categories.CODES)))
    return or_(*matches)


def _summary(row: Complaint) -> PublicSummary:
    hidden = row.is_secret
    return PublicSummary(
        id=row.id,
        tracking_number=row.tracking_number,
        status=Status(row.status),
        agency_code=row.agency.code,
        agency_name=row.agency.name,
        region_name=row.region.name,
        is_secret=row.is_secret,
        title=None if hidden else row.title,
        description=None if hidden else row.description,
        kecamatan=None if hidden or row.district is None else row.district.name,
        kelurahan=None if hidden or row.village is None else row.village.name,
        lat=None if hidden or row.lat is None else round(row.lat, 5),
        lon=None if hidden or row.lon is None else round(row.lon, 5),
        created_at=row.created_at,
        updated_at=row.updated_at,
        due_at=row.sla_due_at,
        category=None if hidden else row.category,
    )
