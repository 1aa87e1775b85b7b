"""``sync_institutions``: keep a local copy of LAPOR!'s instansi master list (daily)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select

from lapor_bridge.db.models_sync import LaporInstitution
from lapor_bridge.lapor import LaporClient
from lapor_bridge.services.context import ServiceContext


@dataclass(frozen=True)
class MastersResult:
    """Totals of one master-data sync."""

    total: int
    added: int
    renamed: int
    retired: int


def sync_institutions(
    ctx: ServiceContext, client_factory: Callable[[], LaporClient] | None = None
) -> MastersResult:
    """Fetch the whole list and upsert it; instansi no longer listed are marked inactive."""
    factory = client_factory or (lambda: LaporClient(ctx.settings.lapor))
    with factory() as client:
        institutions = client.list_institutions()
    added = renamed = retired = 0
    with ctx.transaction() as session:
        now = ctx.clock()
        stored = {row.id: row for row in session.scalars(select(LaporInstitution))}
        listed = {institution.id for institution in institutions}
        for institution in institutions:
            row = stored.get(institution.id)
            if row is None:
                session.add(LaporInstitution(id=institution.id, name=institution.name,
                                             active=True, synced_at=now))
                added += 1
                continue
            renamed += int(row.name != institution.name)
            row.name, row.active, row.synced_at = institution.name, True, now
        for row in stored.values():
            if row.id not in listed and row.active:
                row.active, row.synced_at = False, now
                retired += 1
    return MastersResult(len(institutions), added, renamed, retired)


def masters_are_stale(ctx: ServiceContext) -> bool:
    """True when the instansi list was never synced or is older than ``masters_max_age_hours``."""
    with ctx.read() as session:
        newest = session.scalar(select(func.max(LaporInstitution.synced_at)))
    age = timedelta(hours=ctx.settings.lapor.masters_max_age_hours)
    return newest is None or ctx.clock() - newest > age
