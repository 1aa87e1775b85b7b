"""Routing classifier benchmark on the standard split of the shared Surabaya data.

    .venv/bin/python bench/bench_classifier.py [--part candidates|speed|thresholds|all]
    .venv/bin/python bench/bench_classifier.py --part categories
    .venv/bin/python bench/bench_classifier.py --part category-candidates

``candidates``: the comparison table of ``classifiers/README.md``; each candidate
is scored on the validation split (used for the choice) and once on the test
split. ``speed``: the chosen pipeline beside the reference pipeline (TF-IDF word
1–2 + char_wb 3–5 → LinearSVC, balanced) measured in the same run: training time,
one prediction, batch throughput, model directory size, memory of a loaded model.
``thresholds``: the shipped model's coverage and auto-precision by threshold on the
validation split (which picks the default) and on the test split.
``categories``: the service-category model (targets: each row's topic mapped by
``classifiers/topic_categories.csv``) on the standard split: top-1/top-3 beside the
issue's reference (TF-IDF word 1–2 → LinearSVC on the 45 largest raw topics plus
"other", judged on its own labels), agency figures through a Surabaya-like routing
table (each category → the majority ``opd`` of its training rows) beside today's
agency model, and speed beside the scikit-learn pipeline it was reduced from.
``category-candidates``: the variants tried for the category pipeline, on the
validation split only (the choice; the test split is looked at by ``categories``).
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

from classifiers.categories import (  # noqa: E402
    agency_matrix,
    load_topic_map,
    majority_table,
    topic_labeller,
)
from classifiers.evaluation import evaluate  # noqa: E402
from classifiers.model import CATEGORY, load_model, train_and_save, train_pipeline  # noqa: E402
from classifiers.normalise import normalise  # noqa: E402
from classifiers.pipeline import build_pipeline, build_reference_pipeline  # noqa: E402
from classifiers.standard_split import standard_split, validation_split  # noqa: E402
from lapor_bridge.domain.routing import agency_scores  # noqa: E402

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


REFERENCE_TOPICS = 45


def category_splits(split_function=standard_split):
    """The same rows twice: labelled with their topic's category, and with their ``opd``
    (and a third time with the raw topic, for the issue's reference)."""
    label_of = topic_labeller(load_topic_map())
    return (
        split_function(DATA, label_of=label_of),
        split_function(DATA),
        split_function(DATA, label_column="topic"),
    )


def _top_k(classes, scores, truth, k):
    order = np.argsort(-scores, axis=1, kind="stable")[:, :k]
    return float((np.asarray(classes, dtype=object)[order] == np.asarray(truth)[:, None])
                 .any(axis=1).mean())


def topic_reference(topics) -> dict[str, float]:
    """The issue's reference: TF-IDF word 1–2-grams → LinearSVC on the 45 largest raw
    topics plus "other" (raw text, raw scores), top-1/top-3 on those labels."""
    largest = {t for t, _ in Counter(topics.train_labels).most_common(REFERENCE_TOPICS)}
    train = [t if t in largest else "other" for t in topics.train_labels]
    test = [t if t in largest else "other" for t in topics.test_labels]
    pipeline = make_pipeline(TfidfVectorizer(ngram_range=(1, 2)), LinearSVC(random_state=0))
    pipeline.fit(topics.train_texts, train)
    scores = pipeline.decision_function(topics.test_texts)
    return {"top1": _top_k(pipeline.classes_, scores, test, 1),
            "top3": _top_k(pipeline.classes_, scores, test, 3)}


def categories() -> None:
    """The category model on the standard split beside the reference, today's agency
    model, and the scikit-learn pipeline (speed)."""
    cats, opd, topics = category_splits()
    table = majority_table(cats.train_labels, opd.train_labels)
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as scratch:
        started = time.perf_counter()
        model = train_and_save(cats.train_texts, cats.train_labels, Path(scratch) / "cat",
                               target=CATEGORY)
        category_train = time.perf_counter() - started
        model = load_model(Path(scratch) / "cat")
        size = sum(f.stat().st_size for f in (Path(scratch) / "cat").iterdir())
        started = time.perf_counter()
        agency_model = train_and_save(opd.train_texts, opd.train_labels, Path(scratch) / "opd")
        agency_train = time.perf_counter() - started
    report = evaluate(model, cats.test_texts, cats.test_labels, THRESHOLD, routing=table,
                      agencies=opd.test_labels)
    today = evaluate(agency_model, opd.test_texts, opd.test_labels, THRESHOLD)
    reference = topic_reference(topics)
    confirmed, model_only = report["agency"]["confirmed"], report["agency"]["model_only"]

    print(f"standard split: {len(cats.train_texts)} train, {len(cats.test_texts)} test; "
          f"{len(model.labels)} categories learnt; Surabaya-like table: {len(table)} "
          f"categories → {len(set(table.values()))} agencies")
    print("\n| category suggestions (test) | category model | reference: 45 raw topics + other "
          "| target |")
    print("|---|---|---|---|")
    print(f"| top-1 | {report['top1']:.3f} | {reference['top1']:.3f} | ≥ 0.75 |")
    print(f"| top-3 | {report['top3']:.3f} | {reference['top3']:.3f} | ≥ 0.92 |")
    print(f"| macro-F1 over categories | {report['macro_f1']:.3f} | – | – |")
    print("\n| agency (test, 11 opd labels) | accuracy | macro-F1 | coverage@0.6 "
          "| auto-precision@0.6 | target |")
    print("|---|---|---|---|---|---|")
    print(f"| confirmed category → table | {confirmed['accuracy']:.3f} "
          f"| {confirmed['macro_f1']:.3f} | – | – | ≥ 0.97 / ≥ 0.95 |")
    print(f"| model only: category sums per agency | {model_only['accuracy']:.3f} "
          f"| {model_only['macro_f1']:.3f} | {model_only['coverage']:.3f} "
          f"| {model_only['auto_precision']:.3f} | ≥ 0.807 / ≥ 0.747 |")
    print(f"| today's agency model (same run) | {today['accuracy']:.3f} | {today['macro_f1']:.3f} "
          f"| {today['coverage']:.3f} | {today['auto_precision']:.3f} | – |")
    # where the loss is: rows whose agency is not their category's agency in the table
    truth = np.asarray(opd.test_labels, dtype=object)
    agencies, to_agency = agency_matrix(list(model.labels), table)
    summed = np.asarray(agencies, dtype=object)[
        (model.predict_proba(cats.test_texts) @ to_agency).argmax(axis=1)]
    direct = np.asarray(agency_model.labels, dtype=object)[
        agency_model.predict_proba(opd.test_texts).argmax(axis=1)]
    consistent = np.array([table.get(c) for c in cats.test_labels], dtype=object) == truth
    summed_right, direct_right = summed == truth, direct == truth
    print(f"\nrows whose agency is their category's agency in the table: {consistent.sum()} "
          f"({consistent.mean():.3f}); accuracy there: model only "
          f"{summed_right[consistent].mean():.3f}, agency model "
          f"{direct_right[consistent].mean():.3f}; on the other {(~consistent).sum()}: "
          f"model only {summed_right[~consistent].mean():.3f}, agency model "
          f"{direct_right[~consistent].mean():.3f}")

    pipeline = train_pipeline(cats.train_texts, cats.train_labels, CATEGORY)
    sample = cats.test_texts[:500]
    batch_texts = (cats.test_texts * 5)[:10_000]

    def sklearn_predict(texts):
        return pipeline.predict_proba([normalise(text) for text in texts])

    single = _best_of(3, lambda predict: _median_single(lambda t: predict([t]), sample),
                      model.predict, sklearn_predict)
    batch = _best_of(5, _batch_seconds(batch_texts), model.predict, sklearn_predict)
    one_text = _best_of(3, lambda f: _median_single(f, sample), model.probabilities_of)[0]
    agencies = set(table.values())  # summed as intake does (lapor_bridge.domain.routing)
    per_agency = _best_of(3, lambda f: _median_single(f, sample), lambda text: agency_scores(
        model.probabilities_of(text), table, agencies))[0]
    print(f"\nload average before: {load_before}, after: {os.getloadavg()}")
    print("| speed | category model (numpy / plain Python) | scikit-learn pipeline "
          "| ratio | target |")
    print("|---|---|---|---|---|")
    print(f"| one suggestion, median ms (predict([text])) | {1000 * single[0]:.3f} "
          f"| {1000 * single[1]:.3f} | {single[0] / single[1]:.2f} | ≤ 1 |")
    print(f"| one text, all probabilities (probabilities_of), median ms | {1000 * one_text:.3f} "
          f"| – | – | – |")
    print(f"| one text summed per agency, median ms | {1000 * per_agency:.3f} | – | – | – |")
    print(f"| batch of 10,000, texts/s | {len(batch_texts) / batch[0]:,.0f} "
          f"| {len(batch_texts) / batch[1]:,.0f} | {batch[1] / batch[0]:.1f}× | ≥ 10,000 |")
    print(f"| training on {len(cats.train_texts)}, s (agency model: {agency_train:.1f}) "
          f"| {category_train:.1f} | – | – | ≤ 60 |")
    print(f"| model directory, MB | {size / 2**20:.2f} | – | – | – |")
    print(json.dumps({
        "top1": report["top1"], "top3": report["top3"], "reference": reference,
        "confirmed": {k: confirmed[k] for k in ("accuracy", "macro_f1")},
        "model_only": {k: model_only[k] for k in ("accuracy", "macro_f1", "coverage",
                                                  "auto_precision")},
        "agency_model": {k: today[k] for k in ("accuracy", "macro_f1", "coverage",
                                               "auto_precision")},
        "per_agency_model_only": {k: v["f1"] for k, v in model_only["per_class"].items()},
    }))


def _category_variant(C=1.0, class_weight=None, min_df=2, method="sigmoid"):
    return make_pipeline(
        TfidfVectorizer(lowercase=False, token_pattern=r"\S+", ngram_range=(1, 2), min_df=min_df,
                        sublinear_tf=True, dtype=np.float32),
        CalibratedClassifierCV(LinearSVC(C=C, class_weight=class_weight, random_state=0),
                               method=method, cv=5, ensemble=False),
    )


def _sqrt_weights(labels):
    """Per-example weights (n / (k × count))^0.5: half-way between none and balanced."""
    counts = Counter(labels)
    return np.array([(len(labels) / (len(counts) * counts[label])) ** 0.5 for label in labels])


CATEGORY_VARIANTS = {
    "agency pipeline on categories: C0.3 balanced, temperature": {
        "C": 0.3, "class_weight": "balanced", "method": "temperature"},
    "C0.1 balanced temperature": {"C": 0.1, "class_weight": "balanced", "method": "temperature"},
    "C1 balanced temperature": {"C": 1.0, "class_weight": "balanced", "method": "temperature"},
    "C0.3 none temperature": {"C": 0.3, "method": "temperature"},
    "C0.3 sqrt temperature": {"C": 0.3, "method": "temperature", "sqrt": True},
    "C0.3 balanced temperature min_df 1": {
        "C": 0.3, "class_weight": "balanced", "method": "temperature", "min_df": 1},
    "C0.3 balanced temperature min_df 3": {
        "C": 0.3, "class_weight": "balanced", "method": "temperature", "min_df": 3},
    "C0.3 balanced sigmoid": {"C": 0.3, "class_weight": "balanced"},
    "C1 balanced sigmoid": {"C": 1.0, "class_weight": "balanced"},
    "C0.5 none sigmoid": {"C": 0.5},
    "C2 none sigmoid": {"C": 2.0},
    "C1 none sigmoid min_df 1": {"C": 1.0, "min_df": 1},
    "C1 none temperature": {"C": 1.0, "method": "temperature"},
    "CHOSEN: C1 none sigmoid (min_df 2)": {"C": 1.0},
}


def category_candidates() -> None:
    """The category pipeline variants on the validation split (the choice)."""
    cats, opd, _ = category_splits(validation_split)
    table = majority_table(cats.train_labels, opd.train_labels)
    train = [normalise(text) for text in cats.train_texts]
    test = [normalise(text) for text in cats.test_texts]
    truth = np.asarray(opd.test_labels, dtype=object)
    print(f"validation split: {len(train)} train, {len(test)} validation")
    print("| variant | val top-1 | val top-3 | val agency acc (model only) "
          "| val agency macro-F1 | train s |")
    print("|---|---|---|---|---|---|")
    for name, settings in CATEGORY_VARIANTS.items():
        settings = dict(settings)
        weights = _sqrt_weights(cats.train_labels) if settings.pop("sqrt", False) else None
        pipeline = _category_variant(**settings)
        started = time.perf_counter()
        fit = {"calibratedclassifiercv__sample_weight": weights} if weights is not None else {}
        pipeline.fit(train, cats.train_labels, **fit)
        seconds = time.perf_counter() - started
        probabilities = pipeline.predict_proba(test)
        agencies, to_agency = agency_matrix(list(pipeline.classes_), table)
        predicted = np.asarray(agencies, dtype=object)[(probabilities @ to_agency).argmax(axis=1)]
        print(f"| {name} | {_top_k(pipeline.classes_, probabilities, cats.test_labels, 1):.3f} "
              f"| {_top_k(pipeline.classes_, probabilities, cats.test_labels, 3):.3f} "
              f"| {(predicted == truth).mean():.3f} "
              f"| {f1_score(truth, predicted, average='macro'):.3f} | {seconds:.1f} |",
              flush=True)
    agency = build_pipeline(len(train)).fit(train, opd.train_labels)
    predicted = agency.predict(test)
    print(f"| today's agency model (opd labels) | – | – | {(predicted == truth).mean():.3f} "
          f"| {f1_score(truth, predicted, average='macro'):.3f} | – |")


def main() -> None:
    """Run the requested benchmark part(s)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--part",
        choices=("candidates", "speed", "thresholds", "categories", "category-candidates", "all"),
        default="all",
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
    if part in ("categories", "all"):
        categories()
    if part == "category-candidates":
        category_candidates()


if __name__ == "__main__":
    main()
