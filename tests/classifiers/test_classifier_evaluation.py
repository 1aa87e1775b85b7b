"""Evaluation figures, installing a model version, retraining with corrections."""

import json
from pathlib import Path

import numpy as np
import pytest

import classifiers.retrain as retrain_module
from classifiers import load_model, train_and_save
from classifiers.deploy import install, promote
from classifiers.evaluation import evaluate
from classifiers.model import ModelError, read_labelled_csv
from classifiers.retrain import is_held_back, retrain

FIXTURE = Path(__file__).with_name("fixture_complaints.csv")  # written for these tests
TEXTS, LABELS = read_labelled_csv(FIXTURE)  # agency codes (opd)
_, CATEGORIES = read_labelled_csv(FIXTURE, label_column="category")


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    return train_and_save(TEXTS, LABELS, tmp_path_factory.mktemp("m") / "model", source="fixture")


def test_evaluation_reports_quality_and_coverage(model):
    texts = ["jalan berlubang", "air pdam keruh", "ktp belum jadi", "jalan rusak parah"]
    labels = ["PUPR", "PDAM", "DISDUKCAPIL", "PDAM"]  # the last one is wrong on purpose
    report = evaluate(model, texts, labels, threshold=0.0)
    assert report["accuracy"] == 0.75
    assert report["coverage"] == 1.0 and report["auto_precision"] == 0.75
    assert report["per_class"]["PUPR"] == {
        "precision": 0.5, "recall": 1.0, "f1": pytest.approx(0.6667), "support": 1,
    }  # fmt: skip
    assert report["per_class"]["PDAM"]["recall"] == 0.5
    assert report["macro_f1"] == pytest.approx((2 / 3 + 2 / 3 + 1) / 3, abs=1e-4)
    matrix = report["confusion_matrix"]
    assert matrix["labels"] == ["DISDUKCAPIL", "PDAM", "PUPR"]
    assert matrix["rows_true_columns_predicted"] == [[1, 0, 0], [0, 1, 1], [0, 0, 1]]
    nobody = evaluate(model, texts, labels, threshold=1.01)
    assert nobody["coverage"] == 0.0 and nobody["auto_precision"] is None


class FixedModel:
    """A category model whose probabilities are given (texts are row numbers)."""

    target = "category"
    version = "fixed"
    labels = ("air_pdam", "drainase", "jalan", "lainnya")

    def __init__(self, rows):
        self.rows = np.asarray(rows, dtype=float)

    def predict_proba(self, texts):
        return self.rows[[int(text) for text in texts]]


CATEGORY_ROWS = [
    # air_pdam drainase jalan lainnya
    [0.10, 0.50, 0.30, 0.10],  # true jalan: 2nd, agency sum PUPR 0.8
    [0.05, 0.20, 0.70, 0.05],  # true jalan: 1st
    [0.40, 0.30, 0.20, 0.10],  # true drainase: 2nd; best single is air_pdam, PUPR sums 0.5
    [0.20, 0.05, 0.05, 0.70],  # true air_pdam: 2nd; lainnya is unmapped → TRIAGE best
]
TABLE = {"air_pdam": "PDAM", "drainase": "PUPR", "jalan": "PUPR"}


