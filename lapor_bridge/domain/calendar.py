"""Working-day clocks in Asia/Jakarta: holidays, cuti bersama, deadlines and pauses.

Counting rules:

* A **working day** is a local (WIB) date, Monday to Friday, that is neither a
  national holiday nor a cuti bersama day. Both come from the ``holidays``
  package (``public`` and ``government`` categories; the latter holds the SKB
  cuti bersama the package knows), plus the configured ``cuti_bersama`` dates.
  Islamic holidays beyond the package's confirmed years are its estimates.
* **"N working days from a moment"**: the start day does not count, whatever the
  hour; the deadline is the end (23:59:59 local) of the Nth working day after it.
  This is how "paling lambat N hari kerja sejak diterima" is read: a report
  received Monday at 15:00 with 3 working days is due Thursday by the end of day.
* **Elapsed working time** is fractional: the part of an interval that falls on
  working days, whole 24-hour days (not office hours), in days.
* A **pause** ``(start, end)`` stops the clock: each pause that begins before the
  (already moved) deadline moves it by the pause's working time, rounded up to
  whole working days, as partial days are given to whoever must act (like the start
  day). Paused time before counting begins (the midnight after the start day) is
  free; a pause that begins after the deadline does not move it: a breach stays one.

Internally each moment maps to a *potential*: the microseconds of working time
since the calendar's first day, from precomputed cumulative counts per date, so
every query is O(1) (deadlines with pauses are O(pauses)).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import cache, cached_property
from zoneinfo import ZoneInfo

import holidays

from lapor_bridge.domain.errors import DomainError

WIB = ZoneInfo("Asia/Jakarta")
DEFAULT_YEARS = range(2010, 2041)
_DAY_US = 86_400_000_000
_ONE_SECOND = timedelta(seconds=1)

Pause = tuple[datetime, datetime]


class OutsideCalendarRange(DomainError):
    """A date falls outside the years the calendar was built for."""


@cache
def _national_days_off(first_year: int, last_year: int) -> frozenset[date]:
    """Holidays and the package's cuti bersama, computed once per year span."""
    found = holidays.country_holidays(
        "ID", years=range(first_year, last_year + 1), categories=("public", "government")
    )
    return frozenset(found)


