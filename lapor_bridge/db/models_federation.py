"""Federation: kab/kota instances (members) reporting to a provincial instance.

Province side: :class:`FederationMember` (a registered member and its key) and
:class:`FederatedComplaint` (a member's complaint stored here, with the member's
version of it). Member side: :class:`FederationUplink` (the province this instance
joined) and :class:`FederationOutbox` (one row per complaint the province must learn
about, coalesced: it always sends the complaint as it stands).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Boolean, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lapor_bridge.db.models import Base, Complaint, utcnow


class FederationMember(Base):
    """A kab/kota instance allowed to push its complaints here (province side).

    Only the SHA-256 of its key is stored (the key has 256 random bits, like API keys).
    A removed member keeps its records and its key hash: the key then gets 403.
    ``drift`` is the last drift summary the member reported.
    """

    __tablename__ = "federation_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    url: Mapped[str] = mapped_column(String(300), default="")
    key_prefix: Mapped[str] = mapped_column(String(8))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    removed_at: Mapped[datetime | None]
    last_push_at: Mapped[datetime | None]
    last_change_at: Mapped[datetime | None]
    last_lag_seconds: Mapped[float | None] = mapped_column(Float)
    drift: Mapped[dict | None] = mapped_column(JSON)
    drift_checked_at: Mapped[datetime | None]


class FederatedComplaint(Base):
    """A member's complaint as stored at the province: whose it is and which version."""

    __tablename__ = "federated_complaints"
    __table_args__ = (Index("ix_federated_complaints_member_tracking", "member_id",
                            "tracking_number", unique=True),)

    complaint_id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), ForeignKey("complaints.id"),
        primary_key=True, autoincrement=False)
    member_id: Mapped[int] = mapped_column(ForeignKey("federation_members.id"))
    tracking_number: Mapped[str] = mapped_column(String(16))
    remote_version: Mapped[int] = mapped_column(Integer)
    remote_changed_at: Mapped[datetime]
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    lapor_id: Mapped[str | None] = mapped_column(String(32))
    url: Mapped[str] = mapped_column(String(300), default="")
    # The member's SLA targets for this complaint (its agency's), and its breach flag.
    sla_targets: Mapped[dict] = mapped_column(JSON)
    sla_breached: Mapped[bool] = mapped_column(Boolean, default=False)

    complaint: Mapped[Complaint] = relationship()
    member: Mapped[FederationMember] = relationship()


class FederationUplink(Base):
    """The province this instance joined (member side; at most one row)."""

    __tablename__ = "federation_uplinks"

    id: Mapped[int] = mapped_column(primary_key=True)
    province_url: Mapped[str] = mapped_column(String(300))
    member_name: Mapped[str] = mapped_column(String(120))
    province_name: Mapped[str] = mapped_column(String(120))
    regions: Mapped[list] = mapped_column(JSON)
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_push_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    drift: Mapped[dict | None] = mapped_column(JSON)
    drift_checked_at: Mapped[datetime | None]


class FederationOutbox(Base):
    """One complaint the province must (again) learn about (member side).

    ``version``/``changed_at`` are the complaint's state last enqueued (a change that
    does not bump the version, such as the LAPOR! link, still moves ``updated_at``),
    ``sent_version`` the version the province last acknowledged; a row is ``pending``
    until the enqueued state is acknowledged, then ``sent``; ``dead`` after
    ``max_attempts`` failures or a refusal (``last_error`` says why).
    """

    __tablename__ = "federation_outbox"
    __table_args__ = (Index("ix_federation_outbox_state_next", "state", "next_attempt_at"),)

    complaint_id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), ForeignKey("complaints.id"),
        primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(Integer)
    changed_at: Mapped[datetime]
    sent_version: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