def test_category_report_has_top1_top3_and_agency_figures():
    model = FixedModel(CATEGORY_ROWS)
    truth = ["jalan", "jalan", "drainase", "air_pdam"]
    plain = evaluate(model, ["0", "1", "2", "3"], truth, threshold=0.6)
    assert plain["target"] == "category" and "agency" not in plain
    assert (plain["top1"], plain["top3"], plain["accuracy"]) == (0.25, 1.0, 0.25)
    assert plain["per_class"]["jalan"]["recall"] == 0.5
    assert plain["confusion_matrix"]["labels"] == ["air_pdam", "drainase", "jalan", "lainnya"]
    report = evaluate(model, ["0", "1", "2", "3"], truth, threshold=0.6, routing=TABLE,
                      agencies=["PUPR", "PUPR", "PUPR", "DINSOS"])
    section = report["agency"]
    assert section["unmapped_model_labels"] == ["lainnya"]
    only = section["model_only"]
    assert only["truth"] == "the agency column"
    # predicted: PUPR (0.8), PUPR (0.9), PUPR (0.5 vs PDAM 0.4), TRIAGE (0.7)
    assert only["accuracy"] == 0.75
    assert only["coverage"] == 0.5 and only["auto_precision"] == 1.0  # rows 0 and 1 only
    assert only["per_class"]["TRIAGE"]["support"] == 0
    assert only["macro_f1"] == pytest.approx((1.0 + 0.0) / 2, abs=1e-4)  # PUPR, DINSOS
    confirmed = section["confirmed"]
    assert confirmed["accuracy"] == 0.75  # air_pdam → PDAM, but DINSOS handled it
    assert confirmed["per_class"]["PDAM"]["precision"] == 0.0
    without_agencies = evaluate(model, ["0", "1", "2", "3"], truth, 0.6, routing=TABLE)
    assert "confirmed" not in without_agencies["agency"]
    only = without_agencies["agency"]["model_only"]
    assert only["truth"] == "the true category through the table"
    assert only["accuracy"] == 0.75  # the last row's truth is PDAM, predicted TRIAGE


def test_category_report_of_a_trained_model(tmp_path):
    model = train_and_save(TEXTS, CATEGORIES, tmp_path / "m", target="category")
    texts = ["jalan berlubang", "air pdam keruh", "ktp belum jadi"]
    report = evaluate(model, texts, ["jalan", "air_pdam", "ktp_el"], 0.5,
                      routing={"jalan": "PUPR", "drainase": "PUPR", "air_pdam": "PDAM",
                               "tagihan_air": "PDAM", "ktp_el": "DISDUKCAPIL",
                               "kk_akta": "DISDUKCAPIL"},
                      agencies=["PUPR", "PDAM", "DISDUKCAPIL"])
    assert report["top1"] == 1.0 and report["top3"] == 1.0
    assert report["agency"]["model_only"]["accuracy"] == 1.0
    assert report["agency"]["confirmed"]["accuracy"] == 1.0


def test_labels_the_model_never_saw_are_reported(model):
    report = evaluate(
        model, ["pkl jualan di trotoar", "jalan berlubang"], ["SATPOLPP", "PUPR"], 0.5
    )
    assert report["unseen_labels"] == {"SATPOLPP": 1}
    assert report["per_class"]["SATPOLPP"]["recall"] == 0.0
    assert report["accuracy"] == 0.5
    assert "SATPOLPP" in report["confusion_matrix"]["labels"]


def test_install_switches_the_link_atomically(tmp_path):
    link = tmp_path / "models" / "current"
    first, first_dir = install(TEXTS, LABELS, link, source="fixture")
    assert link.is_symlink() and first_dir == tmp_path / "models" / first.version
    assert load_model(link).version == first.version
    second, second_dir = install(TEXTS[:-1], LABELS[:-1], link, source="fixture")
    assert load_model(link).version == second.version != first.version
    assert first_dir.is_dir()  # the previous version stays for a rollback
    promote(first_dir, link)
    assert load_model(link).version == first.version


def test_promote_refuses_to_replace_a_real_directory(tmp_path):
    real = tmp_path / "current"
    real.mkdir()
    with pytest.raises(ModelError, match="real directory"):
        promote(tmp_path, real)


def test_held_back_choice_is_stable_and_proportional():
    texts = [f"keluhan nomor {i}" for i in range(2000)]
    chosen = [is_held_back(text, 0.2) for text in texts]
    assert chosen == [is_held_back(text, 0.2) for text in texts]
    assert 0.15 < sum(chosen) / len(texts) < 0.25


CORRECTIONS = [
    ("lampu penerangan jalan mati di gang", "PUPR"),
    ("air pdam berwarna coklat lagi", "PDAM"),
    ("ktp hilang mau cetak ulang", "DISDUKCAPIL"),
]


