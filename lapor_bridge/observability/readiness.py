"""Readiness: may this process take traffic? Database, schema version, routing model."""

from __future__ import annotations

from functools import cache

from alembic.script import ScriptDirectory
from sqlalchemy import text

from lapor_bridge.db.migrate import alembic_config
from lapor_bridge.services.context import ServiceContext


@cache
def head_revisions() -> frozenset[str]:
    """The newest migration(s) shipped with this code (read once per process)."""
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return frozenset(script.get_heads())


def readiness(context: ServiceContext, *, need_model: bool) -> dict[str, dict]:
    """One check per dependency: ``{"database": {"ok": …}, "schema": …, "model": …}``."""
    checks: dict[str, dict] = {}
    try:
        with context.read() as session:
            current = frozenset(session.scalars(text("SELECT version_num FROM alembic_version")))
        checks["database"] = {"ok": True}
        expected = head_revisions()
        checks["schema"] = {"ok": current == expected, "current": sorted(current),
                            "head": sorted(expected)}
    except Exception as exc:  # unreachable, or no schema at all
        checks["database"] = {"ok": False, "error": type(exc).__name__}
        checks["schema"] = {"ok": False, "error": "unknown"}
    model = context.classifier
    if model is not None:
        checks["model"] = {"ok": True, "version": model.version}
    else:
        checks["model"] = {"ok": not need_model, "error": "no routing model loaded"}
    return checks
