"""Officers' categories and re-routes feed the retrain; the job runs only with configured
history."""

import json
from dataclasses import replace
from pathlib import Path

from classifiers.model import load_model
from lapor_bridge.jobs.retrain import run_retrain
from lapor_bridge.services import workflow
from lapor_bridge.services.corrections import routing_corrections
from lapor_bridge.services.retraining import retrain_from_history

FIXTURE = Path(__file__).resolve().parents[1] / "classifiers" / "fixture_complaints.csv"


def test_officers_choices_become_category_labels_that_retraining_uses(ctx, file, staff,
                                                                        tmp_path):
    number = file("DLH").tracking_number
    workflow.transfer(ctx, staff("petugas.dlh"), number, "PUPR",
                      "Jalan berlubang, wewenang PUPR bukan DLH")
    # PUPR takes several categories: the move alone names none, only the agency
    assert routing_corrections(ctx, "agency")[-1][1] == "PUPR"
    assert routing_corrections(ctx) == []
    workflow.set_category(ctx, staff("petugas.pupr"), number, "jalan")
    corrections = routing_corrections(ctx)
    assert corrections and corrections[-1][1] == "jalan"

    model_dir = tmp_path / "models" / "current"
    ctx.settings = replace(ctx.settings, classifier=replace(
        ctx.settings.classifier, model_dir=str(model_dir)))
    result = retrain_from_history(ctx, FIXTURE, holdout_fraction=0.3)
    assert result.promoted  # no current model yet: the candidate becomes current
    assert load_model(model_dir).version == load_model(result.model_dir).version
    report = json.loads((result.model_dir / "retrain.json").read_text())
    assert report["candidate_score"] == result.candidate_score


def test_retrain_job_skips_without_history_and_runs_with_it(ctx, tmp_path):
    assert "skipped" in run_retrain(ctx)
    ctx.settings = replace(ctx.settings, classifier=replace(
        ctx.settings.classifier, retrain_data=str(FIXTURE),
        model_dir=str(tmp_path / "models" / "current")))
    summary = run_retrain(ctx)
    assert summary["promoted"] is True and summary["holdout_size"] > 0
