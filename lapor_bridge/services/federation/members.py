"""Members of a provincial instance: register (key shown once), list, remove, authenticate.

A member's key is ``lbf_<prefix>_<secret>`` (256 random bits); only its SHA-256 is kept,
as for API keys; ``rotate_key`` replaces it (a leaked key, a member brought back). Each
member reports for the kab/kota it was registered with, which must lie in a province
this instance holds and must not be served here locally. A removed member keeps its
records (marked inactive) and its key hash, so that the key gets 403 "revoked" rather
than 401 "unknown".
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lapor_bridge.db.models import Complaint, Region
from lapor_bridge.db.models_federation import FederatedComplaint, FederationMember
from lapor_bridge.services.context import ServiceContext
from lapor_bridge.services.errors import NotFound, PermissionDenied, ValidationFailed

KEY_PATTERN = re.compile(r"^lbf_([a-z0-9]{8})_[A-Za-z0-9_\-]{43}$")
REGION_CODE = re.compile(r"^\d{2}\.\d{2}$")


class KeyRevoked(PermissionDenied):
    """The key belonged to a member that was removed."""


@dataclass(frozen=True)
class MemberInfo:
    """A member as the lists show it."""

    id: int
    name: str
    url: str
    key_prefix: str
    active: bool
    regions: tuple[tuple[str, str], ...]
    records: int
    created_at: datetime
    removed_at: datetime | None
    last_push_at: datetime | None
    last_change_at: datetime | None
    last_lag_seconds: float | None
    drift: dict | None
    drift_checked_at: datetime | None


@dataclass(frozen=True)
class Member:
    """The member a request authenticated as."""

    id: int
    name: str
    region_codes: frozenset[str]
    url: str


def hash_key(key: str) -> str:
    """The stored form of a member key."""
    return hashlib.sha256(key.encode()).hexdigest()


def parse_regions(entries: list[str]) -> list[tuple[str, str | None]]:
    """``CODE`` or ``CODE=Name`` entries as (code, name or None); ValidationFailed if bad."""
    parsed = []
    for entry in entries:
        code, _, name = entry.partition("=")
        code = code.strip()
        if not REGION_CODE.match(code):
            raise ValidationFailed({"region": f"Kode kab/kota tidak sah: {code!r} (contoh 33.28)"})
        parsed.append((code, name.strip() or None))
    if not parsed:
        raise ValidationFailed({"region": "Sebutkan minimal satu kab/kota."})
    return parsed


def add_member(ctx: ServiceContext, name: str, regions: list[tuple[str, str | None]],
               url: str = "") -> tuple[MemberInfo, str]:
    """Register a member for ``regions``; returns it and its key (shown this once only)."""
    name = name.strip()
    if not name or len(name) > 120:
        raise ValidationFailed({"name": "Nama anggota wajib diisi (maksimal 120 karakter)."})
    if url and not url.startswith(("https://", "http://")):
        raise ValidationFailed({"url": "Alamat harus diawali http:// atau https://"})
    prefix, key = _new_key()
    with ctx.transaction() as session:
        if session.scalar(select(FederationMember.id).where(FederationMember.name == name)):
            raise ValidationFailed({"name": f"Anggota {name} sudah terdaftar."})
        member = FederationMember(name=name, url=url.rstrip("/"), key_prefix=prefix,
                                  key_hash=hash_key(key), active=True,
                                  created_at=ctx.clock())
        session.add(member)
        session.flush()
        for code, region_name in regions:
            _claim_region(session, member, code, region_name)
    return member_info(ctx, name), key


def rotate_key(ctx: ServiceContext, name: str) -> tuple[MemberInfo, str]:
    """A new key for member ``name`` (the old one stops working; a removed member is
    active again); returns it, shown this once only."""
    prefix, key = _new_key()
    with ctx.transaction() as session:
        member = session.scalar(select(FederationMember).where(FederationMember.name == name))
        if member is None:
            raise NotFound(f"Anggota {name} tidak terdaftar.")
        member.key_prefix, member.key_hash = prefix, hash_key(key)
        member.active, member.removed_at = True, None
    return member_info(ctx, name), key


def _new_key() -> tuple[str, str]:
    prefix = secrets.token_hex(4)
    return prefix, f"lbf_{prefix}_{secrets.token_urlsafe(32)}"


def _claim_region(session: Session, member: FederationMember, code: str,
                  name: str | None) -> None:
    province = session.scalar(select(Region).where(Region.code == code.split(".")[0]))
    if province is None:
        raise ValidationFailed({"region": f"Provinsi {code.split('.')[0]} tidak ada di "
                                          f"instansi ini (seed atau buat dulu)."})
    region = session.scalar(select(Region).where(Region.code == code))
    if region is None:
        kind = "kota" if code.split(".")[1] >= "71" else "kabupaten"
        region = Region(code=code, name=name or code, kind=kind, parent_id=province.id)
        session.add(region)
    elif region.member_id is not None and region.member_id != member.id:
        raise ValidationFailed({"region": f"{code} sudah dilaporkan anggota lain."})
    elif session.scalar(select(Complaint.id).where(Complaint.region_id == region.id,
                                                   Complaint.member_id.is_(None)).limit(1)):
        raise ValidationFailed({"region": f"{code} dilayani langsung oleh instansi ini."})
    elif name:
        region.name = name
    region.member_id = member.id
    session.flush()


def remove_member(ctx: ServiceContext, name: str) -> MemberInfo:
    """Revoke a member's key; its records stay, marked as an inactive member's."""
    with ctx.transaction() as session:
        member = session.scalar(select(FederationMember).where(FederationMember.name == name))
        if member is None:
            raise NotFound(f"Anggota {name} tidak terdaftar.")
        if member.active:
            member.active = False
            member.removed_at = ctx.clock()
    return member_info(ctx, name)


def list_members(ctx: ServiceContext) -> list[MemberInfo]:
    """Every member, active first, by name (three statements, whatever their number)."""
    with ctx.read() as session:
        members = session.scalars(select(FederationMember).order_by(
            FederationMember.active.desc(), FederationMember.name)).all()
        return _infos(session, members)


def member_info(ctx: ServiceContext, name: str) -> MemberInfo:
    """One member with its regions and record count."""
    with ctx.read() as session:
        member = session.scalar(select(FederationMember).where(FederationMember.name == name))
        if member is None:
            raise NotFound(f"Anggota {name} tidak terdaftar.")
        return _infos(session, [member])[0]


def _infos(session: Session, members) -> list[MemberInfo]:
    ids = [member.id for member in members]
    regions: dict[int, list[tuple[str, str]]] = {}
    for member_id, code, name in session.execute(
            select(Region.member_id, Region.code, Region.name)
            .where(Region.member_id.in_(ids)).order_by(Region.code)):
        regions.setdefault(member_id, []).append((code, name))
    records = dict(session.execute(
        select(FederatedComplaint.member_id, func.count())
        .where(FederatedComplaint.member_id.in_(ids))
        .group_by(FederatedComplaint.member_id)).all())
    return [MemberInfo(member.id, member.name, member.url, member.key_prefix, member.active,
                       tuple(regions.get(member.id, ())), records.get(member.id, 0),
                       member.created_at, member.removed_at, member.last_push_at,
                       member.last_change_at, member.last_lag_seconds, member.drift,
                       member.drift_checked_at)
            for member in members]


def authenticate(ctx: ServiceContext, key: str | None) -> Member | None:
    """The active member holding ``key``; None for no or an unknown key; KeyRevoked for a
    removed member's key."""
    if not key or not KEY_PATTERN.match(key):
        return None
    with ctx.read() as session:
        member = session.scalar(select(FederationMember).where(
            FederationMember.key_hash == hash_key(key)))
        if member is None:
            return None
        if not member.active:
            raise KeyRevoked("Keanggotaan federasi ini telah dicabut / membership revoked.")
        codes = frozenset(session.scalars(select(Region.code).where(
            Region.member_id == member.id)))
        return Member(member.id, member.name, codes, member.url)
