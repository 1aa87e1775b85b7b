"""API keys of machine clients (kiosks, gateways, other apps of the region)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lapor_bridge.db.models import Agency, Base, Region, utcnow


class ApiKey(Base):
    """One client's key: only its SHA-256 is stored; scoped to a region (and maybe an
    agency) and a set of actions; revoked by setting ``revoked_at``."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    actions: Mapped[list] = mapped_column(JSON, default=list)
    rate_limit: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]

    region: Mapped[Region] = relationship()
    agency: Mapped[Agency | None] = relationship()
