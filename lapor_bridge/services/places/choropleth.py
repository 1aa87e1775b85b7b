"""The coordinator's choropleth: complaints and overdue share per kelurahan/desa.

For a dashboard scope (reach narrowed by kab/kota, agency, category) and period:
``count`` is the complaints received in the period (WIB dates) in the kelurahan,
``overdue`` those of them still open and past their SLA due time now, ``overdue_share``
their ratio. Federation members' complaints are left out, as on every map. Complaints
without a kelurahan, or in one without a boundary, are counted in ``unmapped``.

The polygons come in pages (keyset on the village id, optionally within a bbox, as the
other layers); every page carries the scope-wide ``scale`` (the largest count and
overdue share of any mapped kelurahan) so that colours agree across pages, and the
scope's ``extent``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from lapor_bridge.db.models import Complaint, District, Village
from lapor_bridge.db.models_places import VillageBoundary
from lapor_bridge.domain.calendar import WIB
from lapor_bridge.domain.dashboard import Period
from lapor_bridge.domain.status import OPEN_VALUES
from lapor_bridge.services.accounts import Principal
from lapor_bridge.services.context import ServiceContext
from lapor_bridge.services.dashboards.scope import DashboardScope, ScopeRequest, resolve_scope
from lapor_bridge.services.places.map_data import DEFAULT_LIMIT, BBox, geometry_json
from lapor_bridge.services.scope import local_only

# A choropleth box may cover a province (Jawa Timur is ≈ 5.6° wide), not just a city.
MAX_SPAN = 6.0


@dataclass(frozen=True)
class ChoroplethPage:
    """One page of the choropleth and what every page repeats."""

    features: list[dict]
    next_after: int | None
    extent: BBox | None
    scale: dict[str, float]
    unmapped: int
    period: Period

    def collection(self, next_url: str | None = None) -> dict:
        """The page as a GeoJSON FeatureCollection with ``next``, ``scale``, ``extent``,
        ``unmapped`` and ``period``."""
        return {"type": "FeatureCollection", "features": self.features, "next": next_url,
                "bbox": self.extent.as_list() if self.extent else None,
                "scale": self.scale, "unmapped": self.unmapped,
                "period": {"code": self.period.code, "label": self.period.label}}


def utc_bounds(period: Period) -> tuple[datetime, datetime]:
    """The period's first and end instants (WIB midnights) in UTC."""
    return tuple(datetime.combine(day, time(), WIB).astimezone(UTC)
                 for day in (period.start, period.end))


def village_counts(ctx: ServiceContext, scope: DashboardScope,
                   period: Period) -> dict[int | None, tuple[int, int]]:
    """``{village_id: (count, overdue)}`` of the scope's complaints received in
    ``period`` (key None: no kelurahan)."""
    start, end = utc_bounds(period)
    now = ctx.clock()
    overdue = case((Complaint.status.in_(OPEN_VALUES) & (Complaint.sla_due_at < now), 1),
                   else_=0)
    with ctx.read() as session:
        rows = session.execute(
            select(Complaint.village_id, func.count(), func.sum(overdue))
            .where(scope.complaint_filter(), local_only(), Complaint.created_at >= start,
                   Complaint.created_at < end)
            .group_by(Complaint.village_id)).all()
    return {village_id: (count, int(late or 0)) for village_id, count, late in rows}


def scope_extent(ctx: ServiceContext, principal: Principal,
                 wanted: ScopeRequest) -> tuple[DashboardScope, BBox | None]:
    """The resolved scope and the box around its kelurahan polygons (None: none);
    NotFound/PermissionDenied as :func:`resolve_scope`."""
    with ctx.read() as session:
        scope = resolve_scope(session, principal, wanted, oversight_only=True)
        return scope, _extent(session, scope)


def _extent(session: Session, scope: DashboardScope) -> BBox | None:
    row = session.execute(
        select(func.min(VillageBoundary.min_lon), func.min(VillageBoundary.min_lat),
               func.max(VillageBoundary.max_lon), func.max(VillageBoundary.max_lat))
        .join(Village, Village.id == VillageBoundary.village_id)
        .join(District, District.id == Village.district_id)
        .where(District.region_id.in_(scope.region_ids))).one()
    return None if row[0] is None else BBox(*row)


def choropleth(ctx: ServiceContext, principal: Principal, wanted: ScopeRequest,
               period: Period, box: BBox | None = None, limit: int = DEFAULT_LIMIT,
               after: int = 0) -> tuple[DashboardScope, ChoroplethPage]:
    """The resolved scope and one page of its kab/kota's kelurahan polygons (meeting
    ``box`` when given, village id above ``after``) with ``count``, ``overdue`` and
    ``overdue_share``; NotFound/PermissionDenied as :func:`resolve_scope`."""
    with ctx.read() as session:
        scope = resolve_scope(session, principal, wanted, oversight_only=True)
        extent = _extent(session, scope)
        in_scope = District.region_id.in_(scope.region_ids)
        mapped = set(session.scalars(
            select(VillageBoundary.village_id)
            .join(Village, Village.id == VillageBoundary.village_id)
            .join(District, District.id == Village.district_id).where(in_scope)))
        wanted_box = () if box is None else (and_(
            VillageBoundary.max_lon >= box.min_lon, VillageBoundary.min_lon <= box.max_lon,
            VillageBoundary.max_lat >= box.min_lat, VillageBoundary.min_lat <= box.max_lat),)
        polygons = session.execute(
            select(VillageBoundary.village_id, VillageBoundary.geometry, Village.name,
                   District.name)
            .join(Village, Village.id == VillageBoundary.village_id)
            .join(District, District.id == Village.district_id)
            .where(in_scope, VillageBoundary.village_id > after, *wanted_box)
            .order_by(VillageBoundary.village_id).limit(limit)).all()
    counts = village_counts(ctx, scope, period)
    shown = {key: value for key, value in counts.items() if key in mapped}
    scale = {"count": max((count for count, _ in shown.values()), default=0),
             "overdue_share": max((round(late / count, 3) for count, late in shown.values()
                                   if count), default=0)}
    features = []
    for village_id, geometry, name, kecamatan in polygons:
        count, overdue = counts.get(village_id, (0, 0))
        features.append({"type": "Feature", "id": village_id,
                         "geometry": geometry_json(geometry),
                         "properties": {"name": name, "kecamatan": kecamatan, "count": count,
                                        "overdue": overdue,
                                        "overdue_share": round(overdue / count, 3)
                                        if count else None}})
    unmapped = sum(count for key, (count, _) in counts.items() if key not in mapped)
    next_after = polygons[-1].village_id if len(polygons) == limit else None
    return scope, ChoroplethPage(features, next_after, extent, scale, unmapped, period)
