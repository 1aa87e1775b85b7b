"""The routing decision: model prediction + confidence threshold → an agency or triage."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

TRIAGE = "TRIAGE"


@dataclass(frozen=True)
class RoutingDecision:
    """Where a complaint goes, and why."""

    agency_code: str
    predicted_code: str | None
    confidence: float | None
    top: tuple[tuple[str, float], ...]
    reason: str

    @property
    def to_triage(self) -> bool:
        """True when a person must pick the agency."""
        return self.agency_code == TRIAGE


def decide(
    top: Sequence[tuple[str, float]],
    threshold: float,
    agency_codes: Collection[str],
) -> RoutingDecision:
    """Route to the predicted agency when it exists here and is confident enough.

    ``top`` is the model's ranked (label, probability) list, best first; an empty
    list means no model was available. ``agency_codes`` are the active agencies of
    the complaint's region.
    """
    ranked = tuple((label, float(score)) for label, score in top)
    if not ranked:
        return RoutingDecision(TRIAGE, None, None, ranked, "no_model")
    label, score = ranked[0]
    if label not in agency_codes:
        return RoutingDecision(TRIAGE, label, score, ranked, "no_such_agency")
    if score < threshold:
        return RoutingDecision(TRIAGE, label, score, ranked, "low_confidence")
    return RoutingDecision(label, label, score, ranked, "confident")
