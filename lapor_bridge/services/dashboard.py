"""The coordinator dashboards: overview of a scope and period, league tables.

Every figure counts the complaints *received* in the period (a cohort), as they
stand at the last metrics refresh: how many came in, how many are resolved, open
and overdue now, how long the first response and the resolution took (working
days), and how the SLA stages went. A stage counts as decided once done, or once
its due time has passed while still open (a breach). Read from
``complaint_metrics`` (see :mod:`lapor_bridge.services.stats_refresh`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import ColumnElement, and_, func, literal_column, or_, select, text
from sqlalchemy.orm import Session

from lapor_bridge.db.models import Agency, Region
from lapor_bridge.db.models_stats import ComplaintMetrics as M
from lapor_bridge.domain.calendar import WIB
from lapor_bridge.domain.categories import label as category_label
from lapor_bridge.domain.dashboard import (
    Compliance,
    LeagueRow,
    Period,
    WeekPoint,
    percentile,
    rank_league,
    share,
    weekly_backlog,
)
from lapor_bridge.domain.status import Status
from lapor_bridge.services.accounts import Principal
from lapor_bridge.services.context import ServiceContext
from lapor_bridge.services.dashboard_scope import DashboardScope, ScopeRequest, resolve_scope
from lapor_bridge.services.stats_refresh import last_refreshed

MIN_VOLUME = 20
TOP_CATEGORIES = 8
STAGES = (("dispose", "Verifikasi dan disposisi"), ("response", "Tindak lanjut pertama"),
          ("completion", "Penyelesaian"))
LEAGUE_STAGES = ("response", "completion")
# Resolution-time histogram buckets: [low, high) in working days.
BUCKETS = ((0, 1), (1, 2), (2, 3), (3, 5), (5, 7), (7, 10), (10, 15), (15, 20), (20, 30),
           (30, 60), (60, None))


@dataclass(frozen=True)
class Spread:
    """Median and 90th percentile of a duration in working days, over ``count`` complaints."""

    median: float | None
    p90: float | None
    count: int


@dataclass(frozen=True)
class Overview:
    """Everything the overview page shows for one scope and period."""

    scope: DashboardScope
    period: Period
    received: int
    resolved: int
    open: int
    overdue: int
    rerouted_share: float | None
    triaged_share: float | None
    first_response: Spread
    resolution: Spread
    compliance: tuple[tuple[str, Compliance], ...]
    trend: tuple[WeekPoint, ...]
    categories: tuple[tuple[str, int, float], ...]
    histogram: tuple[tuple[str, int], ...]
    refreshed_at: datetime | None


@dataclass(frozen=True)
class League:
    """League tables of agencies and of kab/kota for one scope and period."""

    scope: DashboardScope
    period: Period
    previous: Period
    agencies: tuple[LeagueRow, ...]
    regions: tuple[LeagueRow, ...]
    min_volume: int
    refreshed_at: datetime | None


def overview(ctx: ServiceContext, principal: Principal, wanted: ScopeRequest,
             period: Period) -> Overview:
    """The overview of ``wanted`` (within the person's reach) for ``period``."""
    now = ctx.clock()
    with ctx.read() as session:
        _tune(session)
        scope = resolve_scope(session, principal, wanted)
        where = and_(scope.metrics_filter(), *_received_in(period))
        row = _headline(session, where, now)
        received = row["received"]
        result = Overview(
            scope=scope, period=period, received=received, resolved=row["resolved"],
            open=row["open"], overdue=row["overdue"],
            rerouted_share=share(row["rerouted"], received),
            triaged_share=share(row["triaged"], received),
            first_response=_spread(session, where, row, M.first_response_days),
            resolution=_spread(session, where, row, M.resolution_days),
            compliance=tuple((title, Compliance(row[f"{prefix}_met"], row[f"{prefix}_decided"]))
                             for prefix, title in STAGES),
            trend=tuple(_trend(session, scope, period)),
            categories=_categories(session, where, received),
            histogram=tuple((f"{low}–{high}" if high else f"≥{low}", row[f"bucket_{index}"])
                            for index, (low, high) in enumerate(BUCKETS)),
            refreshed_at=None,
        )
    return _with_refresh_time(ctx, result)


def league(ctx: ServiceContext, principal: Principal, wanted: ScopeRequest, period: Period,
           min_volume: int = MIN_VOLUME) -> League:
    """Agencies and kab/kota ranked by SLA compliance, then median resolution time."""
    now = ctx.clock()
    previous = period.previous()
    with ctx.read() as session:
        _tune(session)
        scope = resolve_scope(session, principal, wanted, oversight_only=True)
        agency_names = dict(session.execute(
            select(Agency.id, Agency.name).where(Agency.region_id.in_(scope.region_ids))).all())
        region_names = dict(session.execute(
            select(Region.id, Region.name).where(Region.id.in_(scope.region_ids))).all())
        tables = []
        for key, names in ((M.agency_id, agency_names), (M.region_id, region_names)):
            current = _league_rows(session, scope, period, key, now)
            before = _league_rows(session, scope, previous, key, now)
            rows = [
                LeagueRow(item, names.get(item, str(item)), count, compliance, median,
                          *(before.get(item, (0, None, None))[1:]))
                for item, (count, compliance, median) in current.items()
            ]
            tables.append(tuple(rank_league(rows, min_volume)))
        result = League(scope, period, previous, tables[0], tables[1], min_volume, None)
    return _with_refresh_time(ctx, result)


def _with_refresh_time(ctx: ServiceContext, result):
    return replace(result, refreshed_at=last_refreshed(ctx))


def _tune(session: Session) -> None:
    """Give PostgreSQL room to sort percentiles in memory for this transaction."""
    if _is_postgres(session):
        session.execute(text("SET LOCAL work_mem = '64MB'"))


def _received_in(period: Period) -> list[ColumnElement[bool]]:
    return [M.received_on >= period.start, M.received_on < period.end]


def _count(condition) -> ColumnElement[int]:
    return func.count().filter(condition)


def _overdue(now: datetime) -> ColumnElement[bool]:
    return and_(M.is_open, M.status != Status.WAITING_REPORTER.value, M.sla_due_at < now)


def _stage_counts(prefix: str, now: datetime) -> tuple[ColumnElement[int], ColumnElement[int]]:
    met, due = getattr(M, f"{prefix}_met"), getattr(M, f"{prefix}_due_at")
    return _count(met.is_(True)), _count(or_(met.is_not(None), due < now))


def _headline(session: Session, where, now: datetime) -> dict:
    """Counts, stage compliance and histogram buckets in one scan (percentiles too on
    PostgreSQL), by label."""
    columns = [func.count().label("received"), _count(M.resolved).label("resolved"),
               _count(M.is_open).label("open"), _count(_overdue(now)).label("overdue"),
               _count(M.rerouted).label("rerouted"), _count(M.triaged).label("triaged")]
    for prefix, _ in STAGES:
        met, decided = _stage_counts(prefix, now)
        columns += [met.label(f"{prefix}_met"), decided.label(f"{prefix}_decided")]
    for index, (low, high) in enumerate(BUCKETS):
        inside = M.resolution_days >= low if high is None else and_(
            M.resolution_days >= low, M.resolution_days < high)
        columns.append(_count(inside).label(f"bucket_{index}"))
    if _is_postgres(session):
        for column in (M.first_response_days, M.resolution_days):
            columns += [func.percentile_cont(0.5).within_group(column).label(f"{column.key}_p50"),
                        func.percentile_cont(0.9).within_group(column).label(f"{column.key}_p90"),
                        func.count(column).label(f"{column.key}_n")]
    return dict(session.execute(select(*columns).where(where)).one()._mapping)


def _spread(session: Session, where, headline: dict, column) -> Spread:
    """Median and p90 of ``column``: from the headline row on PostgreSQL, else in Python."""
    if _is_postgres(session):
        return Spread(headline[f"{column.key}_p50"], headline[f"{column.key}_p90"],
                      headline[f"{column.key}_n"])
    values = list(session.scalars(select(column).where(where, column.is_not(None))))
    return Spread(percentile(values, 0.5), percentile(values, 0.9), len(values))


def _is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _trend(session: Session, scope: DashboardScope, period: Period) -> list[WeekPoint]:
    in_scope = scope.metrics_filter()
    received = dict(session.execute(
        select(M.received_on, func.count()).where(in_scope, *_received_in(period))
        .group_by(M.received_on)).all())
    closed = dict(session.execute(
        select(M.closed_on, func.count()).where(
            in_scope, M.closed_on >= period.start, M.closed_on < period.end)
        .group_by(M.closed_on)).all())
    came_before = session.scalar(select(func.count()).select_from(M).where(
        in_scope, M.received_on < period.start)) or 0
    went_before = session.scalar(select(func.count()).select_from(M).where(
        in_scope, M.closed_on < period.start)) or 0
    return weekly_backlog(period, came_before - went_before, _by_date(received),
                          _by_date(closed))


def _by_date(counts: dict) -> dict[date, int]:
    return {day if isinstance(day, date) else date.fromisoformat(day): n
            for day, n in counts.items()}


def _categories(session: Session, where, received: int) -> tuple[tuple[str, int, float], ...]:
    rows = session.execute(
        select(M.category, func.count().label("n")).where(where).group_by(M.category)
        .order_by(literal_column("n").desc(), M.category).limit(TOP_CATEGORIES)).all()
    return tuple((category_label(name), count, count / received) for name, count in rows)


def _league_rows(session: Session, scope: DashboardScope, period: Period, key,
                 now: datetime) -> dict[int, tuple[int, Compliance, float | None]]:
    where = and_(scope.metrics_filter(), *_received_in(period))
    counts = [column for prefix in LEAGUE_STAGES for column in _stage_counts(prefix, now)]
    medians: dict[int, float | None]
    if _is_postgres(session):
        median = func.percentile_cont(0.5).within_group(M.resolution_days)
        rows = session.execute(select(key, func.count(), median, *counts).where(where)
                               .group_by(key)).all()
        medians = {row[0]: row[2] for row in rows}
    else:
        rows = session.execute(select(key, func.count(), func.count(), *counts).where(where)
                               .group_by(key)).all()
        values: dict[int, list[float]] = {}
        for item, days in session.execute(select(key, M.resolution_days).where(
                where, M.resolution_days.is_not(None))).all():
            values.setdefault(item, []).append(days)
        medians = {item: percentile(days, 0.5) for item, days in values.items()}
    return {
        row[0]: (row[1], Compliance(sum(row[3::2]), sum(row[4::2])), medians.get(row[0]))
        for row in rows
    }


def local_today(ctx: ServiceContext) -> date:
    """Today's date in WIB, by the context's clock."""
    return ctx.clock().astimezone(WIB).date()
