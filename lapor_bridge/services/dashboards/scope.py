"""Which complaints a dashboard covers: the person's reach, narrowed by what they picked.

Reach follows :mod:`lapor_bridge.services.scope`: a coordinator sees the
kabupaten/kota of their province, a regional admin their own, an officer their
agency, a system admin everything (one province at a time when picked). Picking
a province, kab/kota or agency outside that reach is NotFound, like a complaint
outside scope. Every page and export of the dashboards goes through
:func:`resolve_scope`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session

from lapor_bridge.db.models import Agency, Complaint, Region
from lapor_bridge.db.models_stats import ComplaintMetrics
from lapor_bridge.domain import categories
from lapor_bridge.services.accounts import Principal
from lapor_bridge.services.errors import NotFound, PermissionDenied

DASHBOARD_ROLES = frozenset({"coordinator", "regional_admin", "sysadmin", "officer"})
OVERSIGHT_ROLES = frozenset({"coordinator", "regional_admin", "sysadmin"})
NO_CATEGORY = "-"


@dataclass(frozen=True)
class ScopeRequest:
    """What the person picked (query parameters); None means "all within reach"."""

    province: str | None = None
    region: str | None = None
    agency: int | None = None
    category: str | None = None


@dataclass(frozen=True)
class DashboardScope:
    """The resolved scope: the kab/kota ids covered, an agency and a category when picked.

    ``category`` is None for all, ``""`` for complaints without one. The option
    lists feed the pickers and hold only what the person may choose (a list with a
    single entry is left empty: there is nothing to pick).
    """

    region_ids: tuple[int, ...]
    agency_id: int | None
    category: str | None
    label: str
    request: ScopeRequest
    provinces: tuple[tuple[str, str], ...]
    regions: tuple[tuple[str, str], ...]
    agencies: tuple[tuple[int, str], ...]
    categories: tuple[str, ...]

    def metrics_filter(self) -> ColumnElement[bool]:
        """WHERE clause on ``complaint_metrics``."""
        return self._filter(ComplaintMetrics)

    def complaint_filter(self) -> ColumnElement[bool]:
        """WHERE clause on ``complaints``."""
        return self._filter(Complaint)

    def _filter(self, model) -> ColumnElement[bool]:
        clauses = [model.region_id.in_(self.region_ids)]
        if self.agency_id is not None:
            clauses.append(model.agency_id == self.agency_id)
        if self.category == "" and model is Complaint:
            clauses.append(or_(Complaint.category.is_(None), Complaint.category == ""))
        elif self.category is not None:
            clauses.append(model.category == self.category)
        return and_(*clauses)


def resolve_scope(session: Session, principal: Principal, wanted: ScopeRequest,
                  *, oversight_only: bool = False) -> DashboardScope:
    """The scope ``principal`` gets for ``wanted``; NotFound when a pick is out of reach."""
    allowed = OVERSIGHT_ROLES if oversight_only else DASHBOARD_ROLES
    if principal.role not in allowed:
        raise PermissionDenied("Dasbor ini untuk koordinator dan admin.")
    provinces = _provinces(session, principal)
    province = _pick(provinces, wanted.province, "Provinsi")
    if province is None and principal.role == "coordinator":
        province = provinces[0] if provinces else None
    regions = _regions(session, principal, province)
    region = _pick(regions, wanted.region, "Kabupaten/kota")
    region_ids = (region.id,) if region else tuple(r.id for r in regions)
    rows = session.execute(
        select(Agency.id, Agency.name, Agency.code).where(Agency.region_id.in_(region_ids))
        .order_by(Agency.region_id, Agency.is_triage, Agency.name)).all()
    if principal.role == "officer":
        rows = [row for row in rows if row[0] == principal.agency_id]
    agency_id = wanted.agency if principal.role != "officer" else principal.agency_id
    if agency_id is not None and agency_id not in {row[0] for row in rows}:
        raise NotFound("Instansi tidak ditemukan.")
    agencies = tuple((row[0], row[1]) for row in rows)
    category = None if wanted.category in (None, "") else (
        "" if wanted.category == NO_CATEGORY else wanted.category)
    place = region or (regions[0] if len(regions) == 1 else province)
    parts = [dict(agencies)[agency_id] if agency_id else
             place.name if place else "Semua wilayah"]
    if category is not None:
        parts.append(categories.label(category))
    return DashboardScope(
        region_ids=region_ids, agency_id=agency_id, category=category,
        label=" · ".join(parts), request=wanted,
        provinces=tuple((p.code, p.name) for p in provinces) if len(provinces) > 1 else (),
        regions=tuple((r.code, r.name) for r in regions) if len(regions) > 1 else (),
        agencies=agencies if len(agencies) > 1 else (),
        categories=categories.CODES,
    )


def _provinces(session: Session, principal: Principal) -> list[Region]:
    query = select(Region).where(Region.kind == "provinsi").order_by(Region.code)
    if principal.role == "sysadmin":
        return list(session.scalars(query))
    if principal.role == "coordinator":
        return list(session.scalars(query.where(Region.id == principal.region_id)))
    return []


def _regions(session: Session, principal: Principal, province: Region | None) -> list[Region]:
    query = select(Region).where(Region.kind != "provinsi").order_by(Region.code)
    if principal.role in ("regional_admin", "officer"):
        region_id = principal.region_id
        if principal.role == "officer":
            region_id = session.scalar(select(Agency.region_id).where(
                Agency.id == principal.agency_id))
        return list(session.scalars(query.where(Region.id == region_id)))
    if province is not None:
        return list(session.scalars(query.where(Region.parent_id == province.id)))
    return list(session.scalars(query))


def _pick(choices: list[Region], code: str | None, what: str) -> Region | None:
    if not code:
        return None
    for region in choices:
        if region.code == code:
            return region
    raise NotFound(f"{what} {code} tidak ditemukan.")
