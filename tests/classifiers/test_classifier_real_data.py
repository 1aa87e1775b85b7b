"""Quality on the real Surabaya complaints (standard split), against the reference."""

from pathlib import Path

import pytest
from sklearn.metrics import f1_score

from classifiers import train_and_save
from classifiers.evaluation import evaluate
from classifiers.pipeline import build_reference_pipeline
from classifiers.standard_split import standard_split

DATA = (
    Path(__file__).resolve().parents[2].parent / "shared" / "data" / "surabaya_complaints_2022.csv"
)


@pytest.mark.slow
def test_standard_split_is_at_least_as_good_as_the_reference(tmp_path):
    if not DATA.is_file():
        pytest.skip(f"real-data classifier test skipped: {DATA} is absent")
    split = standard_split(DATA)
    assert (len(split.train_texts), len(split.test_texts)) == (9851, 2229)
    model = train_and_save(split.train_texts, split.train_labels, tmp_path / "model")
    report = evaluate(model, split.test_texts, split.test_labels, threshold=0.6)
    reference = build_reference_pipeline().fit(split.train_texts, split.train_labels)
    predicted = reference.predict(split.test_texts)
    reference_macro_f1 = f1_score(split.test_labels, predicted, average="macro")
    reference_accuracy = float((predicted == split.test_labels).mean())
    print(f"chosen: {report['macro_f1']=} {report['accuracy']=}")
    print(f"reference: {reference_macro_f1=:.4f} {reference_accuracy=:.4f}")
    # Level with the reference, not above the data README's 0.751: the same-run reference
    # is the bar, plus floors just under the shipped figures (0.747 / 0.807) against regressions.
    assert report["macro_f1"] >= round(reference_macro_f1, 4) and report["macro_f1"] >= 0.74
    assert report["accuracy"] >= round(reference_accuracy, 4) - 0.005 and report["accuracy"] >= 0.80
    assert report["auto_precision"] >= 0.85 and report["coverage"] >= 0.75
