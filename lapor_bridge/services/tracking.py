"""The public view of a complaint, by tracking number: never the reporter, never secrets.

What the public sees of the history: each event's label, time, status and agency,
and the *agency's* words to the resident (follow-ups, questions, archive and
reject reasons). Never internal notes or escalations, never officers' names (the
agency answers, not a person: officers are protected from harassment), never the
reasons for a transfer between agencies. For a ``rahasia`` complaint those words
and the reporter's own replies are shown only with the reporter's key.
"""

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
from lapor_bridge.services.intake.submit import hash_reporter_key, normalize_tracking_number
from lapor_bridge.services.scope import local_only
from lapor_bridge.translations import N_

EVENT_LABELS = {
    "submitted": N_("Laporan diterima"),
    "disposed": N_("Diteruskan ke instansi"),
    "triage": N_("Menunggu verifikasi admin"),
    "verified": N_("Laporan terverifikasi"),
    "claimed": N_("Sedang ditangani instansi"),
    "responded": N_("Tindak lanjut dari instansi"),
    "info_requested": N_("Instansi meminta keterangan tambahan"),
    "reporter_replied": N_("Pelapor memberi tanggapan"),
    "transferred": N_("Dialihkan ke instansi lain (bukan wewenang)"),
    "resolved": N_("Laporan selesai"),
    "auto_closed": N_("Selesai otomatis (tidak ada tanggapan pelapor)"),
    "reopened": N_("Laporan dibuka kembali"),
    "archived": N_("Laporan diarsipkan"),
    "rejected": N_("Laporan ditolak"),
}
# Events whose note is the agency speaking to the resident.
PUBLIC_NOTE_KINDS = frozenset(
    {"responded", "info_requested", "resolved", "archived", "rejected", "auto_closed"}
)


@dataclass(frozen=True)
class PublicEvent:
    """One history entry as the public may see it."""

    at: datetime
    label: str
    status: Status | None
    agency_name: str | None
    kind: str = ""
    note: str | None = None


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
    """Look a complaint up; a ``rahasia`` one shows its text only with the reporter's key.

    A federation member's complaint held here is not found: its own instance shows it."""
    number = normalize_tracking_number(tracking_number)
    with ctx.read() as session:
        complaint = session.scalar(
            select(Complaint)
            .where(Complaint.tracking_number == number, local_only())
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
                kind=event.kind,
                note=_public_note(event, show_text, is_reporter),
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


def _public_note(event: ComplaintEvent, show_text: bool, is_reporter: bool) -> str | None:
    if event.kind in PUBLIC_NOTE_KINDS and show_text:
        return event.note
    if event.kind == "reporter_replied" and is_reporter:
        return event.note
    return None
