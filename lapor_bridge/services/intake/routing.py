"""Intake's routing: the model's scores for a text, the suggestions a resident sees, and
the decision among a place's agencies through the region's routing table."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from lapor_bridge.domain import categories
from lapor_bridge.domain.routing import (
    CATEGORY_TARGET,
    LAPOR_DISPOSITION,
    RoutingDecision,
    decide,
)
from lapor_bridge.services.context import ServiceContext
from lapor_bridge.services.errors import ValidationFailed
from lapor_bridge.services.intake.store import Place
from lapor_bridge.translations import Message

log = logging.getLogger(__name__)

# What a suggestion request may carry: a title and a description at their limits.
SUGGEST_TEXT_LIMIT = 5200


@dataclass(frozen=True)
class Scores:
    """The model's probability per label for one text, and what its labels are."""

    by_label: dict[str, float]
    target: str

    @property
    def categories(self) -> bool:
        """True when the labels are service categories (not an older agency model)."""
        return self.target == CATEGORY_TARGET


NO_SCORES = Scores({}, CATEGORY_TARGET)


def model_scores(ctx: ServiceContext, text: str) -> Scores:
    """Every label's probability for ``text`` (none without a model, or when it fails:
    a broken model must not lose a complaint — triage takes it)."""
    classifier = ctx.classifier
    if classifier is None:
        return NO_SCORES
    try:
        ranked = classifier.predict([text], k=len(classifier.labels))[0]
    except Exception:
        log.exception("classification failed; routing to triage")
        return NO_SCORES
    return Scores(dict(ranked), classifier.target)


@dataclass(frozen=True)
class Suggestion:
    """A category offered to the resident, best first."""

    code: str
    name: str
    name_en: str
    probability: float


def suggest_categories(ctx: ServiceContext, text: str, k: int = 3) -> list[Suggestion]:
    """The ``k`` likeliest categories for what the resident has typed so far (none without
    a category model); ``lainnya`` is never suggested, it is always offered anyway.
    Raises ValidationFailed for an empty or over-long text."""
    text = (text or "").strip()
    if not text:
        raise ValidationFailed({"text": Message("Teks keluhan kosong.")})
    if len(text) > SUGGEST_TEXT_LIMIT:
        raise ValidationFailed({"text": Message(
            "Teks terlalu panjang (maksimal {high} karakter).", high=SUGGEST_TEXT_LIMIT)})
    scores = model_scores(ctx, text)
    if not scores.categories:
        return []
    ranked = sorted(scores.by_label.items(), key=lambda item: item[1], reverse=True)
    found = []
    for code, probability in ranked:
        category = categories.get(code)
        if category is None or code == categories.OTHER:
            continue
        found.append(Suggestion(code, category.name, category.name_en, round(probability, 4)))
        if len(found) == k:
            break
    return found


def route(ctx: ServiceContext, place: Place, scores: Scores, pick: str | None,
          lapor_agency: str | None = None) -> RoutingDecision:
    """Decide among the place's active agencies (a LAPOR! disposition wins)."""
    if not any(agency.is_triage for agency in place.agencies.values()):
        raise ValidationFailed({"region": Message(
            "Wilayah {region} belum punya antrean verifikasi.", region=place.region_name)})
    routable = {code for code, agency in place.agencies.items() if not agency.is_triage}
    decision = decide(scores.by_label, ctx.settings.classifier.threshold, routable,
                      table=place.routing, pick=pick,
                      target=scores.target if scores.by_label else CATEGORY_TARGET)
    if lapor_agency in routable:
        return RoutingDecision(lapor_agency, decision.predicted_code, decision.confidence,
                               decision.top, LAPOR_DISPOSITION, decision.category,
                               decision.suggested_category)
    return decision
