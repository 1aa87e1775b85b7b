"""Misbehaviour on request: a WSGI middleware in front of the simulated v3 API.

Each API request (never ``/_sim/``) is decided under one lock, in this order:

1. latency — when ``latency_ms`` is set, one draw picks a delay in ``[min, max]`` ms;
2. rate limit — when ``rate_limit`` is set, a token bucket (``rate_limit`` requests per
   second, burst of the same size) answers 429 with ``Retry-After``; no draw, time-based;
3. failure — one draw against ``fail_rate``; on a hit a second draw picks one of
   ``fail_kinds``: ``429`` / ``503`` (with ``Retry-After``), ``500``, ``502`` (a gateway's
   HTML body), ``timeout`` (hang ``hang_ms`` then 504), ``reset`` (connection dropped).
   None of these touch the store;
4. disorder (GET only) — one draw against ``disorder_rate``; on a hit history logs and
   follow-ups come back shuffled with one entry duplicated;
5. lost response (POST only) — one draw against ``lost_response_rate``; on a hit the
   request is carried out and committed, then the connection is dropped.

A step whose rate is zero draws nothing, so with a given seed, configuration and
sequence of requests the same faults recur. Concurrent clients interleave draws in
arrival order, and the rate limit depends on the clock: replay is exact for one
sequential client without a rate limit.
"""

from __future__ import annotations

import dataclasses
import json
import math
import random
import socket
import struct
import threading
import time
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from werkzeug.wrappers import Response

FAIL_KINDS = ("429", "500", "502", "503", "timeout", "reset")
DISORDER_KEY = "lapor_sim.disorder"


