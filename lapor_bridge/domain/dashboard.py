"""Dashboard arithmetic: periods, percentiles, shares, weekly backlog, league ranking.

Pure functions over plain numbers; the services feed them from the database.
Percentiles follow PostgreSQL's ``percentile_cont`` (linear interpolation between
the two nearest ranks); :func:`group_percentiles` is the same arithmetic over numpy
arrays, many groups at once.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

import numpy as np

DEFAULT_PERIOD = "365h"
_YEAR = re.compile(r"^(\d{4})$")
_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_ROLLING = re.compile(r"^(\d{1,3})h$")
MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
          "September", "Oktober", "November", "Desember")


class BadPeriod(ValueError):
    """A period text that :func:`parse_period` does not understand."""


@dataclass(frozen=True)
class Period:
    """Local (WIB) dates ``start`` up to, not including, ``end``; ``code`` round-trips."""

    code: str
    start: date
    end: date
    label: str

    @property
    def last_day(self) -> date:
        """The last date inside the period."""
        return self.end - timedelta(1)

    @property
    def days(self) -> int:
        """Length in days."""
        return (self.end - self.start).days

    def previous(self) -> Period:
        """The period of the same kind just before this one."""
        kind = _kind(self.code)
        if kind == "year":
            return parse_period(str(self.start.year - 1), self.start)
        if kind == "quarter":
            return parse_period(_quarter_code(_add_months(self.start, -3)), self.start)
        if kind == "month":
            return parse_period(_add_months(self.start, -1).strftime("%Y-%m"), self.start)
        return replace(self, code=f"{self.code}-prev", start=self.start - timedelta(self.days),
                       end=self.start, label=f"{self.days} hari sebelumnya")


def parse_period(code: str | None, today: date) -> Period:
    """``2025`` (a year), ``2025-Q2``, ``2025-03`` or ``90h`` (the last 90 days to ``today``)."""
    code = (code or DEFAULT_PERIOD).strip()
    if match := _YEAR.match(code):
        year = int(match[1])
        return Period(code, date(year, 1, 1), date(year + 1, 1, 1), f"Tahun {year}")
    if match := _QUARTER.match(code):
        start = date(int(match[1]), 3 * int(match[2]) - 2, 1)
        return Period(code.upper(), start, _add_months(start, 3),
                      f"Triwulan {match[2]} {match[1]}")
    if match := _MONTH.match(code):
        if not 1 <= int(match[2]) <= 12:
            raise BadPeriod(code)
        start = date(int(match[1]), int(match[2]), 1)
        return Period(code, start, _add_months(start, 1), f"{MONTHS[start.month - 1]} {start.year}")
    if (match := _ROLLING.match(code)) and int(match[1]) > 0:
        days = int(match[1])
        end = today + timedelta(1)
        return Period(code, end - timedelta(days), end, f"{days} hari terakhir")
    raise BadPeriod(code)


def period_choices(today: date) -> list[tuple[str, str]]:
    """(code, label) of the periods a picker offers: rolling, this and last years, quarters."""
    choices = [("30h", "30 hari terakhir"), ("90h", "90 hari terakhir"),
               ("365h", "365 hari terakhir")]
    for year in (today.year, today.year - 1):
        choices.append((str(year), f"Tahun {year}"))
        choices += [(f"{year}-Q{q}", f"Triwulan {q} {year}") for q in range(4, 0, -1)
                    if date(year, 3 * q - 2, 1) <= today]
    return choices


def _kind(code: str) -> str:
    for kind, pattern in (("year", _YEAR), ("quarter", _QUARTER), ("month", _MONTH)):
        if pattern.match(code):
            return kind
    return "rolling"


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _quarter_code(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def percentile(values: Iterable[float], fraction: float) -> float | None:
    """The ``fraction`` percentile of ``values`` like ``percentile_cont``; None when empty."""
    ordered = sorted(values)
    if not ordered:
        return None
    position = fraction * (len(ordered) - 1)
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def group_percentiles(values: np.ndarray, groupings: Sequence[tuple[np.ndarray, int]],
                      fractions: Sequence[float]) -> list[np.ndarray]:
    """Per grouping ``(group of each value, number of groups)``: a table of the
    ``fractions`` (rows) by group (columns), each exactly as :func:`percentile` computes
    it (NaN for an empty group). The values are sorted once for all groupings."""
    by_value = np.argsort(values)
    tables = []
    for groups, count in groupings:
        key = groups[by_value].astype(np.uint16 if count <= 1 << 16 else np.int64)
        ordered = values[by_value[np.argsort(key, kind="stable")]]
        sizes = np.bincount(groups, minlength=count)
        starts, found = np.cumsum(sizes) - sizes, sizes > 0
        table = np.full((len(fractions), count), np.nan)
        for row, fraction in enumerate(fractions):
            position = fraction * (sizes[found] - 1)
            low, high = np.floor(position).astype(np.int64), np.ceil(position).astype(np.int64)
            below, above = ordered[starts[found] + low], ordered[starts[found] + high]
            table[row, found] = below + (above - below) * (position - low)
        tables.append(table)
    return tables


def share(part: int, whole: int) -> float | None:
    """``part / whole``, or None when there is nothing to divide."""
    return part / whole if whole else None


@dataclass(frozen=True)
class Compliance:
    """Of the SLA stages already decided, how many were met (``rate`` None: none decided)."""

    met: int
    decided: int

    @property
    def rate(self) -> float | None:
        """Share met."""
        return share(self.met, self.decided)


@dataclass(frozen=True)
class WeekPoint:
    """One week of the backlog trend: arrivals, closings, open at the week's end."""

    week_start: date
    received: int
    closed: int
    backlog: int


