"""SP4N-LAPOR! sync state: links to national reports, dedupe of what was seen, instansi list."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lapor_bridge.db.models import Base, utcnow


class LaporLink(Base):
    """One local complaint tied to its LAPOR! report, with what we last saw there.

    ``next_poll_at`` drives the poller; ``closed`` stops it once LAPOR! closed the report.
    ``origin`` is ``push`` (we created it) or ``inbound`` (filed nationally, imported).
    """

    __tablename__ = "lapor_links"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), unique=True)
    lapor_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    origin: Mapped[str] = mapped_column(String(16))
    institution_id: Mapped[int | None] = mapped_column(BigInteger)
    lapor_status: Mapped[str | None] = mapped_column(String(64))
    closed: Mapped[bool] = mapped_column(Boolean, default=False)
    next_poll_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    last_polled_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LaporSeen(Base):
    """A LAPOR! history log or follow-up already handled (imported, or pushed by us).

    The unique key makes each national change arrive once; ``event_id`` is the local
    event it became (None for our own follow-ups and for logs).
    """

    __tablename__ = "lapor_seen"
    __table_args__ = (UniqueConstraint("lapor_id", "kind", "remote_id"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    lapor_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(16))  # log | followup
    remote_id: Mapped[int] = mapped_column(BigInteger)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("complaint_events.id"))
    pushed: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LaporInstitution(Base):
    """One entry of LAPOR!'s instansi master list, as last synced."""

    __tablename__ = "lapor_institutions"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    synced_at: Mapped[datetime] = mapped_column(default=utcnow)
