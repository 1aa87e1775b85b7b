"""Admin use cases of the LAPOR! sync: instansi mapping and the dead-letter list.

Sysadmins see every region; a regional admin only their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update

from lapor_bridge.db.models import Agency, Complaint, OutboxMessage, Region
from lapor_bridge.db.models_sync import LaporInstitution
from lapor_bridge.services.accounts import Principal
from lapor_bridge.services.context import ServiceContext
from lapor_bridge.services.errors import NotFound, PermissionDenied, ValidationFailed
from lapor_bridge.services.sync.push import UNMAPPED

ADMIN_ROLES = frozenset({"sysadmin", "regional_admin"})


@dataclass(frozen=True)
class AgencyMapping:
    """One agency and the LAPOR! instansi it is mapped to (None: unmapped)."""

    agency_id: int
    code: str
    name: str
    region: str
    institution_id: int | None
    institution_name: str | None


@dataclass(frozen=True)
class MappingPage:
    """The mapping table, the instansi to choose from, and how many agencies are unmapped."""

    agencies: list[AgencyMapping]
    institutions: list[tuple[int, str]]
    unmapped: list[AgencyMapping]


@dataclass(frozen=True)
class DeadLetter:
    """One outbox row that gave up."""

    outbox_id: int
    tracking_number: str
    kind: str
    attempts: int
    last_error: str | None
    updated_at: datetime


def institution_mapping(ctx: ServiceContext, principal: Principal) -> MappingPage:
    """Every agency in the admin's scope with its instansi; unmapped ones are listed apart."""
    require_sync_admin(principal)
    with ctx.read() as session:
        names = dict(session.execute(select(LaporInstitution.id, LaporInstitution.name)).all())
        active = list(session.execute(
            select(LaporInstitution.id, LaporInstitution.name)
            .where(LaporInstitution.active.is_(True)).order_by(LaporInstitution.name)).all())
        query = (select(Agency, Region.name).join(Region, Region.id == Agency.region_id)
                 .where(Agency.active.is_(True)).order_by(Region.name, Agency.code))
        if principal.role != "sysadmin":
            query = query.where(Agency.region_id == principal.region_id)
        rows = []
        for agency, region in session.execute(query):
            raw = (agency.lapor_institution_id or "").strip()
            institution = int(raw) if raw.isdigit() else None
            rows.append(AgencyMapping(agency.id, agency.code, agency.name, region, institution,
                                      names.get(institution)))
    return MappingPage(rows, [tuple(row) for row in active],
                       [row for row in rows if row.institution_id is None])


def map_agency(ctx: ServiceContext, principal: Principal, agency_id: int,
               institution_id: int | None) -> str:
    """Map (or, with None, unmap) an agency; waiting outbox rows of it are retried at once."""
    require_sync_admin(principal)
    with ctx.transaction() as session:
        agency = session.get(Agency, agency_id)
        if agency is None or (principal.role != "sysadmin"
                              and agency.region_id != principal.region_id):
            raise NotFound("Instansi daerah tidak ditemukan.")
        if institution_id is not None:
            known = session.get(LaporInstitution, institution_id)
            if known is None or not known.active:
                raise ValidationFailed({"institution": "Instansi SP4N-LAPOR! tidak dikenal."})
        agency.lapor_institution_id = None if institution_id is None else str(institution_id)
        now = ctx.clock()
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.state == "pending", OutboxMessage.last_error.startswith(UNMAPPED))
            .values(next_attempt_at=now)
        )
        return agency.name


def dead_letters(ctx: ServiceContext, principal: Principal) -> list[DeadLetter]:
    """Outbox rows that gave up, newest first, within the admin's scope."""
    require_sync_admin(principal)
    with ctx.read() as session:
        query = (select(OutboxMessage, Complaint.tracking_number)
                 .join(Complaint, Complaint.id == OutboxMessage.complaint_id)
                 .where(OutboxMessage.state == "dead")
                 .order_by(OutboxMessage.updated_at.desc()).limit(500))
        if principal.role != "sysadmin":
            query = query.where(Complaint.region_id == principal.region_id)
        return [DeadLetter(row.id, number, row.kind, row.attempts, row.last_error,
                           row.updated_at) for row, number in session.execute(query)]


def retry_dead(ctx: ServiceContext, principal: Principal, outbox_id: int) -> str:
    """Put a dead row back in the queue with fresh attempts; returns its tracking number."""
    require_sync_admin(principal)
    with ctx.transaction() as session:
        found = session.execute(
            select(OutboxMessage, Complaint)
            .join(Complaint, Complaint.id == OutboxMessage.complaint_id)
            .where(OutboxMessage.id == outbox_id)).first()
        if found is None or (principal.role != "sysadmin"
                             and found[1].region_id != principal.region_id):
            raise NotFound("Pesan tidak ditemukan.")
        row, complaint = found
        if row.state != "dead":
            raise ValidationFailed({"outbox": "Pesan ini tidak sedang gagal."})
        now = ctx.clock()
        row.state, row.attempts, row.next_attempt_at = "pending", 0, now
        row.last_error = f"dicoba ulang oleh {principal.username}; sebelumnya: {row.last_error}"
        row.updated_at = now
        return complaint.tracking_number


def require_sync_admin(principal: Principal) -> None:
    """Raise PermissionDenied unless a sysadmin or regional admin."""
    if principal.role not in ADMIN_ROLES:
        raise PermissionDenied("Hanya admin yang dapat mengatur sinkronisasi SP4N-LAPOR!.")
