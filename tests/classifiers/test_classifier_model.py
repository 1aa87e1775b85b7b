"""Training, saving, safe loading and predicting with the routing model."""

import json
import re
from pathlib import Path

import numpy as np
import pytest

from classifiers import ModelError, load_model, train_and_save, train_starter
from classifiers.model import STARTER_DATA, read_labelled_csv, too_rare, train_pipeline
from classifiers.normalise import normalise, tokens
from classifiers.scorer import LinearTextScorer
from lapor_bridge.domain.categories import CODES

FIXTURE = Path(__file__).with_name("fixture_complaints.csv")  # written for these tests
TEXTS, LABELS = read_labelled_csv(FIXTURE)  # agency codes (opd)
_, CATEGORIES = read_labelled_csv(FIXTURE, label_column="category")


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("models") / "fixture"
    train_and_save(TEXTS, LABELS, out, source="fixture")
    return out


@pytest.fixture(scope="module")
def category_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("models") / "categories"
    train_and_save(TEXTS, CATEGORIES, out, source="fixture", target="category")
    return out


def test_model_directory_records_its_identity(model_dir):
    manifest = json.loads((model_dir / "manifest.json").read_text())
    assert re.fullmatch(r"\d{8}-\d{6}-[0-9a-f]{6}", manifest["version"])
    assert manifest["target"] == "agency" and manifest["left_out_labels"] == {}
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


def test_a_category_model_says_so_and_gives_every_probability(category_dir):
    model = load_model(category_dir)
    assert model.target == "category" and model.manifest["target"] == "category"
    assert model.labels == ("air_pdam", "drainase", "jalan", "kk_akta", "ktp_el", "tagihan_air")
    ranking = model.predict(["jalan berlubang di depan pasar", "air pdam keruh lagi"], k=3)
    assert [top[0][0] for top in ranking] == ["jalan", "air_pdam"]
    text = "got mampet dan jalan berlubang"
    every = model.probabilities_of(text)
    assert list(every) == list(model.labels)
    assert sum(every.values()) == pytest.approx(1.0)
    assert np.allclose(list(every.values()), model.predict_proba([text])[0], atol=1e-9)
    assert [label for label, _ in model.predict([text], k=6)[0]] == sorted(
        every, key=every.get, reverse=True)


def test_a_manifest_without_target_is_a_legacy_agency_model(model_dir, tmp_path):
    copy = tmp_path / "legacy"
    copy.mkdir()
    for path in model_dir.iterdir():
        (copy / path.name).write_bytes(path.read_bytes())
    manifest = json.loads((copy / "manifest.json").read_text())
    del manifest["target"]
    (copy / "manifest.json").write_text(json.dumps(manifest))
    assert load_model(copy).target == "agency"
    manifest["target"] = "weather"
    (copy / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ModelError, match="unknown target"):
        load_model(copy)


def test_unknown_target_is_refused(tmp_path):
    with pytest.raises(ValueError, match="unknown target"):
        train_and_save(TEXTS, CATEGORIES, tmp_path / "m", target="kecamatan")


def test_labels_too_rare_to_learn_are_left_out_and_recorded(tmp_path):
    texts = TEXTS + ["pohon tumbang menutup jalan", "pohon tumbang di depan sekolah",
                     "sampah menumpuk"]
    labels = CATEGORIES + ["pohon", "pohon", "sampah"]
    assert too_rare(labels) == {"sampah": 1}
    # in a large set, fewer than one example per calibration fold (5) is too rare
    assert too_rare(labels * 80 + ["taman"] * 4) == {"taman": 4}
    model = train_and_save(texts, labels, tmp_path / "m", target="category")
    assert "pohon" in model.labels and "sampah" not in model.labels
    assert model.manifest["left_out_labels"] == {"sampah": 1}
    assert model.manifest["training_examples"] == len(texts) - 1
    with pytest.raises(ValueError, match="single example"):
        train_pipeline(texts, labels, "category")


def test_batch_and_single_predictions_agree(model_dir):
    model = load_model(model_dir)
    texts = ["pipa bocor", "jalan berlubang dekat pasar", "akta lahir", "zzz tidak dikenal"]
    batch = model.predict(texts, k=3)
    single = [model.predict([text], k=3)[0] for text in texts]  # the plain-Python path
    for one, many in zip(single, batch, strict=True):
        assert [label for label, _ in one] == [label for label, _ in many]
        assert np.allclose([p for _, p in one], [p for _, p in many])


@pytest.mark.parametrize("target", ["agency", "category"])
@pytest.mark.parametrize("n_copies", [1, 80])  # starter-sized and large-data settings
def test_scorer_reproduces_the_sklearn_pipeline(n_copies, target):
    texts = [f"{text} varian{i % 7}" for i in range(n_copies) for text in TEXTS]
    labels = (LABELS if target == "agency" else CATEGORIES) * n_copies
    extra = "PUPR" if target == "agency" else "jalan"
    texts, labels = texts + ["lampu jalan mati, dan lain lain"] * 2, labels + [extra] * 2
    pipeline = train_pipeline(texts, labels, target)
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


STARTER_TOP3 = {  # plain complaints, not in the starter set: the category must be suggested
    "KTP elektronik saya belum jadi, blangko habis katanya": "ktp_el",
    "jalan di depan balai desa berlubang besar, motor sering jatuh": "jalan",
    "lampu jalan di gang kami mati sudah seminggu": "pju",
    "sampah di TPS dekat pasar tidak diangkut berhari-hari": "sampah",
    "air PDAM di rumah keruh dan berbau": "air_pdam",
    "pedagang kaki lima berjualan di atas trotoar": "pkl",
    "saluran got di depan rumah mampet kalau hujan meluber": "drainase",
    "jukir liar minta uang parkir tanpa karcis": "parkir",
    "izin usaha saya belum terbit padahal berkas lengkap": "perizinan",
    "antrian di puskesmas lama sekali": "puskesmas",
}


def test_starter_model_covers_every_category_and_is_cautious(tmp_path):
    texts, labels = read_labelled_csv(STARTER_DATA, label_column="category")
    assert set(labels) == set(CODES)
    assert min(labels.count(label) for label in CODES) >= 2
    _, agencies = read_labelled_csv(STARTER_DATA)  # the opd column stays, for comparisons
    assert len(agencies) == len(texts)
    model = train_starter(tmp_path / "starter")
    assert model.target == "category" and set(model.labels) == set(CODES)
    loaded = load_model(tmp_path / "starter")
    assert loaded.version == model.version and loaded.target == "category"
    top = model.predict(["KTP elektronik saya belum jadi, blangko habis katanya"])[0]
    assert top[0][0] == "ktp_el"
    assert 0 < top[0][1] < 1
    rankings = model.predict(list(STARTER_TOP3), k=3)
    missed = {text: [label for label, _ in top] for (text, category), top
              in zip(STARTER_TOP3.items(), rankings, strict=True)
              if category not in [label for label, _ in top]}
    assert not missed
    # cautious: a text about nothing in particular is no one category's
    assert model.predict(["mohon ditindaklanjuti, terima kasih"])[0][0][1] < 0.5


def test_starter_model_loads_in_under_a_second(tmp_path):
    import time

    train_starter(tmp_path / "starter")
    started = time.perf_counter()
    load_model(tmp_path / "starter").predict(["jalan rusak"])
    assert time.perf_counter() - started < 1.0


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
