"""The coordinator's choropleth: complaints and overdue share per kelurahan/desa.

For a dashboard scope (reach narrowed by kab/kota, agency, category) and period:
``count`` is the complaints received in the period (WIB dates) in the kelurahan,
``overdue`` those of them still open and past their SLA due time now, ``overdue_share``
their ratio. Federation members' complaints are left out, as on every map. Complaints
without a kelurahan, or in one without a boundary, are counted in ``unmapped``.
"""

from __future__ import annotations

from datetime import UTC, datetime, time

from sqlalchemy import case, func, select

from lapor_bridge.db.models import Complaint, District, Village
from lapor_bridge.db.models_places import VillageBoundary
from lapor_bridge.domain.calendar import WIB
from lapor_bridge.domain.dashboard import Period
from lapor_bridge.domain.status import OPEN_VALUES
from lapor_bridge.services.accounts import Principal
from lapor_bridge.services.context import ServiceContext
from lapor_bridge.services.dashboards.scope import DashboardScope, ScopeRequest, resolve_scope
from lapor_bridge.services.places.map_data import geometry_json
from lapor_bridge.services.scope import local_only


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


def choropleth(ctx: ServiceContext, principal: Principal, wanted: ScopeRequest,
               period: Period) -> tuple[DashboardScope, dict]:
    """The resolved scope and a FeatureCollection of its kab/kota's kelurahan polygons
    with ``count``, ``overdue`` and ``overdue_share``; NotFound/PermissionDenied as
    :func:`resolve_scope`."""
    with ctx.read() as session:
        scope = resolve_scope(session, principal, wanted, oversight_only=True)
        polygons = session.execute(
            select(VillageBoundary.village_id, VillageBoundary.geometry, Village.name,
                   District.name)
            .join(Village, Village.id == VillageBoundary.village_id)
            .join(District, District.id == Village.district_id)
            .where(District.region_id.in_(scope.region_ids))
            .order_by(VillageBoundary.village_id)).all()
    counts = village_counts(ctx, scope, period)
    features = []
    for village_id, geometry, name, kecamatan in polygons:
        count, overdue = counts.pop(village_id, (0, 0))
        features.append({"type": "Feature", "id": village_id,
                         "geometry": geometry_json(geometry),
                         "properties": {"name": name, "kecamatan": kecamatan, "count": count,
                                        "overdue": overdue,
                                        "overdue_share": round(overdue / count, 3)
                                        if count else None}})
    unmapped = sum(count for count, _ in counts.values())
    return scope, {"type": "FeatureCollection", "features": features,
                   "period": {"code": period.code, "label": period.label},
                   "unmapped": unmapped}
