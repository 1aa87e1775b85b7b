"""Pre-computed figures for the coordinator dashboards, refreshed by ``jobs.stats``.

``complaint_metrics`` holds one narrow row per complaint: its place in the scope
(region, agency, category), the local days it arrived and closed, its durations in
working days and how each SLA stage went. Dashboards aggregate these rows instead
of replaying histories, so percentiles are one ``percentile_cont`` on PostgreSQL.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, Date, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from lapor_bridge.db.models import Base


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
