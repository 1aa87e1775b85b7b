"""Pre-computed figures for the dashboards: complaint metrics, their monthly cells and
stored alignment reports.

``complaint_metrics`` holds one narrow row per complaint: its place in the scope
(region, agency, category), the local days it arrived and closed, its durations in
working days and how each SLA stage went. ``complaint_cells`` packs those rows per
(kab/kota, month, agency, category) for the overview and league pages (see
:mod:`lapor_bridge.services.dashboards.cells`).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from lapor_bridge.db.models import Base, utcnow

# Rows whose figures can change with time alone (overdue, a stage's due time passing).
LIVE_ROWS = ("is_open OR dispose_due_at IS NOT NULL OR response_due_at IS NOT NULL"
             " OR completion_due_at IS NOT NULL")


class ComplaintMetrics(Base):
    """One complaint as the dashboards count it (derived; rebuilt from ``complaints``).

    ``received_on``/``closed_on`` are WIB dates. ``first_response_days`` runs from
    submission to the first follow-up by any agency, ``resolution_days`` from
    submission to a resolved/auto-closed end, both in working days minus the waits
    for the reporter. Per SLA stage, ``*_met`` is True/False once the stage is done
    and NULL while open; ``*_due_at`` then says when an open stage becomes a breach
    (NULL while its clock is paused).
    """

    __tablename__ = "complaint_metrics"
    __table_args__ = (
        Index("ix_complaint_metrics_region_received", "region_id", "received_on"),
        Index("ix_complaint_metrics_agency_received", "agency_id", "received_on"),
        Index("ix_complaint_metrics_region_closed", "region_id", "closed_on"),
        Index("ix_complaint_metrics_live", "region_id", "received_on",
              postgresql_where=text(LIVE_ROWS), sqlite_where=text(LIVE_ROWS)),
    )

    complaint_id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), ForeignKey("complaints.id"),
        primary_key=True, autoincrement=False)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    category: Mapped[str] = mapped_column(String(48), default="")
    status: Mapped[str] = mapped_column(String(24))
    is_open: Mapped[bool] = mapped_column(Boolean)
    resolved: Mapped[bool] = mapped_column(Boolean)
    rerouted: Mapped[bool] = mapped_column(Boolean)
    triaged: Mapped[bool] = mapped_column(Boolean)
    received_on: Mapped[date] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    sla_due_at: Mapped[datetime | None]
    first_response_days: Mapped[float | None] = mapped_column(Float)
    resolution_days: Mapped[float | None] = mapped_column(Float)
    dispose_met: Mapped[bool | None] = mapped_column(Boolean)
    dispose_due_at: Mapped[datetime | None]
    response_met: Mapped[bool | None] = mapped_column(Boolean)
    response_due_at: Mapped[datetime | None]
    completion_met: Mapped[bool | None] = mapped_column(Boolean)
    completion_due_at: Mapped[datetime | None]


class ComplaintCell(Base):
    """The ``complaint_metrics`` rows of one kab/kota and month, packed (layouts:
    ``services.dashboards.cells``): ``records`` per complaint received in ``month``,
    ``closings`` per complaint closed in it, ``totals`` per (agency, category);
    categories are stored as indexes into ``categories``."""

    __tablename__ = "complaint_cells"

    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), primary_key=True)
    month: Mapped[date] = mapped_column(Date, primary_key=True)
    categories: Mapped[list] = mapped_column(JSON)
    records: Mapped[bytes] = mapped_column(LargeBinary)
    closings: Mapped[bytes] = mapped_column(LargeBinary)
    totals: Mapped[bytes] = mapped_column(LargeBinary)


class StatsWatermark(Base):
    """How far an incremental refresh has read, and when it ran.

    Rows updated at or after ``seen_until`` (less a safety overlap) and rows with
    an id above ``last_id`` are read again on the next run.
    """

    __tablename__ = "stats_watermarks"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    seen_until: Mapped[datetime]
    last_id: Mapped[int] = mapped_column(BigInteger, default=0)
    refreshed_at: Mapped[datetime]


class AlignmentReport(Base):
    """One run of the LAPOR! alignment report (``services.alignment``), for the health pages.

    ``regions`` maps a kab/kota id (as text) to ``{"linked": n, "drift": m}``;
    ``items`` holds the first differing complaints as the report lists them.
    """

    __tablename__ = "alignment_reports"
    __table_args__ = (Index("ix_alignment_reports_created_at", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    linked: Mapped[int] = mapped_column(Integer)
    drift: Mapped[int] = mapped_column(Integer)
    unlinked: Mapped[int] = mapped_column(Integer)
    reasons: Mapped[dict] = mapped_column(JSON)
    regions: Mapped[dict] = mapped_column(JSON)
    items: Mapped[list] = mapped_column(JSON)
