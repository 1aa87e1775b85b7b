"""The idempotency marker: a tag in ``tags_raw`` that names the report's outbox key.

LAPOR! has no idempotency header, so every report we create carries the tag
``lapor-bridge:<key>``; after a create whose answer was lost, the client looks the
tag up before creating again.
"""

from __future__ import annotations

from collections.abc import Iterable

MARKER_PREFIX = "lapor-bridge:"


def marker_tag(idempotency_key: str) -> str:
    """The tag that marks a report created for ``idempotency_key``."""
    if not idempotency_key or "," in idempotency_key or idempotency_key.strip() != idempotency_key:
        raise ValueError(f"idempotency key unusable in a tag: {idempotency_key!r}")
    return MARKER_PREFIX + idempotency_key


def key_from_tags(tags: Iterable[str]) -> str | None:
    """The idempotency key carried by ``tags``, or ``None`` for reports we did not create."""
    for tag in tags:
        if tag.startswith(MARKER_PREFIX):
            return tag[len(MARKER_PREFIX) :]
    return None
