"""Who is calling the API: an API key's client or an anonymous address; rate-limit keys.

API v1 takes the key in the ``X-API-Key`` header; Open311 in the ``api_key``
parameter, as its specification says. The client is looked up once per request
and kept on ``flask.g``. Rate limits count per key for a valid key and per IP
address otherwise, so spraying made-up keys is limited like any anonymous caller.
"""

from __future__ import annotations

from flask import current_app, g, request

from lapor_bridge.services.api_keys import ApiClient, authenticate
from lapor_bridge.web import service_context
from lapor_bridge.web.ratelimit import remote_address

API_KEY_HEADER = "X-API-Key"
READ_RATE_LIMIT = "300 per minute"
_UNSET = object()


def presented_key() -> str | None:
    """The key the request carries (header for API v1, ``api_key`` field for Open311)."""
    if request.path.startswith("/open311/"):
        return request.values.get("api_key") or None
    return request.headers.get(API_KEY_HEADER) or None


def current_client() -> ApiClient | None:
    """The authenticated client of this request, or None (no key or a bad one)."""
    client = g.get("api_client", _UNSET)
    if client is _UNSET:
        client = authenticate(service_context(), presented_key())
        g.api_client = client
    return client


def key_was_refused() -> bool:
    """True when the request carries a key that did not authenticate."""
    return presented_key() is not None and current_client() is None


def rate_limit_key() -> str:
    """The rate-limit bucket: the key's prefix for a valid key, else the caller's address."""
    client = current_client()
    return f"key:{client.prefix}" if client else f"ip:{remote_address()}"


def intake_limit() -> str:
    """Filing limit: the key's own, or the configured per-address intake limit."""
    client = current_client()
    if client:
        return client.rate_limit
    return current_app.config["LAPOR_SETTINGS"].app.intake_rate_limit


def read_limit() -> str:
    """Reading limit: the key's own, or the per-address read limit."""
    client = current_client()
    return client.rate_limit if client else current_app.config.get(
        "LAPOR_API_READ_LIMIT", READ_RATE_LIMIT
    )
