"""Where a complaint would go, shown to the resident before they confirm."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select

from lapor_bridge.db.models import Agency, Region
from lapor_bridge.domain.routing import TRIAGE, decide
from lapor_bridge.services.context import ServiceContext

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Destination:
    """The agency the routing model picks (or the triage queue)."""

    agency_code: str
    agency_name: str
    to_triage: bool


def predict_destination(
    ctx: ServiceContext, title: str, description: str, region_code: str | None = None
) -> Destination | None:
    """Apply the same model and rule as intake; ``None`` when the region has no triage queue."""
    top: list[tuple[str, float]] = []
    if ctx.classifier is not None:
        try:
            top = ctx.classifier.predict([f"{title.strip()}\n{description.strip()}"], k=3)[0]
        except Exception:  # a broken model only means "triage", as in intake
            log.exception("classification failed in preview")
    with ctx.read() as session:
        agencies = {
            agency.code: agency for agency in session.scalars(
                select(Agency).join(Region, Region.id == Agency.region_id).where(
                    Region.code == (region_code or ctx.settings.app.region_code),
                    Agency.active.is_(True),
                )
            )
        }
    if TRIAGE not in agencies:
        return None
    routable = {code for code, agency in agencies.items() if not agency.is_triage}
    decision = decide(top, ctx.settings.classifier.threshold, routable)
    agency = agencies[decision.agency_code]
    return Destination(agency.code, agency.name, decision.to_triage)
