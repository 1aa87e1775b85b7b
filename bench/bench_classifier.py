"""Routing classifier benchmark on the standard split of the shared Surabaya data.

    .venv/bin/python bench/bench_classifier.py [--part candidates|speed|thresholds|all]

``candidates``: the comparison table of ``classifiers/README.md``; each candidate
is scored on the validation split (used for the choice) and once on the test
split. ``speed``: the chosen pipeline beside the reference pipeline (TF-IDF word
1–2 + char_wb 3–5 → LinearSVC, balanced) measured in the same run: training time,
one prediction, batch throughput, model directory size, memory of a loaded model.
``thresholds``: the shipped model's coverage and auto-precision by threshold on the
validation split (which picks the default) and on the test split.
Reads ``../shared/data/`` beside the repository; exits with a message if absent.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.naive_bayes import ComplementNB
from sklearn.pipeline import FeatureUnion, make_pipeline
from sklearn.svm import LinearSVC

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from classifiers.evaluation import evaluate  # noqa: E402
from classifiers.model import load_model, train_and_save  # noqa: E402
from classifiers.normalise import normalise  # noqa: E402
from classifiers.pipeline import build_pipeline, build_reference_pipeline  # noqa: E402
from classifiers.standard_split import standard_split, validation_split  # noqa: E402

DATA = REPO.parent / "shared" / "data" / "surabaya_complaints_2022.csv"
THRESHOLD = 0.6


def _word_tfidf(**extra):
    return TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True, **extra)


def _temperature(estimator):
    return CalibratedClassifierCV(estimator, method="temperature", cv=5)


def _word_svc():
    return make_pipeline(_word_tfidf(), _temperature(LinearSVC(C=0.3, class_weight="balanced")))


def _char_svc():
    return make_pipeline(
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True),
        _temperature(LinearSVC(C=0.3, class_weight="balanced")),
    )


class FineTargets:
    """Trains ``pipeline`` on a finer label (``unit_group``, ``unit``) and sums its
    probabilities into the coarse labels; the fine → coarse map comes from training
    (each fine label belongs to one coarse label in the Surabaya data)."""

    def __init__(self, pipeline, column):
        self.pipeline, self.column = pipeline, column

    def fit(self, texts, labels, fine_labels):
        # a fine class too small for 5 calibration folds joins its label's largest one
        counts = Counter(zip(fine_labels, labels, strict=True))
        largest = {label: fine for (fine, label), _ in reversed(counts.most_common())}
        fine_labels = [
            fine if counts[fine, label] >= 5 else largest[label]
            for fine, label in zip(fine_labels, labels, strict=True)
        ]
        coarse_of = dict(zip(fine_labels, labels, strict=True))
        self.pipeline.fit(texts, fine_labels)
        self.classes_ = np.array(sorted(set(labels)))
        fine_classes = self.pipeline.classes_
        self.to_coarse = np.array(
            [[coarse_of[fine] == label for label in self.classes_] for fine in fine_classes],
            dtype=float,
        )
        return self

    def predict_proba(self, texts):
        return self.pipeline.predict_proba(texts) @ self.to_coarse

    def predict(self, texts):
        return self.classes_[self.predict_proba(texts).argmax(axis=1)]


class Average:
    """Mean of the probabilities of several candidates (each may train on fine targets)."""

    def __init__(self, *members):
        self.members = members

    def fit(self, texts, labels, fine_labels):
        for member in self.members:
            if isinstance(member, FineTargets):
                member.fit(texts, labels, fine_labels[member.column])
            else:
                member.fit(texts, labels)
        self.classes_ = self.members[0].classes_
        return self

    def predict_proba(self, texts):
        return np.mean([member.predict_proba(texts) for member in self.members], axis=0)

    def predict(self, texts):
        return self.classes_[self.predict_proba(texts).argmax(axis=1)]


# name → (pipeline factory, whether texts are normalised first)
CANDIDATES = {
    "reference: word1-2+char_wb3-5 tfidf → LinearSVC (raw scores)": (
        build_reference_pipeline,
        False,
    ),
    "reference + sigmoid calibration (3 folds)": (
        lambda: make_pipeline(
            build_reference_pipeline()[0],
            CalibratedClassifierCV(LinearSVC(class_weight="balanced"), cv=3),
        ),
        False,
    ),
    "word1-2+char_wb3-5 tfidf → LinearSVC C0.3 + temperature": (
        lambda: make_pipeline(
            FeatureUnion(
                [
                    ("word", _word_tfidf()),
                    ("char", TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), min_df=2)),
                ]
            ),
            _temperature(LinearSVC(C=0.3, class_weight="balanced")),
        ),
        True,
    ),
    "word1-2 tfidf → LinearSVC C0.3 (raw scores)": (
        lambda: make_pipeline(_word_tfidf(), LinearSVC(C=0.3, class_weight="balanced")),
        True,
    ),
    "word1-2 hashing 2^20 → LinearSVC C0.3 + temperature": (
        lambda: make_pipeline(
            HashingVectorizer(
                ngram_range=(1, 2), n_features=2**20, alternate_sign=False, norm=None
            ),
            TfidfTransformer(sublinear_tf=True),
            _temperature(LinearSVC(C=0.3, class_weight="balanced")),
        ),
        True,
    ),
    "word1-2 tfidf → LogisticRegression C30 balanced": (
        lambda: make_pipeline(
            _word_tfidf(), LogisticRegression(C=30, class_weight="balanced", max_iter=3000)
        ),
        True,
    ),
    "word1-2 tfidf → ComplementNB": (
        lambda: make_pipeline(_word_tfidf(), ComplementNB(alpha=0.3)),
        True,
    ),
    "unit_group targets (34): word1-2 tfidf → LinearSVC C0.3 + temperature, summed to opd": (
        lambda: FineTargets(_word_svc(), "unit_group"),
        True,
    ),
    "unit targets (213): word1-2 tfidf → LinearSVC C0.3 + temperature, summed to opd": (
        lambda: FineTargets(_word_svc(), "unit"),
        True,
    ),
    "mean of word1-2 SVC and char_wb2-5 SVC probabilities (temperature each)": (
        lambda: Average(_word_svc(), _char_svc()),
        True,
    ),
    "mean of word1-2 SVC on opd and word1-2 SVC on unit_group": (
        lambda: Average(_word_svc(), FineTargets(_word_svc(), "unit_group")),
        True,
    ),
    "mean of char_wb2-5 SVC on opd and word1-2 SVC on unit_group": (
        lambda: Average(_char_svc(), FineTargets(_word_svc(), "unit_group")),
        True,
    ),
    "CHOSEN without normalisation: sklearn's lower-casing tokeniser (ablation)": (
        lambda: make_pipeline(
            _word_tfidf(), _temperature(LinearSVC(C=0.3, class_weight="balanced", random_state=0))
        ),
        False,
    ),
    "CHOSEN: normalise → word1-2 tfidf → LinearSVC C0.3 + temperature": (
        lambda: build_pipeline(10_000),
        True,
    ),
}


def _precision_at_coverage(probabilities, correct, coverage):
    order = np.argsort(-probabilities.max(axis=1), kind="stable")
    return float(correct[order[: int(coverage * len(correct))]].mean())


def _score(factory, normalised, split, fine_labels):
    prepare = (lambda texts: [normalise(t) for t in texts]) if normalised else list
    pipeline = factory()
    started = time.perf_counter()
    if isinstance(pipeline, FineTargets):
        fine = fine_labels[pipeline.column]
        pipeline.fit(prepare(split.train_texts), split.train_labels, fine)
    elif isinstance(pipeline, Average):
        pipeline.fit(prepare(split.train_texts), split.train_labels, fine_labels)
    else:
        pipeline.fit(prepare(split.train_texts), split.train_labels)
    train_seconds = time.perf_counter() - started
    started = time.perf_counter()
    predicted = pipeline.predict(prepare(split.test_texts))
    batch_rate = len(split.test_texts) / (time.perf_counter() - started)
    row = {
        "accuracy": accuracy_score(split.test_labels, predicted),
        "macro_f1": f1_score(split.test_labels, predicted, average="macro"),
        "train_s": train_seconds,
        "texts_per_s": batch_rate,
    }
    if hasattr(pipeline, "predict_proba"):
        probabilities = pipeline.predict_proba(prepare(split.test_texts))
        correct = pipeline.classes_[probabilities.argmax(axis=1)] == np.asarray(split.test_labels)
        confident = probabilities.max(axis=1) >= THRESHOLD
        row["coverage@0.6"] = float(confident.mean())
        row["auto_precision@0.6"] = float(correct[confident].mean())
        row["precision@70%cov"] = _precision_at_coverage(probabilities, correct, 0.7)
    return row


def candidates(only: str = "") -> None:
    """Print the candidate table (markdown): validation and test figures.

    ``only`` restricts the run to candidates whose name contains it.
    """
    validation, test = validation_split(DATA), standard_split(DATA)
    fine = {  # the same rows' finer labels, for candidates trained on them (never as input)
        name: {
            column: split_function(DATA, label_column=column).train_labels
            for column in ("unit_group", "unit")
        }
        for name, split_function in (("validation", validation_split), ("test", standard_split))
    }
    print(
        "| candidate | val acc | val macro-F1 | test acc | test macro-F1 | test cov@0.6 "
        "| test auto-prec@0.6 | test prec@70% cov | train s | texts/s |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, (factory, normalised) in CANDIDATES.items():
        if only not in name:
            continue
        val = _score(factory, normalised, validation, fine["validation"])
        tst = _score(factory, normalised, test, fine["test"])

        def cell(row, key):
            return f"{row[key]:.3f}" if key in row else "–"

        print(
            f"| {name} | {cell(val, 'accuracy')} | {cell(val, 'macro_f1')} "
            f"| {cell(tst, 'accuracy')} | {cell(tst, 'macro_f1')} | {cell(tst, 'coverage@0.6')} "
            f"| {cell(tst, 'auto_precision@0.6')} | {cell(tst, 'precision@70%cov')} "
            f"| {tst['train_s']:.1f} | {tst['texts_per_s']:.0f} |",
            flush=True,
        )


_MEMORY_PROBE = """
import resource, sys
sys.path.insert(0, {repo!r})
import numpy, scipy, sklearn
from classifiers.model import load_model
def rss():
    return int(open('/proc/self/statm').read().split()[1]) * resource.getpagesize()
