"""The Content-Security-Policy of every page, and the one thing a map page adds to it."""

from __future__ import annotations

from urllib.parse import urlsplit

POLICY = ("default-src 'self'; img-src 'self' data:{tiles}; style-src 'self'; "
          "script-src 'self'; frame-ancestors 'none'; form-action 'self'")
DEFAULT = POLICY.format(tiles="")


def admit_tiles(response, tile_url: str):
    """Admit the configured tile server's origin in ``img-src`` (``{s}.`` subdomains as
    ``*.``) on this response only; a blank or non-http(s) URL changes nothing."""
    parts = urlsplit((tile_url or "").replace("{s}.", "*."))
    if parts.scheme in ("http", "https") and parts.netloc:
        response.headers["Content-Security-Policy"] = POLICY.format(
            tiles=f" {parts.scheme}://{parts.netloc}")
    return response
