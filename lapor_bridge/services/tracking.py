"""The public view of a complaint, by tracking number: never the reporter, never secrets."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lapor_bridge.db.models import Complaint, ComplaintEvent
from lapor_bridge.domain.status import Status
from lapor_bridge.services.context import ServiceContext
from lapor_bridge.services.errors import NotFound
from lapor_bridge.services.intake import hash_reporter_key, normalize_tracking_number

EVENT_LABELS = {
    "submitted": "Laporan diterima",
    "disposed": "Diteruskan ke instansi",
    "triage": "Menunggu verifikasi admin",
}


@dataclass(frozen=True)
class PublicEvent:
    """One history entry as the public may see it."""

    at: datetime
    label: str
    status: Status | None
    agency_name: str | None


@dataclass(frozen=True)
class PublicView:
    """A complaint as shown on the tracking page and the public API."""

    tracking_number: str
    status: Status
    agency_code: str
    agency_name: str
    created_at: datetime
    updated_at: datetime
    is_secret: bool
    is_reporter: bool
    title: str | None
    description: str | None
    kecamatan: str | None
    kelurahan: str | None
    history: tuple[PublicEvent, ...]


def public_view(ctx: ServiceContext, tracking_number: str,
                reporter_key: str | None = None) -> PublicView:
    """Look a complaint up; a ``rahasia`` one shows its text only with the reporter's key."""
    number = normalize_tracking_number(tracking_number)
    with ctx.read() as session:
        complaint = session.scalar(
            select(Complaint)
            .where(Complaint.tracking_number == number)
            .options(
                selectinload(Complaint.events).selectinload(ComplaintEvent.agency),
                selectinload(Complaint.agency),
                selectinload(Complaint.district),
                selectinload(Complaint.village),
            )
        )
        if complaint is None:
            raise NotFound(f"Laporan {number} tidak ditemukan.")
        is_reporter = bool(reporter_key) and hmac.compare_digest(
            hash_reporter_key(reporter_key), complaint.reporter_key_hash
        )
        show_text = is_reporter or not complaint.is_secret
        history = tuple(
            PublicEvent(
                at=event.created_at,
                label=EVENT_LABELS.get(event.kind, event.kind),
                status=Status(event.to_status) if event.to_status else None,
                agency_name=event.agency.name if event.agency else None,
            )
            for event in complaint.events
            if not event.is_internal
        )
        return PublicView(
            tracking_number=complaint.tracking_number,
            status=Status(complaint.status),
            agency_code=complaint.agency.code,
            agency_name=complaint.agency.name,
            created_at=complaint.created_at,
            updated_at=complaint.updated_at,
            is_secret=complaint.is_secret,
            is_reporter=is_reporter,
            title=complaint.title if show_text else None,
            description=complaint.description if show_text else None,
            kecamatan=complaint.district.name if show_text and complaint.district else None,
            kelurahan=complaint.village.name if show_text and complaint.village else None,
            history=history,
        )
