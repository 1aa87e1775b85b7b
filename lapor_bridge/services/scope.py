"""What each staff member may see: complaints and agencies within their scope.

* officer — complaints held by their own agency;
* regional admin — every complaint and agency of their kabupaten/kota;
* coordinator — every complaint of the kabupaten/kota in their province (read-only);
* sysadmin — everything.

A complaint outside the scope is reported as not found (never "forbidden"), so
its existence does not leak.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, select, true
from sqlalchemy.orm import Session

from lapor_bridge.db.models import Agency, Complaint, Region
from lapor_bridge.domain.transitions import Role
from lapor_bridge.services.accounts import Principal
from lapor_bridge.services.errors import NotFound, PermissionDenied
from lapor_bridge.services.intake.submit import normalize_tracking_number
from lapor_bridge.translations import Message

STAFF_ROLES = frozenset({"officer", "regional_admin", "coordinator", "sysadmin"})
WRITER_ROLES = frozenset({"officer", "regional_admin", "sysadmin"})


def role_of(principal: Principal) -> Role:
    """The domain role of a logged-in staff member."""
    if principal.role not in STAFF_ROLES:
        raise PermissionDenied("Peran pengguna tidak dikenal.")
    return Role(principal.role)


def complaint_scope(principal: Principal) -> ColumnElement[bool]:
    """A WHERE clause limiting complaints to those ``principal`` may see."""
    if principal.role == "officer" and principal.agency_id is not None:
        return Complaint.agency_id == principal.agency_id
    if principal.role == "regional_admin" and principal.region_id is not None:
        return Complaint.region_id == principal.region_id
    if principal.role == "coordinator" and principal.region_id is not None:
        return Complaint.region_id.in_(
            select(Region.id).where(Region.parent_id == principal.region_id)
        )
    if principal.role == "sysadmin":
        return true()
    return false()


def local_only() -> ColumnElement[bool]:
    """A WHERE clause keeping this instance's own complaints: never a federation member's
    (stored here read-only and de-identified; the member's own instance serves it)."""
    return Complaint.member_id.is_(None)


def agency_scope(principal: Principal) -> ColumnElement[bool]:
    """A WHERE clause limiting agencies to those whose work ``principal`` may manage."""
    if principal.role == "officer" and principal.agency_id is not None:
        return Agency.id == principal.agency_id
    if principal.role == "regional_admin" and principal.region_id is not None:
        return Agency.region_id == principal.region_id
    if principal.role == "sysadmin":
        return true()
    return false()


def load_in_scope(session: Session, principal: Principal, tracking_number: str, *,
                  lock: bool = False) -> Complaint:
    """The complaint with this number if ``principal`` may see it; else NotFound.

    ``lock`` takes a row lock (``FOR UPDATE`` on PostgreSQL; SQLite serialises
    writers already) so that concurrent actions on one complaint queue up; it is for
    writing, which a federation member's complaint refuses (its own instance works it).
    """
    number = normalize_tracking_number(tracking_number)
    query = select(Complaint).where(
        Complaint.tracking_number == number, complaint_scope(principal)
    )
    if lock:
        query = query.with_for_update(of=Complaint)
    complaint = session.scalar(query)
    if complaint is None:
        raise NotFound(f"Laporan {number} tidak ditemukan.")
    if lock and complaint.member_id is not None:
        raise PermissionDenied(Message(
            "Laporan ini milik instansi anggota federasi dan hanya dapat dibaca di sini; "
            "tindak lanjutnya dikerjakan di instansi anggota."))
    return complaint


def require_writer(principal: Principal) -> None:
    """Refuse read-only roles (the coordinator)."""
    if principal.role not in WRITER_ROLES:
        raise PermissionDenied("Peran Anda hanya dapat melihat laporan, tidak mengubahnya.")
