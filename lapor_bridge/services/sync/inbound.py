"""``import_disposed``: reports filed at LAPOR! and disposed to one of our instansi come in.

For every instansi mapped to a local agency, the reports currently disposed to it
are listed; each open one we do not know yet (no link, no local complaint with its
id, not carrying our own marker) goes through intake with ``channel="lapor"``: a
report at the Pemkot-level instansi (the triage agency's) is classified and routed,
one at an OPD's instansi goes to that OPD. ``Complaint.lapor_id`` is unique, so a
report is imported once however often this runs; the link (and with it polling and
pushing its follow-ups back) is created right after, and repaired on the next run
if the process died in between.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from lapor_bridge.db.models import Agency, Complaint, Region
from lapor_bridge.db.models_sync import LaporLink
from lapor_bridge.lapor import LaporClient, LaporComplaint
from lapor_bridge.lapor.mapping import DALAM_PROSES, TERVERIFIKASI
from lapor_bridge.services.context import ServiceContext
from lapor_bridge.services.errors import ValidationFailed
from lapor_bridge.services.intake.submit import (
    DESCRIPTION_LIMITS,
    TITLE_LIMITS,
    ComplaintInput,
    submit_complaint,
)

log = logging.getLogger(__name__)

OPEN_NAMES = frozenset({TERVERIFIKASI, DALAM_PROSES})


@dataclass
class InboundResult:
    """Totals of one import run."""

    listed: int = 0
    imported: int = 0
    repaired: int = 0
    refused: dict[str, str] = field(default_factory=dict)


def import_disposed(
    ctx: ServiceContext, client_factory: Callable[[], LaporClient] | None = None
) -> InboundResult:
    """Import the open national reports disposed to our instansi that are new to us."""
    result = InboundResult(repaired=repair_links(ctx))
    targets = _mapped_agencies(ctx)
    with ctx.read() as session:
        known = {int(value) for value in session.scalars(
            select(Complaint.lapor_id).where(Complaint.lapor_id.is_not(None)))
            if value.isdigit()}
    factory = client_factory or (lambda: LaporClient(ctx.settings.lapor))
    with factory() as client:
        for institution_id, (agency_code, is_triage, region_code) in targets.items():
            for report in client.list_disposed_to(institution_id):
                result.listed += 1
                if (report.id in known or report.idempotency_key is not None
                        or report.status_name not in OPEN_NAMES):
                    continue
                data = inbound_input(report, None if is_triage else agency_code, region_code)
                try:
                    submit_complaint(ctx, data)
                except IntegrityError:  # imported meanwhile (Complaint.lapor_id is unique)
                    continue
                except ValidationFailed as exc:
                    result.refused[str(report.id)] = str(exc)
                    log.warning("LAPOR! report #%s not imported: %s", report.id, exc)
                    continue
                known.add(report.id)
                result.imported += 1
    result.repaired += repair_links(ctx)
    return result


def inbound_input(report: LaporComplaint, agency_code: str | None,
                  region_code: str) -> ComplaintInput:
    """Intake input for a national report, fitted into intake's length limits."""
    reference = f"SP4N-LAPOR! #{report.id}"
    title = " ".join(report.title.split())[: TITLE_LIMITS[1]]
    if len(title) < TITLE_LIMITS[0]:
        title = f"Laporan {reference}"
    description = report.content.strip()[: DESCRIPTION_LIMITS[1]]
    if len(description) < DESCRIPTION_LIMITS[0]:
        description = f"{description} ({reference})".strip()
    return ComplaintInput(
        title=title, description=description, kecamatan="", kelurahan="", channel="lapor",
        anonim=report.is_anonymous, rahasia=report.is_secret, region_code=region_code,
        lapor_id=str(report.id), agency_code=agency_code,
    )


def repair_links(ctx: ServiceContext) -> int:
    """Link imported complaints that have none yet (a crash after intake); return how many."""
    with ctx.transaction() as session:
        orphans = session.execute(
            select(Complaint.id, Complaint.lapor_id, Complaint.created_at)
            .outerjoin(LaporLink, LaporLink.complaint_id == Complaint.id)
            .where(Complaint.channel == "lapor", Complaint.lapor_id.is_not(None),
                   LaporLink.id.is_(None))
        ).all()
        now = ctx.clock()
        for complaint_id, lapor_id, _created in orphans:
            session.add(LaporLink(complaint_id=complaint_id, lapor_id=int(lapor_id),
                                  origin="inbound", next_poll_at=now, created_at=now))
        return len(orphans)


def _mapped_agencies(ctx: ServiceContext) -> dict[int, tuple[str, bool, str]]:
    """Instansi id → (agency code, is triage, region code) for active mapped agencies."""
    with ctx.read() as session:
        rows = session.execute(
            select(Agency.lapor_institution_id, Agency.code, Agency.is_triage, Region.code)
            .join(Region, Region.id == Agency.region_id)
            .where(Agency.active.is_(True), Agency.lapor_institution_id.is_not(None))
            .order_by(Agency.id)
        ).all()
    targets: dict[int, tuple[str, bool, str]] = {}
    for institution, code, is_triage, region_code in rows:
        if institution.strip().isdigit():
            targets.setdefault(int(institution), (code, is_triage, region_code))
    return targets