class WorkingCalendar:
    """Working days of one time zone over the years ``min(years)..max(years)``.

    ``tz`` must not observe daylight saving time (WIB, WITA and WIT do not): every
    day is taken to be 24 hours long. Moments outside the span raise
    :class:`OutsideCalendarRange`; naive datetimes raise ``ValueError``.
    """

    def __init__(
        self,
        cuti_bersama: Iterable[date] = (),
        years: Iterable[int] = DEFAULT_YEARS,
        *,
        tz: tzinfo = WIB,
    ) -> None:
        span = sorted(years)
        if not span:
            raise ValueError("a calendar needs at least one year")
        days_off = _national_days_off(span[0], span[-1]) | frozenset(cuti_bersama)
        self._index(
            date(span[0], 1, 1),
            date(span[-1], 12, 31),
            tz,
            lambda day: day.weekday() < 5 and day not in days_off,
        )

    @cached_property
    def calendar_days(self) -> WorkingCalendar:
        """A calendar over the same span in which every date counts (calendar-day targets)."""
        every_day = object.__new__(WorkingCalendar)
        every_day._index(self.first_day, self.last_day, self.tz, lambda day: True)
        return every_day

    def _index(self, first: date, last: date, tz: tzinfo, counts: Callable[[date], bool]) -> None:
        self.first_day, self.last_day, self.tz = first, last, tz
        self._first_ordinal = first.toordinal()
        self._size = last.toordinal() - self._first_ordinal + 1
        self._counted_ordinals: list[int] = []
        self._counted_before = [0]
        for ordinal in range(self._first_ordinal, self._first_ordinal + self._size):
            if counts(date.fromordinal(ordinal)):
                self._counted_ordinals.append(ordinal)
            self._counted_before.append(len(self._counted_ordinals))

    def _day_index(self, ordinal: int) -> int:
        index = ordinal - self._first_ordinal
        if not 0 <= index < self._size:
            raise OutsideCalendarRange(
                f"{date.fromordinal(ordinal)} is outside {self.first_day}..{self.last_day}"
            )
        return index

    def _local(self, moment: datetime) -> datetime:
        if moment.tzinfo is None:
            raise ValueError(f"naive datetime {moment!r}: pass an aware (UTC) datetime")
        return moment.astimezone(self.tz)

    def _potential(self, moment: datetime) -> int:
        """Microseconds of working time from the first day to ``moment`` (the hot path)."""
        local = self._local(moment)
        index = self._day_index(local.toordinal())
        before = self._counted_before[index]
        if self._counted_before[index + 1] == before:
            return before * _DAY_US
        seconds = local.hour * 3600 + local.minute * 60 + local.second
        return before * _DAY_US + seconds * 1_000_000 + local.microsecond

    def _end_of_counted_day(self, count: int) -> datetime:
        """The last second (UTC) of the ``count``-th working day of the calendar."""
        if count > len(self._counted_ordinals):
            raise OutsideCalendarRange(f"deadline falls after {self.last_day}")
        next_day = date.fromordinal(self._counted_ordinals[count - 1] + 1)
        midnight = datetime.combine(next_day, time(), tzinfo=self.tz)
        return midnight.astimezone(UTC) - _ONE_SECOND

    def _clock_start(self, start: datetime) -> int:
        """Potential of the midnight after ``start``'s local day, where counting begins."""
        index = self._day_index(self._local(start).toordinal())
        return self._counted_before[index + 1] * _DAY_US

    def is_working_day(self, day: date) -> bool:
        """True when ``day`` (a local date) counts as a working day."""
        index = self._day_index(day.toordinal())
        return self._counted_before[index + 1] > self._counted_before[index]

    def add_working_days(self, start: datetime, n: int) -> datetime:
        """Deadline (aware UTC): the end of the Nth working day after ``start``'s local day."""
        _check_target(n)
        return self._end_of_counted_day(self._clock_start(start) // _DAY_US + n)

    def due_with_pauses(self, start: datetime, n: int, pauses: Iterable[Pause]) -> datetime:
        """Like :meth:`add_working_days`, moved out by each pause that begins before it.

        Each such pause adds its working time rounded up to whole working days.
        """
        _check_target(n)
        origin = self._clock_start(start)
        deadline = origin + n * _DAY_US
        for pause_start, pause_end in _merge_pauses(pauses):
            begin = max(self._potential(pause_start), origin)
            if begin >= deadline:
                break
            deadline += _ceil_day(max(self._potential(pause_end) - begin, 0))
        return self._end_of_counted_day(deadline // _DAY_US)

    def working_days_between(
        self, start: datetime, end: datetime, pauses: Iterable[Pause] = ()
    ) -> float:
        """Working time from ``start`` to ``end`` in days, minus the paused part.

        Fractional (12:00 on a working day to the next working day's 12:00 is 1.0),
        signed (negative when ``end`` is before ``start``) and additive.
        """
        low, high = self._potential(start), self._potential(end)
        if not pauses:
            return (high - low) / _DAY_US
        sign = 1 if high >= low else -1
        low, high = min(low, high), max(low, high)
        active = high - low
        for pause_start, pause_end in _merge_pauses(pauses):
            overlap = min(self._potential(pause_end), high) - max(self._potential(pause_start), low)
            active -= max(overlap, 0)
        return sign * active / _DAY_US


def _merge_pauses(pauses: Iterable[Pause]) -> list[Pause]:
    """Sort pauses and merge the overlapping ones; raise ``ValueError`` on reversed ones."""
    merged: list[Pause] = []
    for pause_start, pause_end in sorted(pauses):
        if pause_end < pause_start:
            raise ValueError(f"pause ends before it starts: {pause_start} > {pause_end}")
        if merged and pause_start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], pause_end))
        else:
            merged.append((pause_start, pause_end))
    return merged


def _check_target(n: int) -> None:
    if n < 1:
        raise ValueError(f"a target needs at least one day, got {n}")


def _ceil_day(potential: int) -> int:
    return -(-potential // _DAY_US) * _DAY_US
