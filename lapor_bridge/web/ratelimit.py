"""Rate limits on routes: fixed windows counted in shared storage, one round trip a limit.

``@limiter.limit("10 per minute;100 per day")`` (or a callable giving that text) counts
each request of the route per caller, before the view runs; over the limit the caller
gets 429 with ``Retry-After``. Counters live in ``[app] rate_limit_storage``: redis
shares them across worker processes, ``memory://`` suits one process. When the shared
storage cannot be reached, each process counts for itself (logged) rather than turning
residents away with errors.
"""

from __future__ import annotations

import logging
import time
import weakref
from collections.abc import Callable
from functools import lru_cache, wraps

from flask import Flask, current_app, request
from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage, Storage, storage_from_string
from limits.strategies import FixedWindowRateLimiter
from werkzeug.exceptions import TooManyRequests

log = logging.getLogger(__name__)

EXTENSION = "rate_limits"
WARN_EVERY_SECONDS = 60.0

LimitText = str | Callable[[], str]


def remote_address() -> str:
    """The caller's address as the server saw it (behind a proxy: see ProxyFix)."""
    return request.remote_addr or "127.0.0.1"


@lru_cache(maxsize=64)
def parsed(text: str) -> tuple[RateLimitItem, ...]:
    """``"10 per minute;100 per day"`` as limit items (parsed once per distinct text)."""
    return tuple(parse_many(text))


class Counters:
    """One app's counters: the configured storage, and per-process ones while it is down."""

    def __init__(self, storage: Storage) -> None:
        self.shared = FixedWindowRateLimiter(storage)
        self.local: FixedWindowRateLimiter | None = None  # made at the first outage
        self.warned_at = 0.0

    def hit(self, item: RateLimitItem, scope: str, key: str) -> float | None:
        """Count one request; None when allowed, else the seconds until the window resets."""
        try:
            return self._hit(self.shared, item, scope, key)
        except Exception as exc:  # storage unreachable: count in this process
            if time.monotonic() - self.warned_at > WARN_EVERY_SECONDS:
                self.warned_at = time.monotonic()
                log.warning("rate-limit storage unreachable, counting per process: %s", exc)
            self.local = self.local or FixedWindowRateLimiter(MemoryStorage())
            return self._hit(self.local, item, scope, key)

    @staticmethod
    def _hit(strategy: FixedWindowRateLimiter, item, scope: str, key: str) -> float | None:
        if strategy.hit(item, scope, key):
            return None
        return strategy.get_window_stats(item, scope, key).reset_time - time.time()

    def reset(self) -> None:
        """Forget every count (tests); a storage that is gone has none to forget."""
        for strategy in (self.shared, self.local):
            if strategy is not None and strategy.storage.check():
                strategy.storage.reset()


def storage_options(uri: str) -> dict[str, bool]:
    """Redis: one connection per process, taken in turn by its threads. A counter is one
    short command, and the pool's per-command checkout (a readiness probe of the socket
    among other things) cost more than the command itself; redis-py reconnects the
    connection when it breaks."""
    single = uri.startswith(("redis://", "rediss://", "redis+unix://"))
    return {"single_connection_client": True} if single else {}


class RateLimiter:
    """The ``limit`` decorator; ``init_app`` gives each app its counters."""

    def __init__(self) -> None:
        self._apps: weakref.WeakSet[Flask] = weakref.WeakSet()

    def init_app(self, app: Flask) -> None:
        """Counters in ``RATELIMIT_STORAGE_URI`` (default ``memory://``)."""
        uri = app.config.get("RATELIMIT_STORAGE_URI", "memory://")
        app.extensions[EXTENSION] = Counters(storage_from_string(uri, **storage_options(uri)))
        self._apps.add(app)

    def limit(self, limits: LimitText, key_func: Callable[[], str] = remote_address,
              methods: list[str] | None = None):
        """Count the decorated view's requests (only ``methods`` when given) per ``key_func``."""

        def decorator(view):
            scope = f"{view.__module__}.{view.__name__}"

            @wraps(view)
            def limited(*args, **kwargs):
                if methods is None or request.method in methods:
                    check(limits() if callable(limits) else limits, scope, key_func())
                return view(*args, **kwargs)

            return limited

        return decorator

    def reset(self) -> None:
        """Forget the counts of every app (tests)."""
        for app in self._apps:
            app.extensions[EXTENSION].reset()


def check(text: str, scope: str, key: str) -> None:
    """Count the request against each limit in ``text``; raise 429 when one is exceeded."""
    counters: Counters = current_app.extensions[EXTENSION]
    for item in parsed(text):
        wait = counters.hit(item, scope, key)
        if wait is not None:
            raise TooManyRequests(retry_after=max(1, int(wait + 0.999)))
