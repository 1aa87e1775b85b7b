"""API keys for machine clients: create (shown once), list, revoke, authenticate.

A key is ``lbk_<prefix>_<secret>`` with 256 random bits in the secret. Only its
SHA-256 is stored. A fast unsalted hash is enough here, unlike for passwords:
a slow, salted hash protects guessable secrets, but nobody can enumerate 2^256
candidates, and an indexed lookup by hash keeps every API request to one query.
The prefix is stored in the clear so that admins can name a key in lists and
revocations without ever seeing it again.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lapor_bridge.db.models import Agency, Region
from lapor_bridge.db.models_api import ApiKey
from lapor_bridge.services.accounts import Principal
from lapor_bridge.services.context import ServiceContext
from lapor_bridge.services.errors import NotFound, ValidationFailed

# What a key may do.
ACTIONS = {
    "complaints.create": "Mengirim laporan (API v1 dan Open311)",
    "queue.read": "Membaca antrean dan tampilan petugas laporan",
    "complaints.respond": "Mengambil, menanggapi, meminta keterangan, catatan internal",
    "complaints.transfer": "Mengalihkan laporan (bukan wewenang)",
    "complaints.resolve": "Menyelesaikan dan membuka kembali laporan",
}
# The key action each staff operation of API v1 needs.
STAFF_OPERATIONS = {
    "queue": "queue.read",
    "case": "queue.read",
    "claim": "complaints.respond",
    "respond": "complaints.respond",
    "request-info": "complaints.respond",
    "notes": "complaints.respond",
    "category": "complaints.respond",
    "transfer": "complaints.transfer",
    "resolve": "complaints.resolve",
    "reopen": "complaints.resolve",
}
DEFAULT_RATE_LIMIT = "120 per minute"
KEY_PATTERN = re.compile(r"^lbk_([a-z0-9]{8})_[A-Za-z0-9_\-]{43}$")
SCOPE_PATTERN = re.compile(
    r"^(?P<region>[0-9.]+)(?:/(?P<agency>[A-Za-z0-9_\-]+))?:(?P<actions>.+)$"
)


@dataclass(frozen=True)
class Scope:
    """Where (a region, maybe one agency) and what (actions) a key may act."""

    region_code: str
    agency_code: str | None
    actions: frozenset[str]

    @classmethod
    def parse(cls, text: str) -> Scope:
        """Read ``REGION[/AGENCY]:ACTION[,ACTION…]``, e.g. ``33.76/PDAM:queue.read``."""
        match = SCOPE_PATTERN.match((text or "").strip())
        if match is None:
            raise ValidationFailed(
                {"scope": "Bentuk cakupan: WILAYAH[/INSTANSI]:AKSI[,AKSI…], "
                          "misalnya 33.76:complaints.create"}
            )
        actions = frozenset(part.strip() for part in match["actions"].split(",") if part.strip())
        unknown = sorted(actions - ACTIONS.keys())
        if unknown or not actions:
            raise ValidationFailed(
                {"scope": f"Aksi tidak dikenal: {', '.join(unknown) or '(kosong)'}; "
                          f"pilihan: {', '.join(sorted(ACTIONS))}"}
            )
        return cls(match["region"], match["agency"], actions)

    def __str__(self) -> str:
        place = self.region_code + (f"/{self.agency_code}" if self.agency_code else "")
        return f"{place}:{','.join(sorted(self.actions))}"


@dataclass(frozen=True)
class ApiClient:
    """An authenticated machine client, as the web layer sees it."""

    key_id: int
    name: str
    prefix: str
    scope: Scope
    rate_limit: str
    region_id: int
    agency_id: int | None

    def may(self, action: str) -> bool:
        """True when the key's scope includes ``action``."""
        return action in self.scope.actions

    def principal(self) -> Principal:
        """The staff member this key acts as in the workflow services.

        An agency-scoped key is a machine officer of that agency; a region-wide key
        is a regional admin of its region. It has no user row (``user_id`` None, so
        a claim marks the complaint in progress without a holder), and the history
        names it by the key's name.
        """
        role = "officer" if self.agency_id is not None else "regional_admin"
        return Principal(None, f"api:{self.prefix}", f"{self.name} (API)", role,
                         self.agency_id, self.region_id)


