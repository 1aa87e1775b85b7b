"""Evaluation figures, installing a model version, retraining with corrections."""

import json
from pathlib import Path

import pytest

import classifiers.retrain as retrain_module
from classifiers import load_model, train_and_save
from classifiers.deploy import install, promote
from classifiers.evaluation import evaluate
from classifiers.model import ModelError, read_labelled_csv
from classifiers.retrain import is_held_back, retrain

FIXTURE = Path(__file__).with_name("fixture_complaints.csv")  # written for these tests
TEXTS, LABELS = read_labelled_csv(FIXTURE)


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


def test_retrain_without_a_current_model_promotes(tmp_path):
    link = tmp_path / "current"
    result = retrain(TEXTS, LABELS, CORRECTIONS, link, tmp_path, holdout_fraction=0.3)
    assert result.promoted and result.current_score is None
    assert load_model(link).version == load_model(result.model_dir).version
    record = json.loads((result.model_dir / "retrain.json").read_text())
    assert record["promoted"] and record["holdout_size"] == result.holdout_size > 0


def test_retrain_keeps_the_current_model_when_the_candidate_is_worse(tmp_path, monkeypatch):
    link = tmp_path / "current"
    current, _ = install(TEXTS, LABELS, link, source="fixture")
    scores = iter([0.9, 0.6])  # current first, then candidate

    def fake_evaluate(model, texts, labels, threshold):
        return {"macro_f1": next(scores), "accuracy": 0.5}

    monkeypatch.setattr(retrain_module, "evaluate", fake_evaluate)
    result = retrain(TEXTS, LABELS, CORRECTIONS, link, tmp_path, holdout_fraction=0.3)
    assert not result.promoted
    assert (result.current_score, result.candidate_score) == (0.9, 0.6)
    assert load_model(link).version == current.version
    record = json.loads((result.model_dir / "retrain.json").read_text())
    assert record["current_version"] == current.version
    assert (record["current_score"], record["candidate_score"]) == (0.9, 0.6)


def test_corrections_override_base_labels_and_reach_the_model(tmp_path):
    text = "pdam pipa bocor jalan"
    assert not is_held_back(text, 0.3)  # so it is trained on, with the corrected label
    result = retrain(
        TEXTS + [text],
        LABELS + ["PDAM"],
        [(text, "DISDUKCAPIL")],
        tmp_path / "current",
        tmp_path,
        holdout_fraction=0.3,
    )
    kept = [label for t, label in zip(TEXTS, LABELS) if not is_held_back(t, 0.3)]
    manifest = load_model(result.model_dir).manifest
    assert manifest["training_examples"] == len(kept) + 1
    assert manifest["label_counts"]["DISDUKCAPIL"] == kept.count("DISDUKCAPIL") + 1
    assert manifest["label_counts"]["PDAM"] == kept.count("PDAM")
