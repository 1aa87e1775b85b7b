"""The member's HTTP client for its province's federation API (``/federation/v1``).

Explicit timeouts; every failure is one of three errors: ``FederationAuthError`` (the key
is unknown or revoked: stop, a person must act), ``FederationRetryable`` (network, 5xx,
429: try again later) or ``FederationRefused`` (the province refused the request as
malformed: retrying the same request will not help).
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import requests

from lapor_bridge.config import FederationSettings

API = "/federation/v1"
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


class FederationError(Exception):
    """A federation request failed."""


class FederationAuthError(FederationError):
    """401/403: the member key is unknown, revoked or missing."""


class FederationRetryable(FederationError):
    """Network error, timeout, 5xx or 429 (``retry_after`` seconds when the province said)."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class FederationRefused(FederationError):
    """4xx other than auth and 429: the request itself is wrong."""


class FederationTooLarge(FederationRefused):
    """413: the batch holds more records than the province takes in one request."""


def check_province_url(url: str) -> str:
    """``url`` if it is https, or http to this machine (demos, tests); the key must not
    travel in clear text across a network."""
    parts = urlsplit(url)
    if parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in LOOPBACK):
        return url.rstrip("/")
    raise FederationRefused(f"province address must be https:// (http only to this "
                            f"machine) / alamat provinsi harus https://: {url!r}")


class ProvinceClient:
    """One province, one key; reuse it for a run (it keeps one connection pool)."""

    def __init__(self, province_url: str, settings: FederationSettings,
                 session: requests.Session | None = None) -> None:
        if not settings.key:
            raise FederationAuthError(
                "no member key: set [federation] key (env LAPOR_BRIDGE_FEDERATION__KEY)")
        self.base = check_province_url(province_url) + API
        self.timeout = (settings.connect_timeout, settings.read_timeout)
        self.http = session or requests.Session()
        self.http.headers["Authorization"] = f"Bearer {settings.key}"

    def hello(self) -> dict[str, Any]:
        """Who the province says we are: ``province``, ``member``, ``regions``."""
        return self._call("GET", "/hello")

    def send(self, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Push records; one ``{tracking_number, result, error}`` per record, in order."""
        results = self._call("POST", "/records", json={"records": records})["results"]
        if len(results) != len(records):
            raise FederationRetryable(f"province answered {len(results)} results for "
                                      f"{len(records)} records")
        return results

    def state(self, after: str = "", limit: int = 1000) -> dict[str, Any]:
        """One page of what the province holds of ours: ``records`` [[number, version]],
        ``next`` (the ``after`` of the next page, or null)."""
        return self._call("GET", "/state", params={"after": after, "limit": limit})

    def report_drift(self, summary: dict[str, Any]) -> None:
        """Tell the province the outcome of our last drift check."""
        self._call("POST", "/drift", json=summary)

    def close(self) -> None:
        """Release the connection pool."""
        self.http.close()

    def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response = self.http.request(method, self.base + path, timeout=self.timeout,
                                         **kwargs)
        except requests.RequestException as exc:
            raise FederationRetryable(f"{type(exc).__name__}: {exc}") from exc
        if response.status_code in (401, 403):
            raise FederationAuthError(f"HTTP {response.status_code}: {_message(response)}")
        if response.status_code == 429 or response.status_code >= 500:
            raise FederationRetryable(f"HTTP {response.status_code}: {_message(response)}",
                                      _seconds(response.headers.get("Retry-After", "")))
        if response.status_code == 413:
            raise FederationTooLarge(f"HTTP 413: {_message(response)}")
        if response.status_code >= 400:
            raise FederationRefused(f"HTTP {response.status_code}: {_message(response)}")
        try:
            return response.json()
        except ValueError as exc:
            raise FederationRetryable("province answered something other than JSON") from exc


def _seconds(retry_after: str) -> float | None:
    """``Retry-After`` in seconds (given as seconds or as an HTTP date), None if absent."""
    if retry_after.strip().isdigit():
        return float(retry_after)
    try:
        when = parsedate_to_datetime(retry_after)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _message(response: requests.Response) -> str:
    try:
        return str(response.json().get("error", ""))[:300]
    except ValueError:
        return response.text[:300]
