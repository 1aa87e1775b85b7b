"""SQLAlchemy 2.x typed models. Times are stored as aware UTC datetimes."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from lapor_bridge.domain.status import Status

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator):
    """A timezone-aware datetime that always comes back in UTC (SQLite too)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; store aware UTC datetimes")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base with constraint naming that Alembic can diff."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UtcDateTime()}


class Region(Base):
    """A province or a kabupaten/kota (BPS code, e.g. ``33`` or ``33.76``)."""

    __tablename__ = "regions"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(16))  # provinsi | kabupaten | kota
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"))
    # At a provincial instance: the federation member that reports this kab/kota.
    member_id: Mapped[int | None] = mapped_column(ForeignKey("federation_members.id"))

    parent: Mapped[Region | None] = relationship(remote_side=[id])


class District(Base):
    """A kecamatan of a kabupaten/kota."""

    __tablename__ = "districts"
    __table_args__ = (UniqueConstraint("region_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"))
    name: Mapped[str] = mapped_column(String(80))
    code: Mapped[str | None] = mapped_column(String(16))  # Kemendagri, e.g. 33.76.01

    villages: Mapped[list[Village]] = relationship(
        back_populates="district", order_by="Village.name"
    )


class Village(Base):
    """A kelurahan/desa of a kecamatan."""

    __tablename__ = "villages"
    __table_args__ = (UniqueConstraint("district_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"))
    name: Mapped[str] = mapped_column(String(80))
    code: Mapped[str | None] = mapped_column(String(16))  # Kemendagri, e.g. 33.76.01.1001

    district: Mapped[District] = relationship(back_populates="villages")


class Agency(Base):
    """An OPD (or the triage queue) of one kabupaten/kota."""

    __tablename__ = "agencies"
    __table_args__ = (UniqueConstraint("region_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"))
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    is_triage: Mapped[bool] = mapped_column(Boolean, default=False)
    lapor_institution_id: Mapped[str | None] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    region: Mapped[Region] = relationship()


class User(Base):
    """A person who logs in: officer, regional admin, coordinator or system admin."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(24))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    is_agency_head: Mapped[bool] = mapped_column(Boolean, default=False)
    email: Mapped[str | None] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]

    agency: Mapped[Agency | None] = relationship()
    region: Mapped[Region | None] = relationship()


class Complaint(Base):
    """One citizen complaint. The reporter's contact lives in :class:`ReporterContact`.

    ``version`` is bumped by every ORM update (optimistic locking: a stale page or a
    concurrent writer cannot overwrite a newer state). The ``*_at`` workflow columns
    are the SLA timeline; ``sla_stage``/``sla_due_at`` hold the current clock so
    overdue lists are index scans, and ``escalation_level`` what the SLA job has
    already escalated.
    """

    __tablename__ = "complaints"
    __table_args__ = (
        Index("ix_complaints_agency_status_created", "agency_id", "status", "created_at"),
        Index("ix_complaints_region_created_id", "region_id", "created_at", "id"),
        Index("ix_complaints_agency_sla_due", "agency_id", "sla_due_at"),
        Index("ix_complaints_status_sla_due", "status", "sla_due_at"),
        Index("ix_complaints_updated_at", "updated_at"),
        Index("ix_complaints_lon_lat_id", "lon", "lat", "id", postgresql_include=[  # maps
            "is_secret", "is_anonymous", "member_id", "status", "category", "village_id"]),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    tracking_number: Mapped[str] = mapped_column(String(16), unique=True)
    reporter_key_hash: Mapped[str] = mapped_column(String(64))
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    channel: Mapped[str] = mapped_column(String(16))
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"))
    village_id: Mapped[int | None] = mapped_column(ForeignKey("villages.id"))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    is_anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    is_secret: Mapped[bool] = mapped_column(Boolean, default=False)
    predicted_agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    confidence: Mapped[float | None] = mapped_column(Float)
    model_version: Mapped[str | None] = mapped_column(String(64))
    predictions: Mapped[list | None] = mapped_column(JSON)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    category: Mapped[str | None] = mapped_column(String(48))  # domain.categories code
    # How intake routed it: the resident's pick, the model's first suggestion, the path
    # (domain.routing reasons) — so the suggestions' quality is measured in production.
    resident_category: Mapped[str | None] = mapped_column(String(48))
    suggested_category: Mapped[str | None] = mapped_column(String(48))
    route_reason: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(24), default=Status.SUBMITTED.value)
    lapor_id: Mapped[str | None] = mapped_column(String(32), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    claimed_at: Mapped[datetime | None]
    disposed_at: Mapped[datetime | None]
    first_disposed_at: Mapped[datetime | None]
    first_response_at: Mapped[datetime | None]
    last_response_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    pauses: Mapped[list] = mapped_column(JSON, default=list)
    sla_stage: Mapped[str | None] = mapped_column(String(24))
    sla_due_at: Mapped[datetime | None]
    escalation_level: Mapped[int] = mapped_column(Integer, default=0)
    personal_data_erased_at: Mapped[datetime | None]
    # Set at a provincial instance for a member's complaint (read-only here, de-identified).
    member_id: Mapped[int | None] = mapped_column(ForeignKey("federation_members.id"))

    __mapper_args__ = {"version_id_col": version}

    region: Mapped[Region] = relationship()
    claimed_by: Mapped[User | None] = relationship()
    district: Mapped[District | None] = relationship()
    village: Mapped[Village | None] = relationship()
    agency: Mapped[Agency] = relationship(foreign_keys=[agency_id])
    predicted_agency: Mapped[Agency | None] = relationship(foreign_keys=[predicted_agency_id])
    events: Mapped[list[ComplaintEvent]] = relationship(
        back_populates="complaint", order_by="ComplaintEvent.id"
    )
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="complaint", order_by="Attachment.id"
    )
    contact: Mapped[ReporterContact | None] = relationship(back_populates="complaint")


class ReporterContact(Base):
    """How to reach a complaint's reporter, kept apart from the text; erasable."""

    __tablename__ = "reporter_contacts"

    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(254))
    telegram_chat_id: Mapped[int | None] = mapped_column(BigInteger)

    complaint: Mapped[Complaint] = relationship(back_populates="contact")


