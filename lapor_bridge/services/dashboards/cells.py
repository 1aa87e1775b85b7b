"""``complaint_cells``: the metrics rows of one kab/kota and month, packed for numpy.

A cell holds one 24-byte record per complaint received that month — day of month,
flag bits, agency, category (index into the cell's ``categories``), first-response
and resolution working days (NaN when none) — one record per closing that month
(day, agency, category), and per (agency, category) the month's received and closed
counts. Pages fetch the cells of a scope and period in one statement (a
province-year is 420 rows) and filter, count, group and take percentiles in numpy.

Why exact values and not duration histograms: at 1M complaints a 0.1-working-day
histogram per (month, kab/kota, agency, category) has 0.8 non-empty buckets per
complaint (812,822 for 1,020,748, measured), so it would save nothing and lose
exactness. Exact values make median and p90 equal to ``percentile_cont`` over the
same rows, and the day of month lets any day range (the rolling periods) use
month cells.

The stats job rebuilds the cells of each touched (kab/kota, month) from
``complaint_metrics``: the months a changed complaint was received or closed in,
before and after the change.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date

import numpy as np
from sqlalchemy import and_, delete, insert, or_, select
from sqlalchemy.orm import Session

from lapor_bridge.db.models_stats import ComplaintCell
from lapor_bridge.db.models_stats import ComplaintMetrics as M

RECORD = np.dtype([("day", "u1"), ("flags", "<u2"), ("agency", "<i4"), ("category", "u1"),
                   ("first_response", "<f8"), ("resolution", "<f8")])
CLOSING = np.dtype([("day", "u1"), ("agency", "<i4"), ("category", "u1")])
TOTAL = np.dtype([("agency", "<i4"), ("category", "u1"), ("received", "<i4"),
                  ("closed", "<i4")])
RESOLVED, OPEN, REROUTED, TRIAGED = 1, 2, 4, 8
# Per SLA stage: (met, missed) bits. A stage still open has neither.
STAGE_BITS = {"dispose": (16, 32), "response": (64, 128), "completion": (256, 512)}
CELL_ROWS = (M.complaint_id, M.region_id, M.agency_id, M.category, M.received_on, M.closed_on,
             M.resolved, M.is_open, M.rerouted, M.triaged, M.first_response_days,
             M.resolution_days, M.dispose_met, M.response_met, M.completion_met)

Pair = tuple[int, date]  # (kab/kota id, first day of a month)


def month_of(day: date) -> date:
    """The first day of ``day``'s month."""
    return day.replace(day=1)


def pairs_of(region_id: int, *days: date | None) -> set[Pair]:
    """The (kab/kota, month) pairs a metrics row with these dates lies in."""
    return {(region_id, month_of(day)) for day in days if day is not None}


def flags_of(row) -> int:
    """The flag bits of one metrics row."""
    flags = (RESOLVED * bool(row.resolved) | OPEN * bool(row.is_open)
             | REROUTED * bool(row.rerouted) | TRIAGED * bool(row.triaged))
    for prefix, (met, missed) in STAGE_BITS.items():
        done = getattr(row, f"{prefix}_met")
        if done is not None:
            flags |= met if done else missed
    return flags


def rebuild_cells(session: Session, pairs: Iterable[Pair]) -> int:
    """Recompute the cells of ``pairs`` from ``complaint_metrics``; the cells written."""
    months: dict[int, set[date]] = defaultdict(set)
    for region_id, month in pairs:
        months[region_id].add(month)
    written = 0
    for region_id, wanted in sorted(months.items()):
        for first, end in _runs(sorted(wanted)):
            session.execute(delete(ComplaintCell).where(
                ComplaintCell.region_id == region_id, ComplaintCell.month >= first,
                ComplaintCell.month < end))
            rows = session.execute(select(*CELL_ROWS).where(
                M.region_id == region_id,
                or_(and_(M.received_on >= first, M.received_on < end),
                    and_(M.closed_on >= first, M.closed_on < end)))
                .order_by(M.complaint_id)).all()
            cells = cells_of(rows, first, end)
            if cells:
                session.execute(insert(ComplaintCell), cells)
            written += len(cells)
    return written


def cells_of(rows: Sequence, first: date, end: date) -> list[dict]:
    """The cells of months ``first`` up to ``end`` from metrics rows (ordered by id)."""
    received: dict[Pair, list] = defaultdict(list)
    closed: dict[Pair, list] = defaultdict(list)
    for row in rows:
        if first <= row.received_on < end:
            received[(row.region_id, month_of(row.received_on))].append(row)
        if row.closed_on is not None and first <= row.closed_on < end:
            closed[(row.region_id, month_of(row.closed_on))].append(row)
    cells = []
    for region_id, month in received.keys() | closed.keys():
        came, went = received.get((region_id, month), []), closed.get((region_id, month), [])
        categories = sorted({row.category for row in came + went})
        code = {name: index for index, name in enumerate(categories)}
        totals: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])
        for row in came:
            totals[(row.agency_id, code[row.category])][0] += 1
        for row in went:
            totals[(row.agency_id, code[row.category])][1] += 1
        records = sorted(((row.received_on.day, flags_of(row), row.agency_id,
                           code[row.category], _or_nan(row.first_response_days),
                           _or_nan(row.resolution_days)) for row in came),
                         key=lambda record: record[0])
        closings = sorted((row.closed_on.day, row.agency_id, code[row.category])
                          for row in went)
        cells.append({
            "region_id": region_id, "month": month, "categories": categories,
            "records": np.array(records, dtype=RECORD).tobytes(),
            "closings": np.array(closings, dtype=CLOSING).tobytes(),
            "totals": np.array([(*key, *counts) for key, counts in sorted(totals.items())],
                               dtype=TOTAL).tobytes(),
        })
    return cells


def fetch_rows(session: Session, statement) -> list[tuple]:
    """Every row of ``statement``. PostgreSQL sends them in binary: the packed columns
    then travel as they are, not as hex text (a third of the time, measured)."""
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        return [tuple(row) for row in connection.execute(statement)]
    compiled = statement.compile(dialect=connection.dialect,
                                 compile_kwargs={"render_postcompile": True})
    with connection.connection.driver_connection.cursor(binary=True) as cursor:
        cursor.execute(str(compiled), compiled.params)
        return cursor.fetchall()


def unpack(rows: list[tuple], column: int, layout: np.dtype, names: dict[str, int]):
    """A packed column of ``rows`` (their first column: the categories) as one array, with
    each entry's row index and its category as an index into ``names`` (extended as met)."""
    packed = [row[column] for row in rows]
    entries = np.frombuffer(b"".join(packed), layout)
    row = np.repeat(np.arange(len(rows)), [len(part) // layout.itemsize for part in packed])
    codes = np.array([names.setdefault(name, len(names)) for r in rows for name in r[0]],
                     np.int64)
    offsets = np.cumsum([0] + [len(r[0]) for r in rows])[:-1].astype(np.int64)
    return entries, row, codes[offsets[row] + entries["category"]]


def _or_nan(value: float | None) -> float:
    return float("nan") if value is None else value


def _runs(months: list[date]) -> list[tuple[date, date]]:
    """Consecutive months as [first, end) ranges."""
    runs: list[tuple[date, date]] = []
    for month in months:
        if runs and runs[-1][1] == month:
            runs[-1] = (runs[-1][0], _next_month(month))
        else:
            runs.append((month, _next_month(month)))
    return runs


def _next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)
