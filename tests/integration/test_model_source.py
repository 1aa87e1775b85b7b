"""A running process follows ``classifier promote`` without a restart."""

import time

import pytest

from classifiers.deploy import promote, train_version
from classifiers.model import STARTER_DATA, read_labelled_csv
from lapor_bridge.config import load_settings
from lapor_bridge.services.context import load_classifier


@pytest.fixture(scope="module")
def versions(tmp_path_factory):
    """Two model versions (different training data) beside an unpromoted link."""
    folder = tmp_path_factory.mktemp("models")
    texts, labels = read_labelled_csv(STARTER_DATA)
    _, first = train_version(texts, labels, folder, source="test")
    _, second = train_version(texts[:-20], labels[:-20], folder, source="test")
    return folder, first, second


def followed(folder, check_seconds):
    settings = load_settings(environ={}, overrides={
        "classifier.model_dir": str(folder / "current"),
        "classifier.reload_check_seconds": check_seconds})
    return load_classifier(settings)


def test_a_promoted_version_is_loaded_at_the_next_check(versions):
    folder, first, second = versions
    promote(first, folder / "current")
    model = followed(folder, 0.05)
    assert model.version == first.name
    promote(second, folder / "current")
    assert model.predict(["jalan berlubang"])[0]  # not due yet: still the first version
    assert model.version == first.name
    time.sleep(0.06)
    assert model.predict(["jalan berlubang"])[0]
    assert model.version == second.name


def test_a_broken_version_is_refused_and_the_current_one_keeps_routing(versions, tmp_path):
    folder, first, second = versions
    promote(first, folder / "current")
    model = followed(folder, 0)  # 0: never checks by itself
    broken = folder / "broken"
    broken.mkdir(exist_ok=True)
    for part in second.iterdir():
        (broken / part.name).write_bytes(part.read_bytes())
    (broken / "labels.json").write_text('["PUPR"]\n')  # no longer matches its checksum
    promote(broken, folder / "current")
    time.sleep(0.01)
    assert model.predict(["air pdam mati"])[0] and model.version == first.name
    assert model.follow() is False and model.version == first.name
