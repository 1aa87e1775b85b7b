"""The routing decision: confident and known → agency, everything else → triage."""

from lapor_bridge.domain.routing import TRIAGE, decide

AGENCIES = {"PUPR", "DLH", "DINSOS"}


def test_confident_known_agency_is_routed():
    decision = decide([("PUPR", 0.9), ("DLH", 0.05)], 0.6, AGENCIES)
    assert decision.agency_code == "PUPR"
    assert not decision.to_triage
    assert decision.reason == "confident"
    assert decision.top == (("PUPR", 0.9), ("DLH", 0.05))


def test_threshold_is_inclusive():
    assert decide([("DLH", 0.6)], 0.6, AGENCIES).agency_code == "DLH"
    assert decide([("DLH", 0.5999)], 0.6, AGENCIES).agency_code == TRIAGE


def test_low_confidence_goes_to_triage_keeping_the_prediction():
    decision = decide([("DINSOS", 0.41), ("PUPR", 0.3)], 0.6, AGENCIES)
    assert decision.to_triage
    assert decision.predicted_code == "DINSOS"
    assert decision.reason == "low_confidence"


def test_label_without_local_agency_goes_to_triage():
    decision = decide([("LAINNYA", 0.99)], 0.6, AGENCIES)
    assert decision.to_triage and decision.reason == "no_such_agency"


def test_no_model_goes_to_triage():
    decision = decide([], 0.6, AGENCIES)
    assert decision.to_triage and decision.reason == "no_model" and decision.confidence is None
