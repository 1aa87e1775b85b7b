"""Training, saving, safe loading and predicting with the routing model."""

import json
import re
from pathlib import Path

import numpy as np
import pytest

from classifiers import ModelError, load_model, train_and_save, train_starter
from classifiers.model import STARTER_DATA, read_labelled_csv, train_pipeline
from classifiers.normalise import normalise, tokens
from classifiers.scorer import LinearTextScorer

FIXTURE = Path(__file__).with_name("fixture_complaints.csv")  # written for these tests
TEXTS, LABELS = read_labelled_csv(FIXTURE)

STARTER_LABELS = {
    "PUPR", "DLH", "DINSOS", "DISHUB", "DISDUKCAPIL", "DINKES",
    "DISDIK", "PDAM", "SATPOLPP", "DPMPTSP", "LAINNYA",
}  # fmt: skip


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("models") / "fixture"
    train_and_save(TEXTS, LABELS, out, source="fixture")
    return out


def test_model_directory_records_its_identity(model_dir):
    manifest = json.loads((model_dir / "manifest.json").read_text())
    assert re.fullmatch(r"\d{8}-\d{6}-[0-9a-f]{6}", manifest["version"])
    assert manifest["version"].endswith(manifest["data_fingerprint"][:6])
    assert manifest["labels"] == ["DISDUKCAPIL", "PDAM", "PUPR"]
    assert json.loads((model_dir / "labels.json").read_text()) == manifest["labels"]
    assert manifest["training_examples"] == 30
    assert manifest["label_counts"] == {"DISDUKCAPIL": 10, "PDAM": 10, "PUPR": 10}
    assert set(manifest["libraries"]) >= {"python", "scikit-learn", "numpy"}
    assert set(manifest["sha256"]) == {"model.npz", "vocabulary.json", "labels.json"}


def test_loaded_model_predicts_top_k_best_first(model_dir):
    model = load_model(model_dir)
    assert model.labels == ("DISDUKCAPIL", "PDAM", "PUPR")
    ranking = model.predict(
        ["Jln rusak bgt, lubangnya besar", "air PDAM keruh lagi", "KTP saya blm jadi"]
    )
    assert [top[0][0] for top in ranking] == ["PUPR", "PDAM", "DISDUKCAPIL"]
    for top in ranking:
        scores = [score for _, score in top]
        assert len(top) == 3 and scores == sorted(scores, reverse=True)
        assert sum(scores) == pytest.approx(1.0)
    assert len(model.predict(["jalan rusak"], k=1)[0]) == 1
    assert model.predict([]) == []
    with pytest.raises(TypeError):
        model.predict("one string, not a list")


def test_batch_and_single_predictions_agree(model_dir):
    model = load_model(model_dir)
    texts = ["pipa bocor", "jalan berlubang dekat pasar", "akta lahir", "zzz tidak dikenal"]
    batch = model.predict(texts, k=3)
    single = [model.predict([text], k=3)[0] for text in texts]  # the plain-Python path
    for one, many in zip(single, batch, strict=True):
        assert [label for label, _ in one] == [label for label, _ in many]
        assert np.allclose([p for _, p in one], [p for _, p in many])


@pytest.mark.parametrize("n_copies", [1, 80])  # starter-sized and large-data settings
def test_scorer_reproduces_the_sklearn_pipeline(n_copies):
    texts = [f"{text} varian{i % 7}" for i in range(n_copies) for text in TEXTS]
    labels = LABELS * n_copies
    texts, labels = texts + ["lampu jalan mati, dan lain lain"] * 2, labels + ["PUPR"] * 2
    pipeline = train_pipeline(texts, labels)
    scorer = LinearTextScorer.from_pipeline(pipeline)
    probe = ["air keruh di jalan rusak", "ktp pdam", "kata asing sekali", "", "pju mati dll"]
    probe += ["air air air keruh keruh di jalan jalan rusak", "zzz"]
    expected = pipeline.predict_proba([normalise(text) for text in probe])
    assert np.allclose(scorer.predict_proba([tokens(text) for text in probe]), expected, atol=1e-6)
    one_by_one = [scorer.probabilities(tokens(text)) for text in probe]
    assert np.allclose(one_by_one, expected, atol=1e-6)  # the single-document path


def test_absent_directory_is_a_model_error(tmp_path):
    with pytest.raises(ModelError, match="no routing model"):
        load_model(tmp_path / "nothing-here")


@pytest.mark.parametrize("name", ["vocabulary.json", "model.npz", "labels.json"])
def test_tampered_file_is_refused(model_dir, tmp_path, name):
    copy = tmp_path / "copy"
    copy.mkdir()
    for path in model_dir.iterdir():
        (copy / path.name).write_bytes(path.read_bytes())
    with (copy / name).open("ab") as handle:
        handle.write(b" ")
    with pytest.raises(ModelError, match="checksum"):
        load_model(copy)


def test_pickled_arrays_are_refused_even_with_matching_checksums(model_dir, tmp_path):
    import hashlib

    copy = tmp_path / "copy"
    copy.mkdir()
    for path in model_dir.iterdir():
        (copy / path.name).write_bytes(path.read_bytes())
    with (copy / "model.npz").open("wb") as handle:
        np.savez(handle, idf=np.array([object()], dtype=object), coef=np.zeros(1))
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["sha256"]["model.npz"] = hashlib.sha256((copy / "model.npz").read_bytes()).hexdigest()
    (copy / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ModelError, match="cannot load"):
        load_model(copy)


def test_starter_model_covers_all_agencies_and_is_cautious(tmp_path):
    texts, labels = read_labelled_csv(STARTER_DATA)
    assert set(labels) == STARTER_LABELS
    assert min(labels.count(label) for label in STARTER_LABELS) >= 30
    model = train_starter(tmp_path / "starter")
    assert set(model.labels) == STARTER_LABELS
    assert load_model(tmp_path / "starter").version == model.version
    top = model.predict(["KTP elektronik saya belum jadi, blangko habis katanya"])[0]
    assert top[0][0] == "DISDUKCAPIL"
    assert 0 < top[0][1] < 1


@pytest.mark.parametrize("n_copies", [1, 80])
def test_scorer_reproduces_the_sklearn_pipeline_with_two_labels(n_copies):
    pairs = [(t, label) for t, label in zip(TEXTS, LABELS) if label != "PUPR"]
    texts = [f"{text} varian{i % 7}" for i in range(n_copies) for text, _ in pairs]
    labels = [label for _ in range(n_copies) for _, label in pairs]
    pipeline = train_pipeline(texts, labels)
    scorer = LinearTextScorer.from_pipeline(pipeline)
    probe = ["air keruh", "ktp pdam", "kata asing sekali"]
    expected = pipeline.predict_proba([normalise(text) for text in probe])
    assert np.allclose(scorer.predict_proba([tokens(text) for text in probe]), expected, atol=1e-6)
    one_by_one = [scorer.probabilities(tokens(text)) for text in probe]
    assert np.allclose(one_by_one, expected, atol=1e-6)