class ComplaintEvent(Base):
    """One entry of a complaint's append-only history."""

    __tablename__ = "complaint_events"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    actor_type: Mapped[str] = mapped_column(String(16))  # resident | officer | system | lapor
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_label: Mapped[str | None] = mapped_column(String(120))
    from_status: Mapped[str | None] = mapped_column(String(24))
    to_status: Mapped[str | None] = mapped_column(String(24))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    note: Mapped[str | None] = mapped_column(Text)
    is_internal: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    complaint: Mapped[Complaint] = relationship(back_populates="events")
    agency: Mapped[Agency | None] = relationship()


class Attachment(Base):
    """A file kept on disk under the upload folder; metadata here."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("complaint_events.id"))
    original_name: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    content_type: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    complaint: Mapped[Complaint] = relationship(back_populates="attachments")


class OutboxMessage(Base):
    """A change that SP4N-LAPOR! must learn about, written with the change itself."""

    __tablename__ = "lapor_outbox"
    __table_args__ = (Index("ix_lapor_outbox_state_next", "state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24))  # create | followup | transfer | resolve
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    payload: Mapped[dict] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    lapor_ref: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    complaint: Mapped[Complaint] = relationship()


class Subscriber(Base):
    """A Telegram chat that follows a complaint (its reporter, or a resident who joined it)."""

    __tablename__ = "complaint_subscribers"
    __table_args__ = (UniqueConstraint("complaint_id", "chat_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Notification(Base):
    """One message owed to a resident about one event; the unique key makes it exactly one."""

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("event_id", "channel", "recipient"),
        Index("ix_notifications_state_next", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("complaint_events.id"))
    channel: Mapped[str] = mapped_column(String(16))  # telegram | email
    recipient: Mapped[str] = mapped_column(String(254))
    state: Mapped[str] = mapped_column(String(16), default="pending")  # pending | sent | dead
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]

    event: Mapped[ComplaintEvent] = relationship()


class ResponseTemplate(Base):
    """A canned follow-up text of one agency, which its officers may edit."""

    __tablename__ = "response_templates"
    __table_args__ = (UniqueConstraint("agency_id", "title"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    agency: Mapped[Agency] = relationship()


class RoutingCorrection(Base):
    """A person's choice of category (or, in older rows, of agency) for a complaint: a
    training label for the classifier."""

    __tablename__ = "routing_corrections"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    predicted_label: Mapped[str | None] = mapped_column(String(32))
    corrected_label: Mapped[str] = mapped_column(String(32))
    label_kind: Mapped[str] = mapped_column(String(16), default="agency")  # or "category"
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class StaffAlert(Base):
    """An escalation message to one staff member about one overdue complaint."""

    __tablename__ = "staff_alerts"
    __table_args__ = (
        UniqueConstraint("complaint_id", "user_id", "level", "due_at"),
        Index("ix_staff_alerts_user_created", "user_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    level: Mapped[int] = mapped_column(Integer)
    stage: Mapped[str] = mapped_column(String(24))
    due_at: Mapped[datetime]
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    seen_at: Mapped[datetime | None]

    complaint: Mapped[Complaint] = relationship()


class RoutingRule(Base):
    """One line of a region's routing table: complaints of ``category`` go to ``agency``."""

    __tablename__ = "routing_rules"
    __table_args__ = (UniqueConstraint("region_id", "category"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"))
    category: Mapped[str] = mapped_column(String(48))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    agency: Mapped[Agency] = relationship()


class RoutingRuleChange(Base):
    """The audit trail of a region's routing table: who moved which category where."""

    __tablename__ = "routing_rule_changes"
    __table_args__ = (Index("ix_routing_rule_changes_region_created", "region_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"))
    category: Mapped[str] = mapped_column(String(48))
    old_agency_code: Mapped[str | None] = mapped_column(String(32))
    new_agency_code: Mapped[str | None] = mapped_column(String(32))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    source: Mapped[str] = mapped_column(String(16))  # page | csv | seed | migration
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User | None] = relationship()
