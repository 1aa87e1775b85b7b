"""Routing corrections: every category (or agency) a person chose for a complaint, as
training labels.

A category model learns from ``category`` labels: an officer's category change, or a
re-route whose target agency takes exactly one category in the region's table. A
re-route that names no category is kept as an ``agency`` label, which only an older
agency model can learn from.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lapor_bridge.db.models import Agency, Complaint, RoutingCorrection
from lapor_bridge.domain.routing import AGENCY_TARGET, CATEGORY_TARGET
from lapor_bridge.services.context import ServiceContext
from lapor_bridge.services.intake.routing_table import table_of


def record_category(session: Session, complaint: Complaint, category: str,
                    officer_id: int | None, now: datetime) -> RoutingCorrection:
    """Remember that a person filed ``complaint`` under ``category``."""
    return _record(session, complaint, CATEGORY_TARGET, complaint.suggested_category,
                   category, officer_id, now)


def record_reroute(session: Session, complaint: Complaint, agency: Agency,
                   officer_id: int | None, now: datetime) -> RoutingCorrection:
    """Remember that a person sent ``complaint`` to ``agency``, and file it under the
    category that agency takes for it: its current one when the region's table sends
    that category there, else the agency's only category, else none (the receiving
    officer picks one; the label is then the agency)."""
    table = table_of(session, complaint.region_id)
    if table.get(complaint.category or "") != agency.code:
        only = [category for category, code in table.items() if code == agency.code]
        complaint.category = only[0] if len(only) == 1 else None
    if complaint.category:
        return record_category(session, complaint, complaint.category, officer_id, now)
    predicted = (session.scalar(select(Agency.code).where(
        Agency.id == complaint.predicted_agency_id))
        if complaint.predicted_agency_id is not None else None)
    return _record(session, complaint, AGENCY_TARGET, predicted, agency.code, officer_id, now)


def _record(session, complaint, kind, predicted, corrected, officer_id, now):
    correction = RoutingCorrection(
        complaint_id=complaint.id, text=f"{complaint.title}\n{complaint.description}",
        predicted_label=predicted, corrected_label=corrected, label_kind=kind,
        officer_id=officer_id, created_at=now,
    )
    session.add(correction)
    return correction


def routing_corrections(ctx: ServiceContext, kind: str = CATEGORY_TARGET
                        ) -> list[tuple[str, str]]:
    """(text, label) pairs of one kind for retraining: each complaint's latest
    correction of that kind."""
    latest = (
        select(func.max(RoutingCorrection.id))
        .where(RoutingCorrection.label_kind == kind)
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
