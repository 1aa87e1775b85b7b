"""The coordinator dashboards: overview of a scope and period, league tables.

Every figure counts the complaints *received* in the period (a cohort), as they
stand at the last metrics refresh: how many came in, how many are resolved, open
and overdue now, how long the first response and the resolution took (working
days), and how the SLA stages went. A stage counts as decided once done, or once
its due time has passed while still open (a breach).

Each page fetches the ``complaint_cells`` of its scope and months in one statement
(both periods for the league) and counts, groups and takes percentiles in numpy
(:mod:`lapor_bridge.services.dashboards.cells`); what changes with time alone — overdue,
a stage's due time passing — is counted live on the few open rows of
``complaint_metrics`` (partial index ``ix_complaint_metrics_live``). Same code on
SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from datetime import date, datetime

import numpy as np
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from lapor_bridge.db.models import Agency, Region
from lapor_bridge.db.models_stats import ComplaintCell as C
from lapor_bridge.db.models_stats import ComplaintMetrics as M
from lapor_bridge.domain.calendar import WIB
from lapor_bridge.domain.categories import label as category_label
from lapor_bridge.domain.dashboard import (
    Compliance,
    LeagueRow,
    Period,
    WeekPoint,
    group_percentiles,
    rank_league,
    share,
    weekly_backlog,
)
from lapor_bridge.domain.status import Status
from lapor_bridge.services.accounts import Principal
from lapor_bridge.services.context import ServiceContext
from lapor_bridge.services.dashboards.cells import (
    CLOSING,
    OPEN,
    RECORD,
    REROUTED,
    RESOLVED,
    STAGE_BITS,
    TOTAL,
    TRIAGED,
    fetch_rows,
    month_of,
    unpack,
)
from lapor_bridge.services.dashboards.refresh import last_refreshed
from lapor_bridge.services.dashboards.scope import DashboardScope, ScopeRequest, resolve_scope

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
        scope = resolve_scope(session, principal, wanted)
        cells = _fetch(session, scope, period.start, period.end)
        (live,) = _live(session, scope, period, now)
        earlier = _open_before(session, scope, month_of(period.start))
    inside = cells.within(period.start, period.end)
    records = cells.records[inside]
    flags = records["flags"]
    received = len(records)

    def flagged(bit: int) -> int:
        return int(np.count_nonzero(flags & bit))

    compliance = []
    for prefix, title in STAGES:
        met, missed = STAGE_BITS[prefix]
        compliance.append((title, Compliance(
            flagged(met), flagged(met) + flagged(missed) + getattr(live, prefix))))
    start = period.start.toordinal()
    backlog = earlier + int(np.count_nonzero(cells.received < start)) - int(
        np.count_nonzero(cells.closed < start))
    result = Overview(
        scope=scope, period=period, received=received, resolved=flagged(RESOLVED),
        open=flagged(OPEN), overdue=live.overdue,
        rerouted_share=share(flagged(REROUTED), received),
        triaged_share=share(flagged(TRIAGED), received),
        first_response=_spread(records["first_response"]),
        resolution=_spread(records["resolution"]),
        compliance=tuple(compliance),
        trend=tuple(weekly_backlog(period, backlog, _per_day(cells.received[inside]),
                                   _per_day(cells.closed[cells.closed_within(period)]))),
        categories=_categories(cells, inside, received),
        histogram=_histogram(records["resolution"]),
        refreshed_at=None,
    )
    return _with_refresh_time(ctx, result)


def league(ctx: ServiceContext, principal: Principal, wanted: ScopeRequest, period: Period,
           min_volume: int = MIN_VOLUME) -> League:
    """Agencies and kab/kota ranked by SLA compliance, then median resolution time."""
    now = ctx.clock()
    previous = period.previous()
    with ctx.read() as session:
        scope = resolve_scope(session, principal, wanted, oversight_only=True)
        agency_names = dict(session.execute(
            select(Agency.id, Agency.name).where(Agency.region_id.in_(scope.region_ids))).all())
        region_names = dict(session.execute(
            select(Region.id, Region.name).where(Region.id.in_(scope.region_ids))).all())
        cells = _fetch(session, scope, previous.start, period.end)
        live = _live(session, scope, previous, now, M.agency_id, M.region_id,
                     (M.received_on >= period.start).label("current"), until=period.end)
    figures = _league_figures(cells, period, previous)
    tables = []
    for (items, counts, medians), column, names in zip(
            figures, ("agency_id", "region_id"), (agency_names, region_names), strict=True):
        late: Counter[tuple[int, bool]] = Counter()
        for row in live:
            late[(getattr(row, column), bool(row.current))] += sum(
                getattr(row, prefix) for prefix in LEAGUE_STAGES)
        rows = [
            LeagueRow(int(item), names.get(int(item), str(item)), int(counts[0, 0, index]),
                      _compliance(counts[0, :, index], late[(int(item), True)]),
                      _number(medians[0, index]),
                      _compliance(counts[1, :, index], late[(int(item), False)])
                      if counts[1, 0, index] else None,
                      _number(medians[1, index]))
            for index, item in enumerate(items) if counts[0, 0, index]
        ]
        tables.append(tuple(rank_league(rows, min_volume)))
    result = League(scope, period, previous, tables[0], tables[1], min_volume, None)
    return _with_refresh_time(ctx, result)


@dataclass(frozen=True)
class _Cells:
    """Fetched cells, unpacked and cut to the scope: per complaint its record, received
    date (ordinal), kab/kota and category (index into ``categories``); per closing its
    date (ordinal)."""

    records: np.ndarray
    received: np.ndarray
    region: np.ndarray
    category: np.ndarray
    closed: np.ndarray
    categories: list[str]

    def within(self, start: date, end: date) -> np.ndarray:
        """Mask of the complaints received from ``start`` up to ``end``."""
        return (self.received >= start.toordinal()) & (self.received < end.toordinal())

    def closed_within(self, period: Period) -> np.ndarray:
        """Mask of the closings inside ``period``."""
        return ((self.closed >= period.start.toordinal())
                & (self.closed < period.end.toordinal()))


def _fetch(session: Session, scope: DashboardScope, start: date, end: date) -> _Cells:
    """The cells of ``scope`` for the months touching ``start`` up to ``end``: one statement."""
    rows = fetch_rows(session, select(C.categories, C.records, C.closings, C.month,
                                      C.region_id)
                      .where(C.region_id.in_(scope.region_ids), C.month >= month_of(start),
                             C.month < end))
    names: dict[str, int] = {}
    records, cell, category = unpack(rows, 1, RECORD, names)
    closings, closing_cell, closing_category = unpack(rows, 2, CLOSING, names)
    firsts = np.array([row[3].toordinal() - 1 for row in rows], np.int64)
    regions = np.array([row[4] for row in rows], np.int64)
    kept = _in_scope(scope, records["agency"], category, names)
    closed = _in_scope(scope, closings["agency"], closing_category, names)
    return _Cells(records[kept], (firsts[cell] + records["day"])[kept], regions[cell][kept],
                  category[kept], (firsts[closing_cell] + closings["day"])[closed],
                  list(names))


def _in_scope(scope: DashboardScope, agency: np.ndarray, category: np.ndarray,
              names: dict[str, int]) -> np.ndarray:
    """Mask of the entries of the picked agency and category (the kab/kota are in SQL)."""
    kept = np.ones(len(agency), bool)
    if scope.agency_id is not None:
        kept &= agency == scope.agency_id
    if scope.category is not None:
        kept &= category == names.get(scope.category, -1)
    return kept


def _open_before(session: Session, scope: DashboardScope, month: date) -> int:
    """Received minus closed in the months before ``month``: the backlog it starts with."""
    rows = fetch_rows(session, select(C.categories, C.totals).where(
        C.region_id.in_(scope.region_ids), C.month < month))
    names: dict[str, int] = {}
    totals, _, category = unpack(rows, 1, TOTAL, names)
    kept = _in_scope(scope, totals["agency"], category, names)
    return int(totals["received"][kept].sum() - totals["closed"][kept].sum())


def _live(session: Session, scope: DashboardScope, period: Period, now: datetime, *keys,
          until: date | None = None):
    """Overdue complaints and stages past their due time (still open) among those received
    in ``period`` (up to ``until``), grouped by ``keys``: the figures time alone changes."""
    pending = [func.count().filter(getattr(M, f"{prefix}_due_at") < now).label(prefix)
               for prefix, _ in STAGES]
    overdue = and_(M.is_open, M.status != Status.WAITING_REPORTER.value, M.sla_due_at < now)
    query = select(*keys, func.count().filter(overdue).label("overdue"), *pending).where(
        scope.metrics_filter(), M.received_on >= period.start,
        M.received_on < (until or period.end),
        or_(M.is_open, M.dispose_due_at.is_not(None), M.response_due_at.is_not(None),
            M.completion_due_at.is_not(None)))
    return session.execute(query.group_by(*keys) if keys else query).all()


def _league_figures(cells: _Cells, period: Period, previous: Period):
    """For agencies, then kab/kota: the keys, counts ``[period, (received, met, missed),
    key]`` of the league's stages (0: ``period``, 1: ``previous``) and median resolution
    ``[period, key]``."""
    which = np.full(len(cells.records), -1)
    which[cells.within(previous.start, previous.end)] = 1
    which[cells.within(period.start, period.end)] = 0
    inside = which >= 0
    which, records = which[inside], cells.records[inside]
    flags = records["flags"]
    stage_sums = [sum(((flags & STAGE_BITS[prefix][side]) != 0).astype(np.int64)
                      for prefix in LEAGUE_STAGES) for side in (0, 1)]
    resolution = records["resolution"]
    done = ~np.isnan(resolution)
    keyed = []
    for keys in (records["agency"].astype(np.int64), cells.region[inside]):
        items, of_record = _dense(keys)
        group = which * len(items) + of_record
        size = 2 * len(items)
        counts = np.stack([np.bincount(group, minlength=size),
                           *(np.bincount(group, weights=weights, minlength=size)
                             for weights in stage_sums)]).reshape(3, 2, len(items))
        keyed.append((items, counts.transpose(1, 0, 2), group[done], size))
    tables = group_percentiles(resolution[done], [(group, size) for *_, group, size in keyed],
                               (0.5,))
    return [(items, counts, table[0].reshape(2, len(items)))
            for (items, counts, _, _), table in zip(keyed, tables, strict=True)]


def _dense(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct ids (ascending) and each key's index among them, in linear time."""
    items = np.flatnonzero(np.bincount(keys))
    index = np.zeros(items[-1] + 1 if len(items) else 0, np.int64)
    index[items] = np.arange(len(items))
    return items, index[keys]


