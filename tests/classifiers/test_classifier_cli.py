"""The ``lapor-bridge classifier`` commands, invoked through click."""

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from lapor_bridge.cli import CliContext
from lapor_bridge.cli_classifier import classifier

FIXTURE = Path(__file__).with_name("fixture_complaints.csv")  # written for these tests


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no config.toml here; the model dir comes from the env
    env = {
        "LAPOR_BRIDGE_CLASSIFIER__MODEL_DIR": str(tmp_path / "models" / "current"),
        "LAPOR_BRIDGE_CLASSIFIER__THRESHOLD": "0.5",
    }

    def invoke(*args):
        result = CliRunner().invoke(classifier, list(args), obj=CliContext(None), env=env)
        assert result.exit_code == 0, result.output
        return json.loads(result.output)

    return invoke


def _write_csv(path, rows, columns=("text", "opd")):
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        writer.writerows(rows)
    return str(path)


def test_train_then_evaluate_prints_one_json_object(run, tmp_path):
    trained = run("train", "--data", str(FIXTURE), "--out", str(tmp_path / "m"))
    assert trained["validation"]["examples"] > 0
    manifest = json.loads((tmp_path / "m" / "manifest.json").read_text())
    assert manifest["version"] == trained["version"]
    assert manifest["metrics"]["validation"] == trained["validation"]
    data = _write_csv(
        tmp_path / "probe.csv",
        [("jalan berlubang", "PUPR"), ("air pdam keruh", "PDAM"), ("pkl liar", "SATPOLPP")],
    )
    report = run("evaluate", "--model", str(tmp_path / "m"), "--data", data)
    assert set(report) >= {
        "accuracy", "macro_f1", "per_class", "confusion_matrix",
        "threshold", "coverage", "auto_precision", "unseen_labels",
    }  # fmt: skip
    assert report["threshold"] == 0.5
    assert report["unseen_labels"] == {"SATPOLPP": 1}
    for figures in report["per_class"].values():
        assert set(figures) == {"precision", "recall", "f1", "support"}
    size = len(report["confusion_matrix"]["labels"])
    assert size == 4 and all(
        len(row) == size for row in report["confusion_matrix"]["rows_true_columns_predicted"]
    )
    assert (
        run("evaluate", "--model", str(tmp_path / "m"), "--data", data, "--threshold", "1")[
            "coverage"
        ]
        == 0
    )


def test_a_trained_directory_can_be_promoted(run, tmp_path):
    trained = run("train", "--data", str(FIXTURE), "--out", str(tmp_path / "regional"))
    assert run("promote", str(tmp_path / "regional"))["version"] == trained["version"]
    assert (tmp_path / "models" / "current").resolve() == (tmp_path / "regional").resolve()
    assert run("predict", "air pdam keruh")["model_version"] == trained["version"]


def test_custom_columns(run, tmp_path):
    data = _write_csv(
        tmp_path / "c.csv",
        [(t + " x", "A") for t in "abcdef"] + [(t + " y", "B") for t in "abcdef"],
        ("isi", "dinas"),
    )
    trained = run(
        "train",
        "--data",
        data,
        "--text-column",
        "isi",
        "--label-column",
        "dinas",
        "--out",
        str(tmp_path / "m"),
        "--validation-fraction",
        "0",
    )
    assert "validation" not in trained
    report = run(
        "evaluate",
        "--model",
        str(tmp_path / "m"),
        "--data",
        data,
        "--text-column",
        "isi",
        "--label-column",
        "dinas",
    )
    assert report["examples"] == 12


def test_missing_column_is_a_usage_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    data = _write_csv(tmp_path / "bad.csv", [("x", "y")], ("body", "opd"))
    result = CliRunner().invoke(
        classifier, ["train", "--data", data, "--out", "m"], obj=CliContext(None)
    )
    assert result.exit_code == 2 and "missing column" in result.output


def test_train_starter_predict_and_retrain(run, tmp_path):
    installed = run("train-starter")
    assert (tmp_path / "models" / "current").resolve().name == installed["version"]
    predicted = run("predict", "air PDAM keruh dan bau kaporit sejak kemarin")
    assert predicted["model_version"] == installed["version"]
    assert len(predicted["top"]) == 3 and predicted["top"][0]["opd"] == "PDAM"
    scores = [entry["score"] for entry in predicted["top"]]
    assert scores == sorted(scores, reverse=True)
    corrections = _write_csv(tmp_path / "corr.csv", [("lampu jalan mati di gang", "PUPR")])
    result = run(
        "retrain", "--data", str(FIXTURE), "--corrections", corrections, "--holdout-fraction", "0.3"
    )
    assert set(result) == {
        "promoted",
        "current_score",
        "candidate_score",
        "holdout_size",
        "candidate_dir",
    }
    assert isinstance(result["current_score"], float)
    assert Path(result["candidate_dir"], "retrain.json").is_file()


def test_predict_without_a_model_says_how_to_get_one(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    env = {"LAPOR_BRIDGE_CLASSIFIER__MODEL_DIR": str(tmp_path / "none")}
    result = CliRunner().invoke(
        classifier, ["predict", "jalan rusak"], obj=CliContext(None), env=env
    )
    assert result.exit_code == 1 and "train-starter" in result.output
