"""Sync health per kab/kota for the dashboards, from the sync module's own queries.

:func:`lapor_bridge.services.sync.health.sync_health` answers for one regional
admin's region (or everything, for a system admin). The dashboard asks it once per
kab/kota in scope, as that region's admin would see it, so the figures are the
sync page's own and a coordinator sees only their province. Drift per kab/kota is
read from the last stored alignment report.

At a provincial instance the kab/kota that federation members report for have no
SP4N-LAPOR! queue here (the member sends its own); instead each member in scope is
shown with its last push, lag and last drift check, for coordinators and system admins.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from lapor_bridge.db.models import Region
from lapor_bridge.services.accounts import Principal
from lapor_bridge.services.context import ServiceContext
from lapor_bridge.services.dashboards.scope import DashboardScope, ScopeRequest, resolve_scope
from lapor_bridge.services.federation.members import MemberInfo, list_members
from lapor_bridge.services.sync.health import JobHealth, sync_health

MEMBER_VIEWERS = frozenset({"coordinator", "sysadmin"})
STALE_AFTER_PUSHES = 3  # a member that has not pushed for this many intervals is flagged
DRIFT_KINDS = ("missing", "behind", "ahead", "extra", "dead")  # of the member's drift summary


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
class MemberSync:
    """A federation member reporting for kab/kota in scope: whether it is still a member,
    what is held of it, its last push and lag, its last drift check's counts (None: not
    checked yet; ``dead``: records its outbox gave up on), and whether it is ``stale``
    (active, no push for three intervals)."""

    name: str
    regions: tuple[str, ...]
    active: bool
    removed_at: datetime | None
    records: int
    last_push_at: datetime | None
    lag_seconds: float | None
    drift_checked_at: datetime | None
    missing: int | None
    behind: int | None
    ahead: int | None
    extra: int | None
    dead: int | None
    stale: bool

    @property
    def drift(self) -> int | None:
        """Records differing between member and province at the last check."""
        if self.drift_checked_at is None:
            return None
        return sum(count or 0 for count in (self.missing, self.behind, self.ahead, self.extra))

    @property
    def warnings(self) -> tuple[str, ...]:
        """What needs a look: no recent push, differences, records the member gave up on."""
        return tuple(text for flag, text in ((self.stale, "kiriman terlambat"),
                                             (self.drift, "ada selisih"),
                                             (self.dead, "ada kiriman gagal")) if flag)


@dataclass(frozen=True)
class SyncOverview:
    """Sync health of every kab/kota in scope, the sync jobs' last runs and when the
    alignment report that ``drift`` comes from ran (None: never), and the federation
    members in scope (empty where there are none, or for a regional admin) with the
    silence after which a member is ``stale``."""

    scope: DashboardScope
    regions: tuple[RegionSync, ...]
    jobs: tuple[JobHealth, ...]
    aligned_at: datetime | None
    members: tuple[MemberSync, ...] = ()
    stale_after_seconds: float = 0.0


def sync_overview(ctx: ServiceContext, principal: Principal,
                  wanted: ScopeRequest) -> SyncOverview:
    """Per kab/kota sync health within the person's reach, and its federation members."""
    with ctx.read() as session:
        scope = resolve_scope(session, principal, wanted, oversight_only=True)
        places = session.execute(select(Region.id, Region.name, Region.code, Region.member_id)
                                 .where(Region.id.in_(scope.region_ids))
                                 .order_by(Region.name)).all()
    rows, jobs, aligned_at = [], (), None
    for region_id, name, _, member_id in places:
        if member_id is not None:
            continue
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
    members = ()
    stale_after = STALE_AFTER_PUSHES * ctx.settings.federation.push_interval_seconds
    if principal.role in MEMBER_VIEWERS and any(place.member_id for place in places):
        codes = {place.code for place in places if place.member_id is not None}
        members = tuple(_member_sync(ctx, info, stale_after) for info in list_members(ctx)
                        if any(code in codes for code, _ in info.regions))
    return SyncOverview(scope, tuple(rows), jobs, aligned_at, members, stale_after)


def _member_sync(ctx: ServiceContext, info: MemberInfo, limit: float) -> MemberSync:
    drift = info.drift or {}
    checked = info.drift_checked_at
    since = info.last_push_at or info.created_at
    return MemberSync(
        info.name, tuple(name for _, name in info.regions), info.active, info.removed_at,
        info.records, info.last_push_at, info.last_lag_seconds, checked,
        *(drift.get(kind, 0) if checked else None for kind in DRIFT_KINDS),
        stale=info.active and (ctx.clock() - since).total_seconds() > limit)
