"""The ``lapor-bridge classifier`` commands, invoked through click."""

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from lapor_bridge.cli import CliContext
from lapor_bridge.cli.classifier import classifier

FIXTURE = Path(__file__).with_name("fixture_complaints.csv")  # written for these tests


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no config.toml here; the model dir comes from the env
    env = {
        "LAPOR_BRIDGE_CLASSIFIER__MODEL_DIR": str(tmp_path / "models" / "current"),
        "LAPOR_BRIDGE_CLASSIFIER__THRESHOLD": "0.5",
    }

    def invoke(*args, notes=None):
        result = CliRunner().invoke(classifier, list(args), obj=CliContext(None), env=env)
        assert result.exit_code == 0, result.output
        if notes is not None:
            notes.append(result.stderr)
        return json.loads(result.stdout)

    return invoke


def _fails(tmp_path, monkeypatch, *args):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(classifier, list(args), obj=CliContext(None))
    assert result.exit_code == 2, result.output
    return result.output


def _write_csv(path, rows, columns=("text", "opd")):
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        writer.writerows(rows)
    return str(path)


def test_train_then_evaluate_prints_one_json_object(run, tmp_path):
    trained = run("train", "--data", str(FIXTURE), "--out", str(tmp_path / "m"),
                  "--label-column", "opd", "--target", "agency")
    assert trained["validation"]["examples"] > 0 and trained["target"] == "agency"
    manifest = json.loads((tmp_path / "m" / "manifest.json").read_text())
    assert manifest["version"] == trained["version"]
    assert manifest["metrics"]["validation"] == trained["validation"]
    data = _write_csv(
        tmp_path / "probe.csv",
        [("jalan berlubang", "PUPR"), ("air pdam keruh", "PDAM"), ("pkl liar", "SATPOLPP")],
    )
    report = run("evaluate", "--model", str(tmp_path / "m"), "--data", data,
                 "--label-column", "opd")
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
        run("evaluate", "--model", str(tmp_path / "m"), "--data", data, "--threshold", "1",
            "--label-column", "opd")["coverage"]
        == 0
    )


TABLE_ROWS = [("jalan", "PUPR"), ("drainase", "PUPR"), ("air_pdam", "PDAM"),
              ("tagihan_air", "PDAM"), ("ktp_el", "DISDUKCAPIL"), ("kk_akta", "DISDUKCAPIL")]


def test_train_a_category_model_and_measure_it_through_a_routing_table(run, tmp_path):
    trained = run("train", "--data", str(FIXTURE), "--out", str(tmp_path / "m"))
    assert trained["target"] == "category" and trained["labels"] == 6  # labels are codes
    assert set(trained["validation"]) == {"examples", "top1", "top3", "macro_f1"}
    assert json.loads((tmp_path / "m" / "manifest.json").read_text())["target"] == "category"
    plain = run("evaluate", "--model", str(tmp_path / "m"), "--data", str(FIXTURE))
    assert plain["target"] == "category" and "agency" not in plain
    assert plain["top1"] >= 0.9 and plain["top3"] == 1.0
    table = _write_csv(tmp_path / "table.csv", TABLE_ROWS, ("category", "agency"))
    report = run("evaluate", "--model", str(tmp_path / "m"), "--data", str(FIXTURE),
                 "--routing", table, "--agency-column", "opd", "--threshold", "0.5")
    agency = report["agency"]
    assert agency["confirmed"]["accuracy"] == 1.0 and agency["confirmed"]["macro_f1"] == 1.0
    only = agency["model_only"]
    assert only["truth"] == "the agency column" and only["threshold"] == 0.5
    assert only["accuracy"] == 1.0 and set(only) >= {"macro_f1", "coverage", "auto_precision"}


def test_categories_from_the_topic_map(run, tmp_path, monkeypatch):
    topic_map = _write_csv(tmp_path / "map.csv", [
        ("Jalan Rusak", "", "jalan"), ("Saluran", "", "drainase"),
        ("Pelayanan PDAM", "", "air_pdam"), ("Non Teknis", "", "lainnya"),
        ("Non Teknis", "Dinas PU", "jalan"),
    ], ("topic", "unit_group", "category"))
    rows = [(f"jalan rusak nomor {i}", "Jalan Rusak", "Dinas PU") for i in range(4)]
    rows += [(f"got mampet nomor {i}", "Saluran", "Dinas PU") for i in range(4)]
    rows += [(f"air pdam mati nomor {i}", "Pelayanan PDAM", "PDAM") for i in range(4)]
    rows += [(f"aspal mengelupas nomor {i}", "Non Teknis", "Dinas PU") for i in range(2)]
    data = _write_csv(tmp_path / "topics.csv", rows, ("text", "topic", "unit_group"))
    trained = run("train", "--data", data, "--topic-map", topic_map, "--out",
                  str(tmp_path / "m"), "--validation-fraction", "0")
    assert trained["target"] == "category"
    manifest = json.loads((tmp_path / "m" / "manifest.json").read_text())
    assert manifest["label_counts"] == {"air_pdam": 4, "drainase": 4, "jalan": 6}
    report = run("evaluate", "--model", str(tmp_path / "m"), "--data", data,
                 "--topic-map", topic_map)
    assert report["examples"] == 14
    unmapped = _write_csv(tmp_path / "new.csv", rows + [("x", "Topik Baru", "")],
                          ("text", "topic", "unit_group"))
    output = _fails(tmp_path, monkeypatch, "train", "--data", unmapped, "--topic-map",
                    topic_map, "--out", str(tmp_path / "n"))
    assert "no category" in output and "Topik Baru" in output