def weekly_backlog(period: Period, backlog_at_start: int, received: Mapping[date, int],
                   closed: Mapping[date, int]) -> list[WeekPoint]:
    """Weeks (Monday to Sunday, clipped to ``period``) with daily counts folded in."""
    points: list[WeekPoint] = []
    backlog, day = backlog_at_start, period.start
    while day < period.end:
        week_end = min(day + timedelta(7 - day.weekday()), period.end)
        days = [day + timedelta(offset) for offset in range((week_end - day).days)]
        came, went = sum(received.get(d, 0) for d in days), sum(closed.get(d, 0) for d in days)
        backlog += came - went
        points.append(WeekPoint(day, came, went, backlog))
        day = week_end
    return points


@dataclass(frozen=True)
class LeagueRow:
    """One agency or region in the league table, this period against the previous one."""

    key: int
    name: str
    received: int
    compliance: Compliance
    median_resolution: float | None
    previous_compliance: Compliance | None = None
    previous_median: float | None = None
    rank: int | None = None

    @property
    def compliance_change(self) -> float | None:
        """Change in compliance rate against the previous period (fraction points)."""
        before = self.previous_compliance.rate if self.previous_compliance else None
        now = self.compliance.rate
        return None if before is None or now is None else now - before

    @property
    def median_change(self) -> float | None:
        """Change in median resolution time (working days) against the previous period."""
        if self.previous_median is None or self.median_resolution is None:
            return None
        return self.median_resolution - self.previous_median


def rank_league(rows: Sequence[LeagueRow], min_volume: int) -> list[LeagueRow]:
    """Ranked rows first (best compliance, then shortest median), then the small ones.

    A row is ranked when it received at least ``min_volume`` complaints and has a
    compliance rate; the others are listed, unranked, by volume.
    """
    def rankable(row: LeagueRow) -> bool:
        return row.received >= min_volume and row.compliance.rate is not None

    ranked = sorted(
        (row for row in rows if rankable(row)),
        key=lambda row: (-row.compliance.rate, _none_last(row.median_resolution), row.name),
    )
    small = sorted((row for row in rows if not rankable(row)),
                   key=lambda row: (-row.received, row.name))
    return [replace(row, rank=index) for index, row in enumerate(ranked, 1)] + small


def _none_last(value: float | None) -> float:
    return math.inf if value is None else value
