"""Where Indonesia is, in longitude/latitude WGS84: the check that tells a real point from
swapped axes or projected metres, for single points and for whole boundary files.

The ranges equal ``LAT_RANGE``/``LON_RANGE`` of :mod:`lapor_bridge.services.intake.submit`
(which intake and the APIs use; a test keeps them equal). They live here as well so that
intake can import this package without an import cycle.
"""

from __future__ import annotations

from enum import Enum

LAT_RANGE = (-11.5, 6.5)
LON_RANGE = (94.0, 141.5)


class Axes(Enum):
    """What a coordinate pair (or a bounding box) looks like."""

    LON_LAT = "lon_lat"      # inside Indonesia, longitude first: as it should be
    SWAPPED = "swapped"      # inside Indonesia only when read latitude first
    PROJECTED = "projected"  # beyond ±180/±90: metres of a projection (UTM, TM-3…)
    ELSEWHERE = "elsewhere"  # degrees, but not in Indonesia


def classify(min_lon: float, min_lat: float, max_lon: float, max_lat: float) -> Axes:
    """How the box (a point when min equals max) relates to Indonesia. NaN is elsewhere."""
    if _within(min_lon, max_lon, LON_RANGE) and _within(min_lat, max_lat, LAT_RANGE):
        return Axes.LON_LAT
    if _within(min_lon, max_lon, LAT_RANGE) and _within(min_lat, max_lat, LON_RANGE):
        return Axes.SWAPPED
    if max(abs(min_lon), abs(max_lon)) > 180 or max(abs(min_lat), abs(max_lat)) > 90:
        return Axes.PROJECTED
    return Axes.ELSEWHERE


def _within(low: float, high: float, bounds: tuple[float, float]) -> bool:
    return bounds[0] <= low and high <= bounds[1]
