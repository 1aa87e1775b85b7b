"""Geometry for the dashboards' server-side SVG charts (no JavaScript, no CDN).

Each function turns plain numbers into coordinates in a fixed view box; the
``dashboard/_charts.html`` macros draw them. The tables beside each chart stay
the primary, accessible view.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH, HEIGHT = 640, 220
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 44, 12, 12, 28


@dataclass(frozen=True)
class Series:
    """One line: a name, a CSS class, and its points as an SVG ``points`` string."""

    name: str
    css: str
    points: str


@dataclass(frozen=True)
class Bar:
    """One bar: its label, the value shown and the rectangle."""

    label: str
    value: str
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Chart:
    """A chart ready to draw: lines or bars, y-axis ticks (value, y) and x labels (text, x)."""

    width: int
    height: int
    series: tuple[Series, ...] = ()
    bars: tuple[Bar, ...] = ()
    y_ticks: tuple[tuple[str, float], ...] = ()
    x_labels: tuple[tuple[str, float], ...] = ()


def line_chart(labels: Sequence[str], lines: Sequence[tuple[str, str, Sequence[float]]],
               every: int = 4) -> Chart:
    """Lines (name, css class, values) over shared x ``labels``; every ``every``-th labelled."""
    top = _nice_top(max((v for _, _, values in lines for v in values), default=0))
    inner_w, inner_h = WIDTH - PAD_LEFT - PAD_RIGHT, HEIGHT - PAD_TOP - PAD_BOTTOM
    step = inner_w / max(len(labels) - 1, 1)

    def xy(index: int, value: float) -> str:
        return f"{PAD_LEFT + index * step:.1f},{PAD_TOP + inner_h * (1 - value / top):.1f}"

    series = tuple(Series(name, css, " ".join(xy(i, v) for i, v in enumerate(values)))
                   for name, css, values in lines)
    return Chart(WIDTH, HEIGHT, series=series, y_ticks=_ticks(top, inner_h),
                 x_labels=tuple((label, PAD_LEFT + i * step) for i, label in enumerate(labels)
                                if i % every == 0))


def column_chart(items: Sequence[tuple[str, float]], fmt: str = "{:g}") -> Chart:
    """Vertical bars (label, value), e.g. a histogram."""
    top = _nice_top(max((value for _, value in items), default=0))
    inner_w, inner_h = WIDTH - PAD_LEFT - PAD_RIGHT, HEIGHT - PAD_TOP - PAD_BOTTOM
    slot = inner_w / max(len(items), 1)
    bars = []
    for index, (label, value) in enumerate(items):
        height = inner_h * value / top
        bars.append(Bar(label, fmt.format(value), PAD_LEFT + index * slot + slot * 0.1,
                        PAD_TOP + inner_h - height, slot * 0.8, height))
    return Chart(WIDTH, HEIGHT, bars=tuple(bars), y_ticks=_ticks(top, inner_h),
                 x_labels=tuple((label, PAD_LEFT + (i + 0.5) * slot)
                                for i, (label, _) in enumerate(items)))


def bar_chart(items: Sequence[tuple[str, float | None]], fmt: str = "{:.0%}",
              top: float = 1.0) -> Chart:
    """Horizontal bars (label, value in 0..``top``), one row each; None draws no bar."""
    row, label_w = 22, 220
    height = PAD_TOP + row * len(items) + 4
    inner_w = WIDTH - label_w - 60
    bars = tuple(
        Bar(label, "—" if value is None else fmt.format(value), label_w,
            PAD_TOP + index * row, inner_w * (value or 0) / top, row - 6)
        for index, (label, value) in enumerate(items))
    return Chart(WIDTH, height, bars=bars)


def _nice_top(value: float) -> float:
    """A round axis maximum at or above ``value`` (1, 2, 2.5 or 5 times a power of ten)."""
    if value <= 0:
        return 1.0
    power = 10 ** len(str(int(value))) / 10
    for factor in (1, 2, 2.5, 5, 10):
        if value <= factor * power:
            return factor * power
    return value


def _ticks(top: float, inner_h: float) -> tuple[tuple[str, float], ...]:
    return tuple((f"{top * i / 4:g}", PAD_TOP + inner_h * (1 - i / 4)) for i in range(5))


def overview_charts(view) -> dict[str, Chart]:
    """The overview's charts: weekly trend lines and the resolution-time histogram."""
    trend = view.trend
    return {
        "trend": line_chart(
            [point.week_start.strftime("%d/%m") for point in trend],
            [("Masuk", "received", [p.received for p in trend]),
             ("Ditutup", "closed", [p.closed for p in trend]),
             ("Terbuka", "backlog", [p.backlog for p in trend])],
            every=max(1, len(trend) // 8)),
        "histogram": column_chart(view.histogram),
    }


def league_charts(view, ends: int = 10) -> dict[str, Chart]:
    """The league page's chart: compliance per agency in table order; for a long table,
    the first and the last ``ends`` ranked rows only."""
    ranked = [row for row in view.agencies if row.rank is not None] or list(view.agencies)
    shown = ranked if len(ranked) <= 2 * ends else ranked[:ends] + ranked[-ends:]
    return {"agencies": bar_chart([(f"{row.rank or '—'}. {row.name}", row.compliance.rate)
                                   for row in shown])}