CATEGORY_CORRECTIONS = [
    ("lampu penerangan jalan mati di gang", "jalan"),
    ("air pdam berwarna coklat lagi", "air_pdam"),
    ("ktp hilang mau cetak ulang", "ktp_el"),
]


def test_retrain_without_a_current_model_promotes(tmp_path):
    link = tmp_path / "current"
    result = retrain(TEXTS, CATEGORIES, CATEGORY_CORRECTIONS, link, tmp_path,
                     holdout_fraction=0.3)
    assert result.promoted and result.current_score is None and result.current_target is None
    assert load_model(link).version == load_model(result.model_dir).version
    assert load_model(link).target == result.target == "category"
    record = json.loads((result.model_dir / "retrain.json").read_text())
    assert record["promoted"] and record["holdout_size"] == result.holdout_size > 0


@pytest.mark.parametrize(("target", "labels", "corrections"), [
    ("category", CATEGORIES, CATEGORY_CORRECTIONS),
    ("agency", LABELS, CORRECTIONS),
])
def test_retrain_keeps_the_current_model_when_the_candidate_is_worse(
    tmp_path, monkeypatch, target, labels, corrections
):
    link = tmp_path / "current"
    current, _ = install(TEXTS, labels, link, source="fixture", target=target)
    scores = iter([0.9, 0.6])  # current first, then candidate

    def fake_evaluate(model, texts, labels, threshold):
        return {"macro_f1": next(scores), "accuracy": 0.5}

    monkeypatch.setattr(retrain_module, "evaluate", fake_evaluate)
    result = retrain(TEXTS, labels, corrections, link, tmp_path, holdout_fraction=0.3,
                     target=target)
    assert not result.promoted
    assert (result.current_score, result.candidate_score) == (0.9, 0.6)
    assert load_model(link).version == current.version
    record = json.loads((result.model_dir / "retrain.json").read_text())
    assert record["current_version"] == current.version
    assert (record["current_score"], record["candidate_score"]) == (0.9, 0.6)
    assert record["compared"] and record["target"] == record["current_target"] == target


def test_a_legacy_agency_model_never_blocks_a_category_candidate(tmp_path, monkeypatch):
    link = tmp_path / "current"
    legacy, _ = install(TEXTS, LABELS, link, source="fixture")  # no target: agency
    assert legacy.target == "agency"
    scored = []

    def fake_evaluate(model, texts, labels, threshold):
        scored.append(model.target)
        return {"macro_f1": 0.01, "accuracy": 0.01}  # a candidate worse than anything

    monkeypatch.setattr(retrain_module, "evaluate", fake_evaluate)
    result = retrain(TEXTS, CATEGORIES, CATEGORY_CORRECTIONS, link, tmp_path,
                     holdout_fraction=0.3)
    assert scored == ["category"]  # the agency model is not scored on category labels
    assert result.promoted and result.current_score is None
    assert result.current_target == "agency"
    assert load_model(link).target == "category"
    record = json.loads((result.model_dir / "retrain.json").read_text())
    assert record["current_version"] == legacy.version and not record["compared"]


def test_corrections_override_base_labels_and_reach_the_model(tmp_path):
    text = "pdam pipa bocor jalan"
    assert not is_held_back(text, 0.3)  # so it is trained on, with the corrected label
    result = retrain(
        TEXTS + [text],
        CATEGORIES + ["air_pdam"],
        [(text, "ktp_el")],
        tmp_path / "current",
        tmp_path,
        holdout_fraction=0.3,
    )
    kept = [label for t, label in zip(TEXTS, CATEGORIES) if not is_held_back(t, 0.3)]
    manifest = load_model(result.model_dir).manifest
    assert manifest["target"] == "category"
    assert manifest["training_examples"] == len(kept) + 1
    assert manifest["label_counts"]["ktp_el"] == kept.count("ktp_el") + 1
    assert manifest["label_counts"]["air_pdam"] == kept.count("air_pdam")
