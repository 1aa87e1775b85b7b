"""Where a complaint would go, shown to the resident before they confirm."""

from __future__ import annotations

from dataclasses import dataclass

from lapor_bridge.services.context import ServiceContext
from lapor_bridge.services.errors import ValidationFailed
from lapor_bridge.services.intake.routing import model_scores, route


@dataclass(frozen=True)
class Destination:
    """The agency intake would pick (or the triage queue)."""

    agency_code: str
    agency_name: str
    to_triage: bool


def predict_destination(
    ctx: ServiceContext, title: str, description: str, region_code: str | None = None,
    category: str | None = None,
) -> Destination | None:
    """Apply the same model, routing table and rule as intake (with the resident's
    ``category`` when chosen); ``None`` when the region is unknown or has no triage queue."""
    place = ctx.places.find(ctx.engine, region_code or ctx.settings.app.region_code, None, None)
    if place is None:
        return None
    scores = model_scores(ctx, f"{title.strip()}\n{description.strip()}")
    try:
        decision = route(ctx, place, scores, category)
    except ValidationFailed:  # no triage queue here
        return None
    agency = place.agencies[decision.agency_code]
    return Destination(agency.code, agency.name, decision.to_triage)