def _compliance(counts: np.ndarray, late: int) -> Compliance:
    """From (received, met, missed) and the stages found late live."""
    return Compliance(int(counts[1]), int(counts[1] + counts[2]) + late)


def _number(value: float) -> float | None:
    return None if np.isnan(value) else float(value)


def _with_refresh_time(ctx: ServiceContext, result):
    return replace(result, refreshed_at=last_refreshed(ctx))


def _spread(values: np.ndarray) -> Spread:
    """Median and p90 of the values present (NaN: none)."""
    present = values[~np.isnan(values)]
    ((median, p90),) = group_percentiles(present, [(np.zeros(len(present), np.int64), 1)],
                                         (0.5, 0.9))[0].T
    return Spread(_number(median), _number(p90), len(present))


def _per_day(ordinals: np.ndarray) -> dict[date, int]:
    days, counts = np.unique(ordinals, return_counts=True)
    return {date.fromordinal(int(day)): int(n) for day, n in zip(days, counts, strict=True)}


def _histogram(resolution: np.ndarray) -> tuple[tuple[str, int], ...]:
    present = resolution[~np.isnan(resolution)]
    lows = np.array([low for low, _ in BUCKETS], dtype=float)
    counts = np.bincount(np.searchsorted(lows, present, side="right") - 1,
                         minlength=len(BUCKETS))
    return tuple((f"{low}–{high}" if high else f"≥{low}", int(count))
                 for (low, high), count in zip(BUCKETS, counts, strict=True))


def _categories(cells: _Cells, inside: np.ndarray,
                received: int) -> tuple[tuple[str, int, float], ...]:
    counts = np.bincount(cells.category[inside], minlength=len(cells.categories))
    ranked = sorted(((name, int(count)) for name, count in zip(cells.categories, counts,
                                                               strict=True) if count),
                    key=lambda item: (-item[1], item[0]))[:TOP_CATEGORIES]
    return tuple((category_label(name), count, count / received) for name, count in ranked)


def local_today(ctx: ServiceContext) -> date:
    """Today's date in WIB, by the context's clock."""
    return ctx.clock().astimezone(WIB).date()
