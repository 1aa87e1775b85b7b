"""A value computed at most once per ``ttl`` seconds in this process (single flight).

Callers that find the value stale while another thread computes it wait for that
computation instead of starting their own, so a crawler's burst of requests costs
one computation, not one per request. A failed computation is not kept: the next
caller tries again.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class SingleFlightCache(Generic[T]):
    """The result of ``compute``, kept ``ttl`` seconds from when it was computed."""

    def __init__(self, compute: Callable[[], T], ttl: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._compute, self._ttl, self._clock = compute, ttl, clock
        self._lock = threading.Lock()
        self._entry: tuple[float, T] | None = None

    def get(self) -> T:
        """The kept value while fresh, else a new one (computed by one caller at a time)."""
        if entry := self._fresh():
            return entry[1]
        with self._lock:
            if entry := self._fresh():
                return entry[1]
            value = self._compute()
            self._entry = (self._clock(), value)
            return value

    def _fresh(self) -> tuple[float, T] | None:
        entry = self._entry
        return entry if entry is not None and self._clock() - entry[0] < self._ttl else None
