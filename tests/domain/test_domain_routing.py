"""The category list and the routing decision (pure Python)."""

import pytest

from lapor_bridge.domain import categories
from lapor_bridge.domain.routing import (
    LEGACY_AGENCY_MODEL,
    LOW_CONFIDENCE,
    MODEL_CATEGORY,
    NO_AGENCY_FOR_CATEGORY,
    NO_MODEL,
    NO_SUCH_AGENCY,
    RESIDENT_CATEGORY,
    STANDARD_TABLE,
    TRIAGE,
    agency_scores,
    decide,
)

AGENCIES = {"PUPR", "DISHUB", "DLH"}
TABLE = {"jalan": "PUPR", "drainase": "PUPR", "pju": "DISHUB", "sampah": "DLH"}


def test_the_list_is_one_of_30_to_50_named_grouped_categories_with_lainnya():
    codes = [category.code for category in categories.CATEGORIES]
    assert 30 <= len(codes) <= 50 and len(set(codes)) == len(codes)
    assert categories.OTHER in codes
    groups = {group.code for group in categories.GROUPS}
    for category in categories.CATEGORIES:
        assert category.code.isidentifier() and category.code == category.code.lower()
        assert category.name and category.name_en and category.description
        assert category.group in groups
    assert sum(len(members) for _, members in categories.grouped()) == len(codes)
    for wanted in ("jalan", "pju", "drainase", "sampah", "pohon", "parkir", "pkl", "ktp_el",
                   "kk_akta", "bansos", "bpjs", "puskesmas", "ppdb",
                   "pungutan_sekolah", "air_pdam", "tagihan_air", "perizinan",
                   "bangunan_liar", "banjir"):
        assert categories.is_category(wanted), wanted


def test_labels_in_both_languages_and_for_old_or_empty_values():
    assert categories.label("pju") == "Penerangan jalan umum (PJU)"
    assert categories.label("pju", "en") == "Street lights"
    assert categories.label(None) == categories.UNCATEGORISED
    assert categories.label("Jalan rusak") == "Jalan rusak"  # unknown: shown as stored


def test_standard_table_names_only_listed_categories():
    assert set(STANDARD_TABLE) <= set(categories.CODES)
    assert categories.OTHER not in STANDARD_TABLE


def test_a_confirmed_category_goes_to_its_agency_whatever_the_model_says():
    decision = decide({"sampah": 0.9, "pju": 0.1}, 0.6, AGENCIES, table=TABLE, pick="pju")
    assert (decision.agency_code, decision.reason) == ("DISHUB", RESIDENT_CATEGORY)
    assert decision.category == "pju" and decision.suggested_category == "sampah"
    assert decision.predicted_code == "DLH" and decision.confidence == pytest.approx(0.9)


def test_a_confirmed_category_without_an_agency_here_goes_to_triage():
    decision = decide({"jalan": 0.99}, 0.6, AGENCIES, table=TABLE, pick="ktp_el")
    assert (decision.agency_code, decision.reason) == (TRIAGE, NO_AGENCY_FOR_CATEGORY)
    assert decision.category == "ktp_el"
    # an agency that is not active (not among the codes) is no agency either
    decision = decide({}, 0.6, {"PUPR"}, table=TABLE, pick="pju")
    assert (decision.agency_code, decision.reason) == (TRIAGE, NO_AGENCY_FOR_CATEGORY)


def test_without_a_pick_the_models_categories_are_summed_per_agency():
    # no single category reaches 0.6, but PUPR's two do together
    scores = {"jalan": 0.35, "drainase": 0.3, "sampah": 0.2, "pju": 0.15}
    assert agency_scores(scores, TABLE, AGENCIES) == pytest.approx(
        {"PUPR": 0.65, "DLH": 0.2, "DISHUB": 0.15})
    decision = decide(scores, 0.6, AGENCIES, table=TABLE)
    assert (decision.agency_code, decision.reason) == ("PUPR", MODEL_CATEGORY)
    assert decision.category == "jalan" and decision.confidence == pytest.approx(0.65)
    assert [label for label, _ in decision.top] == ["jalan", "drainase", "sampah"]


def test_lainnya_is_no_pick_and_low_or_unmapped_mass_goes_to_triage():
    decision = decide({"jalan": 0.5, "pju": 0.5}, 0.6, AGENCIES, table=TABLE, pick="lainnya")
    assert (decision.agency_code, decision.reason) == (TRIAGE, LOW_CONFIDENCE)
    assert decision.category is None and decision.suggested_category in {"jalan", "pju"}
    unmapped = decide({"ktp_el": 0.95, "jalan": 0.05}, 0.6, AGENCIES, table=TABLE)
    assert (unmapped.agency_code, unmapped.reason) == (TRIAGE, LOW_CONFIDENCE)
    assert unmapped.suggested_category == "ktp_el"
    # "lainnya" is never shown as a suggestion, so it is never the recorded one
    unsure = decide({"lainnya": 0.7, "jalan": 0.3}, 0.6, AGENCIES, table=TABLE)
    assert unsure.suggested_category == "jalan" and unsure.to_triage


def test_no_model_means_triage_unless_the_resident_picked():
    assert decide({}, 0.6, AGENCIES, table=TABLE).reason == NO_MODEL
    assert decide({}, 0.6, AGENCIES, table=TABLE, pick="sampah").agency_code == "DLH"


def test_the_threshold_is_inclusive_on_both_model_paths():
    assert decide({"DLH": 0.6}, 0.6, AGENCIES, target="agency").agency_code == "DLH"
    assert decide({"DLH": 0.5999}, 0.6, AGENCIES, target="agency").agency_code == TRIAGE
    assert decide({"sampah": 0.6}, 0.6, AGENCIES, table=TABLE).agency_code == "DLH"
    assert decide({"sampah": 0.5999}, 0.6, AGENCIES, table=TABLE).agency_code == TRIAGE


def test_an_older_agency_model_routes_as_before():
    decision = decide({"DLH": 0.9, "PUPR": 0.1}, 0.6, AGENCIES, target="agency")
    assert (decision.agency_code, decision.reason) == ("DLH", LEGACY_AGENCY_MODEL)
    assert decision.category is None and decision.suggested_category is None
    low = decide({"DLH": 0.5, "PUPR": 0.3}, 0.6, AGENCIES, target="agency")
    assert (low.reason, low.predicted_code, low.confidence) == (LOW_CONFIDENCE, "DLH", 0.5)
    assert decide({"BPBD": 0.9}, 0.6, AGENCIES, target="agency").reason == NO_SUCH_AGENCY
    picked = decide({"DLH": 0.9}, 0.6, AGENCIES, table=TABLE, pick="jalan", target="agency")
    assert (picked.agency_code, picked.reason) == ("PUPR", RESIDENT_CATEGORY)
