"""Sync health per kab/kota for the dashboards, from the sync module's own queries.

:func:`lapor_bridge.services.sync.health.sync_health` answers for one regional
admin's region (or everything, for a system admin). The dashboard asks it once per
kab/kota in scope, as that region's admin would see it, so the figures are the
sync page's own and a coordinator sees only their province. Drift per kab/kota is
read from the last stored alignment report.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from lapor_bridge.db.models import Region
from lapor_bridge.services.accounts import Principal
from lapor_bridge.services.context import ServiceContext
from lapor_bridge.services.dashboards.scope import DashboardScope, ScopeRequest, resolve_scope
from lapor_bridge.services.sync.health import JobHealth, sync_health


@dataclass(frozen=True)
class RegionSync:
    """One kab/kota: unsent and failed outbox rows, the oldest unsent, error classes, links."""

    region: str
    pending: int
    dead: int
    oldest_unsent_at: datetime | None
    errors: tuple[tuple[str, int], ...]
    linked: int
    open_links: int
    drift: int | None


@dataclass(frozen=True)
class SyncOverview:
    """Sync health of every kab/kota in scope, the sync jobs' last runs and when the
    alignment report that ``drift`` comes from ran (None: never)."""

    scope: DashboardScope
    regions: tuple[RegionSync, ...]
    jobs: tuple[JobHealth, ...]
    aligned_at: datetime | None


def sync_overview(ctx: ServiceContext, principal: Principal,
                  wanted: ScopeRequest) -> SyncOverview:
    """Per kab/kota sync health within the person's reach."""
    with ctx.read() as session:
        scope = resolve_scope(session, principal, wanted, oversight_only=True)
        names = session.execute(select(Region.id, Region.name).where(
            Region.id.in_(scope.region_ids)).order_by(Region.name)).all()
    rows, jobs, aligned_at = [], (), None
    for region_id, name in names:
        health = sync_health(ctx, Principal(principal.user_id, principal.username,
                                            principal.full_name, "regional_admin", None,
                                            region_id))
        backlog = health.regions[0] if health.regions else None
        rows.append(RegionSync(
            name, backlog.pending if backlog else 0, backlog.dead if backlog else 0,
            backlog.oldest_unsent_at if backlog else None, tuple(health.errors),
            health.linked or 0, health.open_links or 0,
            health.alignment.drift if health.alignment else None))
        jobs = tuple(health.jobs)
        aligned_at = health.alignment.reported_at if health.alignment else None
    return SyncOverview(scope, tuple(rows), jobs, aligned_at)
