"""The routing decision: the resident's category, or the model's, through the region's
routing table (category → agency) to an agency — or to triage.

Three paths, in this order:

1. the resident confirmed a category: its agency in the region's table
   (``resident_category``; a category the table does not map goes to triage,
   ``no_agency_for_category``);
2. a category model: the category probabilities are summed per agency of the table
   and the best agency is taken when its sum reaches the threshold
   (``model_category``), else triage (``low_confidence``);
3. an older model whose labels are agency codes: its best agency when it exists here
   and is confident enough (``legacy_agency_model``).

"Lainnya / tidak tahu" is no pick: the model decides. No model at all: triage.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from lapor_bridge.domain.categories import OTHER

TRIAGE = "TRIAGE"

RESIDENT_CATEGORY = "resident_category"
NO_AGENCY_FOR_CATEGORY = "no_agency_for_category"
MODEL_CATEGORY = "model_category"
LEGACY_AGENCY_MODEL = "legacy_agency_model"
LOW_CONFIDENCE = "low_confidence"
NO_SUCH_AGENCY = "no_such_agency"
NO_MODEL = "no_model"
LAPOR_DISPOSITION = "lapor_disposition"

CATEGORY_TARGET = "category"
AGENCY_TARGET = "agency"

# The usual split of the demo agency codes (a Kota Tegal-like kota): what seed-demo and
# the upgrade of an existing database start a region's table from, where the region
# has an agency of that code. Categories missing here go to triage until the regional
# admin maps them.
STANDARD_TABLE: dict[str, str] = {
    "jalan": "PUPR", "drainase": "PUPR", "banjir": "PUPR", "utilitas": "PUPR",
    "pju": "DISHUB", "lalu_lintas": "DISHUB", "parkir": "DISHUB", "angkutan_umum": "DISHUB",
    "sampah": "DLH", "pohon": "DLH", "taman": "DLH", "pencemaran": "DLH", "pemakaman": "DLH",
    "air_pdam": "PDAM", "tagihan_air": "PDAM",
    "bansos": "DINSOS", "bpjs": "DINSOS", "pmks": "DINSOS",
    "ktp_el": "DISDUKCAPIL", "kk_akta": "DISDUKCAPIL", "adminduk": "DISDUKCAPIL",
    "puskesmas": "DINKES", "rumah_sakit": "DINKES", "penyakit": "DINKES",
    "ppdb": "DISDIK", "pungutan_sekolah": "DISDIK", "sekolah": "DISDIK",
    "bantuan_siswa": "DISDIK", "beasiswa": "DISDIK", "olahraga_budaya": "DISDIK",
    "pkl": "SATPOLPP", "bangunan_liar": "SATPOLPP", "ketertiban": "SATPOLPP",
    "perizinan": "DPMPTSP", "izin_bangunan": "DPMPTSP",
}


@dataclass(frozen=True)
class RoutingDecision:
    """Where a complaint goes, and why.

    ``predicted_code``/``confidence``: the model's best agency and its probability
    (None without a model); ``top``: the model's three best labels; ``category``: the
    category the complaint is filed under (the resident's, or the model's when the
    model routed it); ``suggested_category``: the model's first category other than
    ``lainnya`` (the first suggestion a resident is shown).
    """

    agency_code: str
    predicted_code: str | None
    confidence: float | None
    top: tuple[tuple[str, float], ...]
    reason: str
    category: str | None = None
    suggested_category: str | None = None

    @property
    def to_triage(self) -> bool:
        """True when a person must pick the agency."""
        return self.agency_code == TRIAGE


def agency_scores(scores: Mapping[str, float], table: Mapping[str, str],
                  agency_codes: Collection[str]) -> dict[str, float]:
    """Category probabilities summed per agency of ``table`` (only ``agency_codes``);
    categories without an agency here add to no one."""
    summed: dict[str, float] = {}
    for category, score in scores.items():
        agency = table.get(category)
        if agency in agency_codes:
            summed[agency] = summed.get(agency, 0.0) + score
    return summed


def decide(
    scores: Mapping[str, float],
    threshold: float,
    agency_codes: Collection[str],
    *,
    table: Mapping[str, str] | None = None,
    pick: str | None = None,
    target: str = CATEGORY_TARGET,
) -> RoutingDecision:
    """Route a complaint (see the module docstring for the paths).

    ``scores`` are the model's probabilities per label (empty: no model), ``target``
    what its labels are; ``agency_codes`` the region's active agencies (triage
    excluded); ``table`` its routing table; ``pick`` the category the resident
    confirmed, if any.
    """
    ranked = sorted(((label, float(score)) for label, score in scores.items()),
                    key=lambda item: item[1], reverse=True)
    top = tuple(ranked[:3])
    table = table or {}
    if target == AGENCY_TARGET:
        decision = _by_agency_model(top, threshold, agency_codes)
        return _with_pick(decision, pick, table, agency_codes, suggested=None)
    suggested = next((label for label, _ in ranked if label != OTHER), None)
    summed = agency_scores(scores, table, agency_codes)
    best = max(summed.items(), key=lambda item: item[1], default=(None, None))
    decision = _by_category_model(top, best, threshold, ranked, table, suggested)
    return _with_pick(decision, pick, table, agency_codes, suggested)


def _by_category_model(top, best, threshold, ranked, table, suggested) -> RoutingDecision:
    agency, score = best
    if not top:
        return RoutingDecision(TRIAGE, None, None, top, NO_MODEL, None, None)
    if agency is None or score < threshold:
        return RoutingDecision(TRIAGE, agency, score, top, LOW_CONFIDENCE, None, suggested)
    category = next(label for label, _ in ranked if table.get(label) == agency)
    return RoutingDecision(agency, agency, score, top, MODEL_CATEGORY, category, suggested)


def _by_agency_model(top, threshold, agency_codes) -> RoutingDecision:
    if not top:
        return RoutingDecision(TRIAGE, None, None, top, NO_MODEL)
    label, score = top[0]
    if label not in agency_codes:
        return RoutingDecision(TRIAGE, label, score, top, NO_SUCH_AGENCY)
    if score < threshold:
        return RoutingDecision(TRIAGE, label, score, top, LOW_CONFIDENCE)
    return RoutingDecision(label, label, score, top, LEGACY_AGENCY_MODEL)


def _with_pick(decision: RoutingDecision, pick, table, agency_codes,
               suggested) -> RoutingDecision:
    """The resident's confirmed category, when there is one, overrides the model."""
    if not pick or pick == OTHER:
        return decision
    agency = table.get(pick)
    if agency not in agency_codes:
        return RoutingDecision(TRIAGE, decision.predicted_code, decision.confidence,
                               decision.top, NO_AGENCY_FOR_CATEGORY, pick, suggested)
    return RoutingDecision(agency, decision.predicted_code, decision.confidence, decision.top,
                           RESIDENT_CATEGORY, pick, suggested)
