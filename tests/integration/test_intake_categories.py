"""Intake routes by service category through the region's routing table (both databases)."""

import pytest
from sqlalchemy import select

from lapor_bridge.db.models import Complaint, ComplaintEvent
from lapor_bridge.services.demo_history import seed_history
from lapor_bridge.services.errors import ValidationFailed
from lapor_bridge.services.intake.routing import suggest_categories
from lapor_bridge.services.intake.routing_table import set_rules
from lapor_bridge.services.intake.submit import ComplaintInput, submit_complaint
from lapor_bridge.services.routing_preview import predict_destination
from tests.fakes import FixedModel

DARK_STREET = dict(
    title="Lampu jalan mati total",
    description="Sudah dua minggu lampu penerangan jalan di depan masjid mati, gelap sekali.",
)
PLACES = {"33.76": ("Tegal Barat", "Kraton"), "33.28": ("Slawi", "Procot"),
          "33.29": ("Brebes", "Gandasuli")}


def complaint(region="33.76", **fields) -> ComplaintInput:
    kecamatan, kelurahan = PLACES[region]
    return ComplaintInput(**{**DARK_STREET, "kecamatan": kecamatan, "kelurahan": kelurahan,
                             "region_code": region, **fields})


def stored(ctx, number) -> Complaint:
    """The complaint row, its agency and predicted agency loaded."""
    with ctx.read() as session:
        row = session.scalar(select(Complaint).where(Complaint.tracking_number == number))
        row.agency, row.predicted_agency  # noqa: B018 - loaded before the session closes
        return row


def category_model(*top):
    return FixedModel(top, target="category", version="kategori-1")


def test_a_confirmed_category_goes_to_the_regions_agency_and_is_recorded(ctx):
    ctx.classifier = category_model(("sampah", 0.7), ("pju", 0.2), ("jalan", 0.1))
    result = submit_complaint(ctx, complaint(category="pju"))
    assert (result.agency_code, result.route_reason, result.category) == (
        "DISHUB", "resident_category", "pju")
    row = stored(ctx, result.tracking_number)
    assert (row.category, row.resident_category, row.suggested_category, row.route_reason) == (
        "pju", "pju", "sampah", "resident_category")
    assert row.predicted_agency.code == "DLH" and row.model_version == "kategori-1"
    assert row.predictions == [["sampah", 0.7], ["pju", 0.2], ["jalan", 0.1]]
    with ctx.read() as session:
        note = session.scalars(select(ComplaintEvent.note).where(
            ComplaintEvent.complaint_id == row.id).order_by(ComplaintEvent.id)).all()[-1]
    assert "Penerangan jalan umum" in note


def test_the_same_street_light_complaint_goes_to_different_agencies_by_region(ctx,
                                                                             extra_places):
    seed_history(ctx, 0)  # the two neighbours, with their own tables
    ctx.classifier = category_model(("pju", 0.92), ("jalan", 0.05), ("drainase", 0.03))
    routed = {region: submit_complaint(ctx, complaint(region)).agency_code
              for region in PLACES}
    assert routed == {"33.76": "DISHUB", "33.28": "PUPR", "33.29": "PUPR"}
    confirmed = {region: submit_complaint(ctx, complaint(region, category="taman")).agency_code
                 for region in PLACES}
    assert confirmed == {"33.76": "DLH", "33.28": "DLH", "33.29": "DPRKP"}


def test_a_category_without_an_agency_in_the_region_goes_to_triage(ctx):
    ctx.classifier = category_model(("pju", 0.99))
    result = submit_complaint(ctx, complaint(category="ketenagakerjaan"))
    assert result.to_triage and result.route_reason == "no_agency_for_category"
    row = stored(ctx, result.tracking_number)
    assert (row.agency.code, row.category, row.status) == ("TRIAGE", "ketenagakerjaan",
                                                           "submitted")


def test_no_category_lets_the_model_decide_through_the_table(ctx):
    ctx.classifier = category_model(("jalan", 0.4), ("drainase", 0.3), ("pju", 0.3))
    result = submit_complaint(ctx, complaint())
    assert (result.agency_code, result.route_reason, result.category) == (
        "PUPR", "model_category", "jalan")
    assert stored(ctx, result.tracking_number).resident_category is None
    unsure = submit_complaint(ctx, complaint(category="lainnya"))
    assert unsure.agency_code == "PUPR"
    assert stored(ctx, unsure.tracking_number).resident_category == "lainnya"
    ctx.classifier = category_model(("jalan", 0.4), ("pju", 0.35), ("sampah", 0.25))
    vague = submit_complaint(ctx, complaint())
    assert vague.to_triage and vague.route_reason == "low_confidence"
    assert stored(ctx, vague.tracking_number).suggested_category == "jalan"


def test_an_older_agency_model_still_routes_until_a_category_model_is_promoted(ctx):
    ctx.classifier = FixedModel([("DLH", 0.95), ("PUPR", 0.05)])
    result = submit_complaint(ctx, complaint())
    assert (result.agency_code, result.route_reason) == ("DLH", "legacy_agency_model")
    assert stored(ctx, result.tracking_number).category is None
    assert submit_complaint(ctx, complaint(category="pju")).agency_code == "DISHUB"
    assert suggest_categories(ctx, "lampu jalan mati") == []


def test_an_unknown_category_is_refused_and_nothing_is_stored(ctx):
    with pytest.raises(ValidationFailed) as refused:
        submit_complaint(ctx, complaint(category="lampu"))
    assert "category" in refused.value.errors
    with ctx.read() as session:
        assert session.scalar(select(Complaint.id)) is None


def test_a_table_change_reaches_intake_at_once_in_this_process(ctx):
    ctx.classifier = None
    assert submit_complaint(ctx, complaint(category="pju")).agency_code == "DISHUB"
    assert set_rules(ctx, None, "33.76", {"pju": "PUPR"}, source="csv") == 1
    assert submit_complaint(ctx, complaint(category="pju")).agency_code == "PUPR"


def test_suggestions_are_the_models_best_categories_without_lainnya(ctx):
    ctx.classifier = category_model(("lainnya", 0.5), ("pju", 0.3), ("jalan", 0.1),
                                    ("sampah", 0.06), ("pohon", 0.04))
    found = suggest_categories(ctx, "lampu jalan mati")
    assert [(s.code, s.probability) for s in found] == [("pju", 0.3), ("jalan", 0.1),
                                                        ("sampah", 0.06)]
    assert found[0].name == "Penerangan jalan umum (PJU)" and found[0].name_en == "Street lights"
    for bad in ("", "   ", "x" * 10_000):
        with pytest.raises(ValidationFailed):
            suggest_categories(ctx, bad)


def test_the_preview_routes_like_intake(ctx):
    ctx.classifier = category_model(("pju", 0.9), ("jalan", 0.1))
    assert predict_destination(ctx, DARK_STREET["title"], DARK_STREET["description"]
                               ).agency_code == "DISHUB"
    assert predict_destination(ctx, "Judul", "Uraian", category="sampah").agency_code == "DLH"
    assert predict_destination(ctx, "Judul", "Uraian", region_code="99.99") is None