def test_agency_history_with_a_table_of_one_category_per_agency(run, tmp_path):
    table = _write_csv(tmp_path / "table.csv",
                       [("jalan", "PUPR"), ("air_pdam", "PDAM"), ("ktp_el", "DISDUKCAPIL")],
                       ("category", "agency"))
    notes = []
    trained = run("train", "--data", str(FIXTURE), "--label-column", "opd", "--routing", table,
                  "--out", str(tmp_path / "m"), "--validation-fraction", "0", notes=notes)
    assert trained["target"] == "category"
    assert "PUPR → jalan" in trained["notes"][0] and "PUPR → jalan" in notes[0]
    manifest = json.loads((tmp_path / "m" / "manifest.json").read_text())
    assert manifest["label_counts"] == {"air_pdam": 10, "jalan": 10, "ktp_el": 10}


def test_agency_history_the_table_cannot_split_trains_an_agency_model(
    run, tmp_path, monkeypatch
):
    table = _write_csv(tmp_path / "table.csv", TABLE_ROWS[:4], ("category", "agency"))
    notes = []
    trained = run("train", "--data", str(FIXTURE), "--label-column", "opd", "--routing", table,
                  "--out", str(tmp_path / "m"), "--validation-fraction", "0", notes=notes)
    assert trained["target"] == "agency"
    assert "trained as an agency model (target: agency)" in notes[0]
    assert "DISDUKCAPIL takes no category" in notes[0]
    assert "PUPR takes drainase, jalan" in notes[0]
    assert json.loads((tmp_path / "m" / "manifest.json").read_text())["target"] == "agency"
    # asked for a category model, the same data is refused
    output = _fails(tmp_path, monkeypatch, "train", "--data", str(FIXTURE), "--label-column",
                    "opd", "--routing", table, "--target", "category", "--out", "x")
    assert "cannot tell the category" in output
    # an agency model is measured on agencies only
    output = _fails(tmp_path, monkeypatch, "evaluate", "--model", str(tmp_path / "m"),
                    "--data", str(FIXTURE), "--routing", table)
    assert "predicts agencies" in output


def test_labels_that_are_not_category_codes(run, tmp_path, monkeypatch):
    notes = []
    trained = run("train", "--data", str(FIXTURE), "--label-column", "opd", "--out",
                  str(tmp_path / "m"), "--validation-fraction", "0", notes=notes)
    assert trained["target"] == "agency" and "not category codes" in notes[0]
    output = _fails(tmp_path, monkeypatch, "train", "--data", str(FIXTURE), "--label-column",
                    "opd", "--target", "category", "--out", "x")
    assert "not category codes" in output
    output = _fails(tmp_path, monkeypatch, "evaluate", "--model", str(tmp_path / "m"),
                    "--data", str(FIXTURE), "--agency-column", "opd")
    assert "predicts agencies" in output


def test_a_trained_directory_can_be_promoted(run, tmp_path):
    trained = run("train", "--data", str(FIXTURE), "--out", str(tmp_path / "regional"))
    assert run("promote", str(tmp_path / "regional"))["version"] == trained["version"]
    assert (tmp_path / "models" / "current").resolve() == (tmp_path / "regional").resolve()
    predicted = run("predict", "air pdam keruh")
    assert predicted["model_version"] == trained["version"]
    assert predicted["target"] == "category" and predicted["top"][0]["label"] == "air_pdam"


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
    assert "validation" not in trained and trained["target"] == "agency"
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
    assert installed["target"] == "category"
    assert (tmp_path / "models" / "current").resolve().name == installed["version"]
    predicted = run("predict", "air PDAM keruh dan bau kaporit sejak kemarin")
    assert predicted["model_version"] == installed["version"]
    assert predicted["target"] == "category"
    assert len(predicted["top"]) == 3 and predicted["top"][0]["label"] == "air_pdam"
    scores = [entry["score"] for entry in predicted["top"]]
    assert scores == sorted(scores, reverse=True)
    corrections = _write_csv(tmp_path / "corr.csv", [("lampu jalan mati di gang", "jalan")],
                             ("text", "category"))
    result = run(
        "retrain", "--data", str(FIXTURE), "--corrections", corrections, "--holdout-fraction", "0.3"
    )
    assert set(result) == {
        "promoted",
        "target",
        "current_target",
        "current_score",
        "candidate_score",
        "holdout_size",
        "candidate_dir",
    }
    assert result["target"] == result["current_target"] == "category"
    assert isinstance(result["current_score"], float)  # starter and candidate: like with like
    assert Path(result["candidate_dir"], "retrain.json").is_file()


def test_predict_without_a_model_says_how_to_get_one(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    env = {"LAPOR_BRIDGE_CLASSIFIER__MODEL_DIR": str(tmp_path / "none")}
    result = CliRunner().invoke(
        classifier, ["predict", "jalan rusak"], obj=CliContext(None), env=env
    )
    assert result.exit_code == 1 and "train-starter" in result.output