@dataclass(frozen=True)
class ApiKeyInfo:
    """A key as listed to admins (never the key itself)."""

    prefix: str
    name: str
    scope: Scope
    rate_limit: str
    created_at: datetime
    revoked_at: datetime | None


def hash_key(key: str) -> str:
    """The stored form of a key."""
    return hashlib.sha256(key.encode()).hexdigest()


def create_key(
    ctx: ServiceContext, name: str, scope: Scope, rate_limit: str = DEFAULT_RATE_LIMIT
) -> tuple[str, ApiKeyInfo]:
    """Store a new key; return the key (shown once, never stored) and its listing."""
    name = (name or "").strip()
    if not 1 <= len(name) <= 120:
        raise ValidationFailed({"name": "Nama klien wajib diisi (maksimal 120 karakter)."})
    prefix = "".join(secrets.choice("abcdefghijkmnpqrstuvwxyz23456789") for _ in range(8))
    key = f"lbk_{prefix}_{secrets.token_urlsafe(32)}"
    with ctx.transaction() as session:
        region = session.scalar(select(Region).where(Region.code == scope.region_code))
        if region is None:
            raise ValidationFailed({"scope": f"Wilayah {scope.region_code} belum terdaftar."})
        agency = None
        if scope.agency_code:
            agency = session.scalar(
                select(Agency).where(Agency.region_id == region.id,
                                     Agency.code == scope.agency_code)
            )
            if agency is None:
                raise ValidationFailed(
                    {"scope": f"Instansi {scope.agency_code} tidak ada di wilayah {region.name}."}
                )
        row = ApiKey(
            name=name, prefix=prefix, key_hash=hash_key(key), region=region, agency=agency,
            actions=sorted(scope.actions), rate_limit=rate_limit, created_at=ctx.clock(),
        )
        session.add(row)
        session.flush()
        return key, _info(row)


def list_keys(ctx: ServiceContext) -> list[ApiKeyInfo]:
    """Every key, newest first, revoked ones included."""
    with ctx.read() as session:
        rows = session.scalars(
            select(ApiKey)
            .options(selectinload(ApiKey.region), selectinload(ApiKey.agency))
            .order_by(ApiKey.id.desc())
        )
        return [_info(row) for row in rows]


def revoke_key(ctx: ServiceContext, prefix: str) -> ApiKeyInfo:
    """Revoke the key with ``prefix`` (idempotent); NotFound when there is none."""
    with ctx.transaction() as session:
        row = session.scalar(
            select(ApiKey)
            .where(ApiKey.prefix == (prefix or "").strip())
            .options(selectinload(ApiKey.region), selectinload(ApiKey.agency))
        )
        if row is None:
            raise NotFound(f"Kunci API {prefix} tidak ditemukan.")
        if row.revoked_at is None:
            row.revoked_at = ctx.clock()
        return _info(row)


def authenticate(ctx: ServiceContext, key: str | None) -> ApiClient | None:
    """The client a presented key belongs to; None when it is malformed, unknown or revoked."""
    if not key or KEY_PATTERN.match(key) is None:
        return None
    with ctx.read() as session:
        row = session.scalar(
            select(ApiKey)
            .where(ApiKey.key_hash == hash_key(key), ApiKey.revoked_at.is_(None))
            .options(selectinload(ApiKey.region), selectinload(ApiKey.agency))
        )
        if row is None:
            return None
        info = _info(row)
        return ApiClient(row.id, row.name, row.prefix, info.scope, row.rate_limit,
                         row.region_id, row.agency_id)


def _info(row: ApiKey) -> ApiKeyInfo:
    scope = Scope(row.region.code, row.agency.code if row.agency else None,
                  frozenset(row.actions))
    return ApiKeyInfo(row.prefix, row.name, scope, row.rate_limit, row.created_at,
                      row.revoked_at)
