"""Opaque cursors for keyset pagination: the sort key of the last item of a page.

A cursor is base64url of ``[ISO datetime, id]``. It carries no secret and grants
nothing (every page is filtered as the first one), so it is not signed; a cursor
that does not decode is the caller's error (:class:`BadCursor`).
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime


class BadCursor(ValueError):
    """The cursor was not made by :func:`encode_cursor`."""


def encode_cursor(at: datetime, row_id: int) -> str:
    """The cursor that continues after the item sorted at (``at``, ``row_id``)."""
    raw = json.dumps([at.isoformat(), row_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    """The (datetime, id) a cursor stands for; BadCursor when it is not one of ours."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        text, row_id = json.loads(raw)
        at = datetime.fromisoformat(text)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError) as exc:
        raise BadCursor(cursor) from exc
    if at.tzinfo is None or not isinstance(row_id, int) or isinstance(row_id, bool):
        raise BadCursor(cursor)
    return at, row_id


def cursor_param(values: dict, errors: dict[str, str]) -> tuple[datetime, int] | None:
    """The decoded ``cursor`` of parsed query ``values`` (None when absent); a cursor
    that is not ours becomes an entry of ``errors``."""
    if "cursor" not in values:
        return None
    try:
        return decode_cursor(values["cursor"])
    except BadCursor:
        errors["cursor"] = "Cursor tidak dikenal; pakai next_cursor dari halaman sebelumnya."
        return None
