"""The service-category model on the real Surabaya complaints (standard split).

The resident's pick is simulated by the row's topic mapped to its category
(``classifiers/topic_categories.csv``); the "Surabaya-like" routing table sends each
category to the majority ``opd`` of its training rows. Figures and targets: see the
"Categories" section of ``classifiers/README.md``.
"""

from pathlib import Path

import pytest

from classifiers import train_and_save
from classifiers.categories import load_topic_map, majority_table, topic_labeller
from classifiers.evaluation import evaluate
from classifiers.standard_split import standard_split

DATA = (
    Path(__file__).resolve().parents[2].parent / "shared" / "data" / "surabaya_complaints_2022.csv"
)
THRESHOLD = 0.6

# The issue's targets. The three suggestion/model-only ones are not reached (see the
# README): their measured figures (top-1 0.719, top-3 0.877, model-only 0.798 / 0.740)
# are guarded below as floors against regressions, and test_issue_targets records the gap.
TARGETS = {
    "top1": 0.75,
    "top3": 0.92,
    "confirmed accuracy": 0.97,
    "confirmed macro-F1": 0.95,
    "model-only accuracy": 0.807,
    "model-only macro-F1": 0.747,
}
FLOORS = {
    "top1": 0.71,
    "top3": 0.87,
    "confirmed accuracy": 0.97,
    "confirmed macro-F1": 0.95,
    "model-only accuracy": 0.79,
    "model-only macro-F1": 0.73,
}


@pytest.fixture(scope="module")
def figures(tmp_path_factory):
    if not DATA.is_file():
        pytest.skip(f"real-data category test skipped: {DATA} is absent")
    categories = standard_split(DATA, label_of=topic_labeller(load_topic_map()))
    agencies = standard_split(DATA)
    assert categories.test_texts == agencies.test_texts
    assert (len(categories.train_texts), len(categories.test_texts)) == (9851, 2229)
    model = train_and_save(categories.train_texts, categories.train_labels,
                           tmp_path_factory.mktemp("model") / "categories", target="category")
    table = majority_table(categories.train_labels, agencies.train_labels)
    report = evaluate(model, categories.test_texts, categories.test_labels, THRESHOLD,
                      routing=table, agencies=agencies.test_labels)
    confirmed, model_only = report["agency"]["confirmed"], report["agency"]["model_only"]
    measured = {
        "top1": report["top1"],
        "top3": report["top3"],
        "confirmed accuracy": confirmed["accuracy"],
        "confirmed macro-F1": confirmed["macro_f1"],
        "model-only accuracy": model_only["accuracy"],
        "model-only macro-F1": model_only["macro_f1"],
    }
    print({name: round(value, 4) for name, value in measured.items()})
    return measured


@pytest.mark.slow
def test_category_model_quality_on_the_standard_split(figures):
    below = {name: f"{figures[name]:.4f} < {floor}" for name, floor in FLOORS.items()
             if figures[name] < floor}
    assert not below, f"category model below its floors: {below}"


@pytest.mark.slow
@pytest.mark.xfail(strict=True, reason="top-1, top-3 and model-only agency figures are below "
                   "the issue's targets (README: Categories); strict: passing means update it")
def test_issue_targets(figures):
    below = {name: f"{figures[name]:.4f} < {target}" for name, target in TARGETS.items()
             if figures[name] < target}
    assert not below, f"below the issue's targets: {below}"
