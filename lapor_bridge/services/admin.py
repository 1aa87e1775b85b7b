"""System administration: staff accounts and agencies (system admin only)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from lapor_bridge.db.models import Agency, Region, User
from lapor_bridge.services.accounts import Principal
from lapor_bridge.services.context import ServiceContext
from lapor_bridge.services.errors import NotFound, PermissionDenied, ValidationFailed
from lapor_bridge.services.intake.submit import EMAIL_RE
from lapor_bridge.services.passwords import hash_password

ROLES = {
    "officer": "Petugas instansi",
    "regional_admin": "Admin daerah",
    "coordinator": "Koordinator provinsi",
    "sysadmin": "Administrator sistem",
}
USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
MIN_PASSWORD = 10
EMAIL_ERROR = "Alamat e-mail tidak valid."


@dataclass(frozen=True)
class UserRow:
    """One staff account as listed."""

    id: int
    username: str
    full_name: str
    role: str
    scope: str
    active: bool
    is_agency_head: bool
    email: str | None


@dataclass(frozen=True)
class AgencyRow:
    """One agency as listed."""

    id: int
    code: str
    name: str
    region: str
    is_triage: bool
    lapor_institution_id: str | None
    active: bool


def _require_sysadmin(principal: Principal) -> None:
    if principal.role != "sysadmin":
        raise PermissionDenied("Hanya administrator sistem.")


def list_users(ctx: ServiceContext, principal: Principal) -> list[UserRow]:
    """Every staff account, by username."""
    _require_sysadmin(principal)
    with ctx.read() as session:
        users = session.scalars(select(User).order_by(User.username)).all()
        return [UserRow(u.id, u.username, u.full_name, u.role,
                        u.agency.name if u.agency else (u.region.name if u.region else "—"),
                        u.active, u.is_agency_head, u.email) for u in users]


def create_user(ctx: ServiceContext, principal: Principal, *, username: str, full_name: str,
                role: str, password: str, agency_id: int | None = None,
                region_id: int | None = None, is_agency_head: bool = False,
                email: str = "") -> int:
    """Create a staff account; the scope must fit the role (agency for officers, …).
    ``email`` (optional) is where SLA escalations are mailed."""
    _require_sysadmin(principal)
    username = (username or "").strip().lower()
    errors = {}
    if not USERNAME_RE.match(username):
        errors["username"] = "Nama pengguna 3–64 huruf kecil, angka, titik, garis."
    if not 2 <= len((full_name or "").strip()) <= 120:
        errors["full_name"] = "Isi nama lengkap."
    if role not in ROLES:
        errors["role"] = "Pilih peran."
    if len(password or "") < MIN_PASSWORD:
        errors["password"] = f"Kata sandi minimal {MIN_PASSWORD} karakter."
    email = (email or "").strip()
    if email and not EMAIL_RE.match(email):
        errors["email"] = EMAIL_ERROR
    if errors:
        raise ValidationFailed(errors)
    try:
        with ctx.transaction() as session:
            agency_id, region_id = _scope_for(session, role, agency_id, region_id)
            user = User(username=username, full_name=full_name.strip(), role=role,
                        password_hash=hash_password(password), agency_id=agency_id,
                        region_id=region_id, is_agency_head=is_agency_head and role == "officer",
                        email=email or None)
            session.add(user)
            session.flush()
            return user.id
    except IntegrityError as exc:
        raise ValidationFailed({"username": "Nama pengguna sudah dipakai."}) from exc


def _scope_for(session, role: str, agency_id: int | None, region_id: int | None):
    if role == "officer":
        agency = session.get(Agency, agency_id) if agency_id else None
        if agency is None or agency.is_triage:
            raise ValidationFailed({"agency_id": "Petugas harus punya instansi."})
        return agency.id, agency.region_id
    if role in ("regional_admin", "coordinator"):
        region = session.get(Region, region_id) if region_id else None
        wanted = "provinsi" if role == "coordinator" else None
        if region is None or (wanted and region.kind != wanted) or (
                not wanted and region.kind == "provinsi"):
            label = "provinsi" if wanted else "kabupaten/kota"
            raise ValidationFailed({"region_id": f"Pilih wilayah {label}."})
        return None, region.id
    return None, None


def set_user_active(ctx: ServiceContext, principal: Principal, user_id: int,
                    active: bool) -> None:
    """Enable or disable an account (never one's own)."""
    _require_sysadmin(principal)
    if user_id == principal.user_id:
        raise ValidationFailed({"user": "Anda tidak dapat menonaktifkan akun sendiri."})
    with ctx.transaction() as session:
        user = session.get(User, user_id)
        if user is None:
            raise NotFound("Pengguna tidak ditemukan.")
        user.active = active


def set_email(ctx: ServiceContext, principal: Principal, user_id: int, email: str) -> None:
    """Where an account's SLA escalations are mailed ("" stops the e-mails)."""
    _require_sysadmin(principal)
    email = (email or "").strip()
    if email and not EMAIL_RE.match(email):
        raise ValidationFailed({"email": EMAIL_ERROR})
    with ctx.transaction() as session:
        user = session.get(User, user_id)
        if user is None:
            raise NotFound("Pengguna tidak ditemukan.")
        user.email = email or None


def reset_password(ctx: ServiceContext, principal: Principal, user_id: int,
                   password: str) -> None:
    """Set a new password for an account."""
    _require_sysadmin(principal)
    if len(password or "") < MIN_PASSWORD:
        raise ValidationFailed({"password": f"Kata sandi minimal {MIN_PASSWORD} karakter."})
    with ctx.transaction() as session:
        user = session.get(User, user_id)
        if user is None:
            raise NotFound("Pengguna tidak ditemukan.")
        user.password_hash = hash_password(password)


def list_agencies(ctx: ServiceContext, principal: Principal) -> list[AgencyRow]:
    """Every agency, by region and name."""
    _require_sysadmin(principal)
    with ctx.read() as session:
        rows = session.execute(
            select(Agency, Region.name).join(Region, Region.id == Agency.region_id)
            .order_by(Region.name, Agency.name))
        return [AgencyRow(a.id, a.code, a.name, region, a.is_triage, a.lapor_institution_id,
                          a.active) for a, region in rows]


def list_regions(ctx: ServiceContext) -> list[tuple[int, str, str]]:
    """(id, name, kind) of every region, for pickers."""
    with ctx.read() as session:
        return [tuple(row) for row in session.execute(
            select(Region.id, Region.name, Region.kind).order_by(Region.code))]


def update_agency(ctx: ServiceContext, principal: Principal, agency_id: int, *, name: str,
                  lapor_institution_id: str | None, active: bool) -> None:
    """Change an agency's name, its SP4N-LAPOR! institution id, or whether it takes complaints."""
    _require_sysadmin(principal)
    name = (name or "").strip()
    if not 3 <= len(name) <= 200:
        raise ValidationFailed({"name": "Nama instansi 3–200 karakter."})
    with ctx.transaction() as session:
        agency = session.get(Agency, agency_id)
        if agency is None:
            raise NotFound("Instansi tidak ditemukan.")
        if agency.is_triage and not active:
            raise ValidationFailed({"active": "Antrean verifikasi tidak dapat dinonaktifkan."})
        agency.name = name
        agency.lapor_institution_id = (lapor_institution_id or "").strip() or None
        agency.active = active