before = rss()
if {reference!r}:
    import pickle
    with open({path!r}, 'rb') as handle:
        model = pickle.load(handle)
    model.predict(['jalan rusak'])
else:
    load_model({path!r}).predict(['jalan rusak'])
print(rss() - before)
"""


def _memory_added(path: Path, reference: bool) -> int:
    code = _MEMORY_PROBE.format(repo=str(REPO), path=str(path), reference=reference)
    return int(subprocess.check_output([sys.executable, "-c", code], text=True).strip())


def _median_single(predict_one, texts) -> float:
    timings = []
    for text in texts:
        started = time.perf_counter()
        predict_one(text)
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def _best_of(rounds: int, measure, *predictors) -> list[float]:
    """Best (lowest) of ``rounds`` measurements per predictor, taken in turn so that
    both see the same moments of machine load."""
    best = [float("inf")] * len(predictors)
    for _ in range(rounds):
        for index, predictor in enumerate(predictors):
            best[index] = min(best[index], measure(predictor))
    return best


def _batch_seconds(texts):
    def measure(predict_batch) -> float:
        started = time.perf_counter()
        predict_batch(texts)
        return time.perf_counter() - started

    return measure


def speed() -> None:
    """Print the chosen pipeline's cost beside the reference pipeline's."""
    import pickle

    split = standard_split(DATA)
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as scratch:
        started = time.perf_counter()
        reference = build_reference_pipeline().fit(split.train_texts, split.train_labels)
        reference_train = time.perf_counter() - started
        reference_path = Path(scratch) / "reference.pkl"
        reference_path.write_bytes(pickle.dumps(reference))
        started = time.perf_counter()
        chosen = train_and_save(split.train_texts, split.train_labels, Path(scratch) / "chosen")
        chosen_train = time.perf_counter() - started
        chosen = load_model(Path(scratch) / "chosen")
        chosen_size = sum(f.stat().st_size for f in (Path(scratch) / "chosen").iterdir())
        sample = split.test_texts[:500]
        batch_texts = (split.test_texts * 5)[:10_000]
        single = _best_of(
            3,
            lambda predict: _median_single(lambda text: predict([text]), sample),
            chosen.predict,
            reference.predict,
        )
        batch = _best_of(5, _batch_seconds(batch_texts), chosen.predict, reference.predict)
        figures = {
            "train_s": (chosen_train, reference_train),
            "single_ms_median": (1000 * single[0], 1000 * single[1]),
            "batch_texts_per_s": (len(batch_texts) / batch[0], len(batch_texts) / batch[1]),
            "model_dir_mb": (chosen_size / 2**20, reference_path.stat().st_size / 2**20),
            "loaded_model_rss_mb": (
                _memory_added(Path(scratch) / "chosen", False) / 2**20,
                _memory_added(reference_path, True) / 2**20,
            ),
        }
    print(f"load average before: {load_before}, after: {os.getloadavg()}")
    print("| figure | chosen | reference | chosen / reference |")
    print("|---|---|---|---|")
    for name, (ours, theirs) in figures.items():
        print(f"| {name} | {ours:.3g} | {theirs:.3g} | {ours / theirs:.2f} |")
    print(json.dumps({name: round(ours, 4) for name, (ours, _) in figures.items()}))


THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.97, 0.98, 0.99, 0.995)
TARGET_PRECISION = 0.95


def thresholds() -> None:
    """The shipped model's coverage / auto-precision by threshold: the default threshold
    is the lowest reaching :data:`TARGET_PRECISION` on the validation split; the test
    split is then reported at every threshold (it plays no part in the choice)."""
    reports = {}
    with tempfile.TemporaryDirectory() as scratch:
        for name, split in (("validation", validation_split(DATA)), ("test", standard_split(DATA))):
            model = train_and_save(split.train_texts, split.train_labels, Path(scratch) / name)
            reports[name] = {
                threshold: evaluate(model, split.test_texts, split.test_labels, threshold)
                for threshold in THRESHOLDS
            }
    reaching = [
        t
        for t, r in reports["validation"].items()
        if (r["auto_precision"] or 0) >= TARGET_PRECISION
    ]
    lowest = min(reaching, default=None)
    print(f"lowest threshold with validation auto_precision >= {TARGET_PRECISION}: {lowest}")
    print("| threshold | val coverage | val auto-precision | test coverage | test auto-precision |")
    print("|---|---|---|---|---|")
    for threshold in THRESHOLDS:
        val, tst = reports["validation"][threshold], reports["test"][threshold]
        print(
            f"| {threshold} | {val['coverage']:.3f} | {val['auto_precision']:.3f} "
            f"| {tst['coverage']:.3f} | {tst['auto_precision']:.3f} |"
        )
    test = reports["test"][0.6]
    print(json.dumps({key: test[key] for key in ("accuracy", "macro_f1", "per_class")}))


def main() -> None:
    """Run the requested benchmark part(s)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--part", choices=("candidates", "speed", "thresholds", "all"), default="all"
    )
    parser.add_argument("--only", default="", help="Candidates whose name contains this.")
    arguments = parser.parse_args()
    part = arguments.part
    if not DATA.is_file():
        sys.exit(f"skipped: {DATA} is absent (the shared data lives beside the repository)")
    if part in ("speed", "all"):
        speed()
    if part in ("thresholds", "all"):
        thresholds()
    if part in ("candidates", "all"):
        candidates(arguments.only)


if __name__ == "__main__":
    main()
