"""Escalation alerts addressed to one staff member (written by the SLA watch)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from lapor_bridge.db.models import Complaint, StaffAlert
from lapor_bridge.services.accounts import Principal
from lapor_bridge.services.context import ServiceContext


@dataclass(frozen=True)
class AlertItem:
    """One alert: which complaint, how far escalated, what it says."""

    tracking_number: str
    level: int
    message: str
    created_at: datetime


def alerts_for(ctx: ServiceContext, principal: Principal, limit: int = 10) -> list[AlertItem]:
    """The person's newest alerts about complaints that are still open."""
    with ctx.read() as session:
        rows = session.execute(
            select(StaffAlert, Complaint.tracking_number)
            .join(Complaint, Complaint.id == StaffAlert.complaint_id)
            .where(StaffAlert.user_id == principal.user_id, Complaint.closed_at.is_(None))
            .order_by(StaffAlert.created_at.desc(), StaffAlert.id.desc())
            .limit(limit)
        )
        return [AlertItem(number, alert.level, alert.message, alert.created_at)
                for alert, number in rows]
