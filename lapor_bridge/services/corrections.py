"""Routing corrections: every agency a person chose for a complaint, as training labels."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lapor_bridge.db.models import Agency, Complaint, RoutingCorrection
from lapor_bridge.services.context import ServiceContext


def record_correction(session: Session, complaint: Complaint, corrected_label: str,
                      officer_id: int | None, now: datetime) -> RoutingCorrection:
    """Remember that a person sent ``complaint`` to ``corrected_label`` (an agency code)."""
    predicted = (
        session.scalar(select(Agency.code).where(Agency.id == complaint.predicted_agency_id))
        if complaint.predicted_agency_id is not None
        else None
    )
    correction = RoutingCorrection(
        complaint_id=complaint.id, text=f"{complaint.title}\n{complaint.description}",
        predicted_label=predicted or (complaint.predictions or [[None]])[0][0],
        corrected_label=corrected_label, officer_id=officer_id, created_at=now,
    )
    session.add(correction)
    return correction


def routing_corrections(ctx: ServiceContext) -> list[tuple[str, str]]:
    """(text, agency code) pairs for retraining: the latest correction of each complaint."""
    latest = (
        select(func.max(RoutingCorrection.id))
        .group_by(RoutingCorrection.complaint_id)
        .scalar_subquery()
    )
    with ctx.read() as session:
        rows = session.execute(
            select(RoutingCorrection.text, RoutingCorrection.corrected_label)
            .where(RoutingCorrection.id.in_(latest))
            .order_by(RoutingCorrection.id)
        )
        return [(text, label) for text, label in rows]