@dataclass(frozen=True)
class FaultConfig:
    """What the simulator does wrong, and how often. The default is nothing."""

    latency_ms: tuple[int, int] | None = None
    fail_rate: float = 0.0
    fail_kinds: tuple[str, ...] = FAIL_KINDS
    rate_limit: float | None = None
    lost_response_rate: float = 0.0
    disorder_rate: float = 0.0
    hang_ms: int = 15_000
    retry_after_s: int = 1

    def __post_init__(self) -> None:
        for name in ("fail_rate", "lost_response_rate", "disorder_rate"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1")
        unknown = set(self.fail_kinds) - set(FAIL_KINDS)
        if unknown or not self.fail_kinds:
            raise ValueError(f"fail_kinds must be a non-empty subset of {', '.join(FAIL_KINDS)}")
        if self.latency_ms is not None and not 0 <= self.latency_ms[0] <= self.latency_ms[1]:
            raise ValueError("latency_ms must be [min, max] with 0 <= min <= max")
        if self.rate_limit is not None and self.rate_limit <= 0:
            raise ValueError("rate_limit must be positive")
        if self.hang_ms < 0 or self.retry_after_s < 0:
            raise ValueError("hang_ms and retry_after_s must not be negative")

    def to_json(self) -> dict[str, Any]:
        """The configuration as JSON-ready values."""
        values = dataclasses.asdict(self)
        values["latency_ms"] = list(self.latency_ms) if self.latency_ms else None
        values["fail_kinds"] = list(self.fail_kinds)
        return values

    def updated(self, changes: Mapping[str, Any]) -> FaultConfig:
        """A copy with ``changes`` (JSON values) applied; ``ValueError`` when invalid."""
        known = {field.name for field in dataclasses.fields(self)}
        unknown = set(changes) - known
        if unknown:
            raise ValueError(f"unknown fault setting(s): {', '.join(sorted(unknown))}")
        values: dict[str, Any] = {}
        for name, value in changes.items():
            if name == "latency_ms":
                values[name] = None if value is None else _pair(value)
            elif name == "fail_kinds":
                values[name] = tuple(str(kind) for kind in value)
            elif name == "rate_limit":
                values[name] = None if value is None else float(value)
            elif name in ("hang_ms", "retry_after_s"):
                values[name] = int(value)
            else:
                values[name] = float(value)
        return dataclasses.replace(self, **values)


@dataclass(frozen=True)
class Decision:
    """What happens to one request."""

    seq: int
    method: str
    path: str
    delay_ms: float = 0.0
    fault: str | None = None
    retry_after_s: int | None = None
    disorder_seed: int | None = None

    def to_json(self) -> dict[str, Any]:
        """The decision as JSON-ready values."""
        return dataclasses.asdict(self)


class FaultInjector:
    """WSGI middleware that misbehaves on the API paths under ``api_prefix``."""

    def __init__(
        self, app: Any, config: FaultConfig, seed: int | None, api_prefix: str = "/api/v3"
    ) -> None:
        self._app = app
        self._prefix = api_prefix.rstrip("/") + "/"
        self._lock = threading.Lock()
        self._seq = 0
        self._recent: deque[Decision] = deque(maxlen=1000)
        self._config = config
        self._seed = seed
        self._random = random.Random(seed)
        self._bucket = _TokenBucket(config.rate_limit) if config.rate_limit else None

    @property
    def config(self) -> FaultConfig:
        """The active configuration."""
        return self._config

    @property
    def seed(self) -> int | None:
        """The seed the random source last started from."""
        return self._seed

    def reconfigure(self, config: FaultConfig, seed: int | None = None) -> None:
        """Switch to ``config``; a given ``seed`` restarts the random source and the log."""
        with self._lock:
            if config.rate_limit != self._config.rate_limit:
                self._bucket = _TokenBucket(config.rate_limit) if config.rate_limit else None
            self._config = config
            if seed is not None:
                self._seed = seed
                self._random = random.Random(seed)
                self._seq = 0
                self._recent.clear()

    def recent(self) -> list[Decision]:
        """The last (up to 1000) decisions, oldest first."""
        with self._lock:
            return list(self._recent)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if not path.startswith(self._prefix):
            return self._app(environ, start_response)
        decision = self._decide(environ["REQUEST_METHOD"], path)
        if decision.delay_ms:
            time.sleep(decision.delay_ms / 1000)
        if decision.fault == "reset":
            _drop_connection(environ)
        if decision.fault == "timeout":
            time.sleep(self._config.hang_ms / 1000)
            return _error(504, "Gateway Timeout")(environ, start_response)
        if decision.fault == "502":
            page = Response("<html><body>502 Bad Gateway</body></html>", 502, mimetype="text/html")
            return page(environ, start_response)
        if decision.fault in ("429", "500", "503", "rate_limit"):
            status = 500 if decision.fault == "500" else 503 if decision.fault == "503" else 429
            response = _error(status, "simulated failure")
            if decision.retry_after_s is not None:
                response.headers["Retry-After"] = str(decision.retry_after_s)
            return response(environ, start_response)
        if decision.disorder_seed is not None:
            environ[DISORDER_KEY] = random.Random(decision.disorder_seed)
        if decision.fault == "lost":
            body = self._app(environ, lambda *args, **kwargs: lambda data: None)
            try:
                for _chunk in body:
                    pass
            finally:
                getattr(body, "close", lambda: None)()
            _drop_connection(environ)
        return self._app(environ, start_response)

    def _decide(self, method: str, path: str) -> Decision:
        with self._lock:
            config = self._config
            draw = self._random
            self._seq += 1
            decision = Decision(seq=self._seq, method=method, path=path)
            if config.latency_ms is not None:
                low, high = config.latency_ms
                decision = dataclasses.replace(decision, delay_ms=draw.uniform(low, high))
            wait = self._bucket.take() if self._bucket else None
            if wait is not None:
                decision = dataclasses.replace(
                    decision, fault="rate_limit", retry_after_s=max(1, math.ceil(wait))
                )
            elif config.fail_rate and draw.random() < config.fail_rate:
                kind = draw.choice(config.fail_kinds)
                retry_after = config.retry_after_s if kind in ("429", "503") else None
                decision = dataclasses.replace(decision, fault=kind, retry_after_s=retry_after)
            elif method == "GET" and config.disorder_rate and draw.random() < config.disorder_rate:
                decision = dataclasses.replace(decision, disorder_seed=draw.getrandbits(32))
            elif (
                method == "POST"
                and config.lost_response_rate
                and draw.random() < config.lost_response_rate
            ):
                decision = dataclasses.replace(decision, fault="lost")
            self._recent.append(decision)
            return decision


class _TokenBucket:
    """``rate`` requests per second with a burst of ``max(1, rate)``."""

    def __init__(self, rate: float) -> None:
        self._rate = rate
        self._capacity = max(1.0, rate)
        self._tokens = self._capacity
        self._stamp = time.monotonic()

    def take(self) -> float | None:
        """Take a token; ``None`` when allowed, else the seconds until one is free."""
        now = time.monotonic()
        self._tokens = min(self._capacity, self._tokens + (now - self._stamp) * self._rate)
        self._stamp = now
        if self._tokens >= 1:
            self._tokens -= 1
            return None
        return (1 - self._tokens) / self._rate


def _error(status: int, message: str) -> Response:
    body = json.dumps({"results": {"message": message}})
    return Response(body, status, mimetype="application/json")


def _drop_connection(environ: Mapping[str, Any]) -> None:
    """Abort the connection with no response (RST); werkzeug's server treats it as dropped."""
    connection = environ.get("werkzeug.socket")
    if connection is None:
        raise RuntimeError("connection faults need werkzeug's HTTP server")
    connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    connection.shutdown(socket.SHUT_RDWR)
    raise ConnectionResetError("simulated connection reset")


def _pair(value: Any) -> tuple[int, int]:
    low, high = value
    return int(low), int(high)
