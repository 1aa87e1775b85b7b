"""How far a text-only routing model can get on the standard split: the label ceiling.

    .venv/bin/python bench/classifier_ceiling.py

Prints aggregate figures only, never a row (the texts contain personal names):

1. near-duplicate pairs of distinct texts (the shipped word 1–2 TF-IDF, cosine ≥ 0.9 / 0.8)
   and the share of them whose ``opd`` differs;
2. test rows handled by a ward or district office (``unit_group`` "Kelurahan (wilayah)" or
   "Kecamatan (wilayah)"; all labelled LAINNYA): their share, the shipped model's accuracy on
   them and on the other rows, and its figures on the other rows alone;
3. the oracle bound: test accuracy if every ward-handled row were predicted right;
4. for analysis only: ``topic`` → the majority ``opd`` of that topic in training, on test;
5. the same near-duplicate count for service categories (each row's topic mapped by
   ``classifiers/topic_categories.csv``): how often nearly the same text has another
   category, which bounds top-1 suggestions.

``unit_group`` and ``topic`` only select rows or serve this analysis; they are never model
features. The shipped model is trained and scored as shipped (``train_and_save`` →
``RoutingModel.predict_proba``). Reads ``../shared/data/`` beside the repository; exits
with a message if absent.
"""

from __future__ import annotations

import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
import scipy.sparse as sp

# bench_classifier puts the repository on sys.path, so it comes before `classifiers`
from bench_classifier import DATA, _precision_at_coverage
from sklearn.metrics import f1_score

from classifiers.categories import load_topic_map, topic_labeller
from classifiers.model import train_and_save
from classifiers.normalise import normalise
from classifiers.pipeline import build_pipeline
from classifiers.standard_split import standard_split

WARD_OFFICES = ("Kelurahan (wilayah)", "Kecamatan (wilayah)")
SIMILARITY_FLOORS = (0.9, 0.8)


def near_duplicates(texts: list[str], labels: list[str], name: str = "opd") -> None:
    """(1) Label disagreement among pairs of distinct texts that are nearly the same."""
    features = build_pipeline(len(texts))["features"].set_params(min_df=1)
    vectors = features.fit_transform([normalise(text) for text in texts])
    pairs = sp.triu(vectors @ vectors.T, k=1).tocoo()
    labels = np.asarray(labels, dtype=object)
    for floor in SIMILARITY_FLOORS:
        close = pairs.data >= floor
        differ = labels[pairs.row[close]] != labels[pairs.col[close]]
        print(
            f"near-duplicate pairs, cosine >= {floor}: {close.sum()} pairs, "
            f"different {name} {differ.mean():.3f} ({differ.sum()})"
        )


def main() -> None:
    """Print the ceiling figures."""
    if not DATA.is_file():
        sys.exit(f"skipped: {DATA} is absent (the shared data lives beside the repository)")
    split = standard_split(DATA)
    units = standard_split(DATA, label_column="unit_group")
    topics = standard_split(DATA, label_column="topic")
    print(f"standard split: {len(split.train_texts)} train, {len(split.test_texts)} test")

    print("\n(1) near-duplicate texts")
    near_duplicates(split.train_texts + split.test_texts, split.train_labels + split.test_labels)

    print("\n(2) ward/district offices (shipped model, standard split)")
    with tempfile.TemporaryDirectory() as scratch:
        model = train_and_save(split.train_texts, split.train_labels, Path(scratch) / "model")
    probabilities = model.predict_proba(split.test_texts)
    truth = np.asarray(split.test_labels, dtype=object)
    predicted = np.asarray(model.labels, dtype=object)[probabilities.argmax(axis=1)]
    correct = predicted == truth
    ward = np.isin(units.test_labels, WARD_OFFICES)
    errors = int((~correct).sum())
    print(
        f"all test rows: accuracy {correct.mean():.3f}, macro-F1 "
        f"{f1_score(truth, predicted, average='macro'):.3f}, "
        f"precision@70% coverage {_precision_at_coverage(probabilities, correct, 0.7):.3f}"
    )
    print(
        f"ward-handled test rows: {ward.sum()} ({ward.mean():.3f}), all LAINNYA: "
        f"{bool((truth[ward] == 'LAINNYA').all())}; accuracy on them {correct[ward].mean():.3f}"
    )
    print(
        f"errors on ward-handled rows: {(~correct[ward]).sum()} of {errors} "
        f"({(~correct[ward]).sum() / errors:.3f})"
    )
    print(
        f"other rows ({(~ward).sum()}): accuracy {correct[~ward].mean():.3f}, macro-F1 "
        f"{f1_score(truth[~ward], predicted[~ward], average='macro'):.3f}, precision@70% "
        f"coverage {_precision_at_coverage(probabilities[~ward], correct[~ward], 0.7):.3f}"
    )

    print("\n(3) oracle bound")
    print(f"accuracy if every ward-handled row were right: {(correct | ward).mean():.3f}")
    needed = (0.88 - ward.mean() * correct[ward].mean()) / (~ward).mean()
    print(f"0.88 with ward rows as now needs on the other rows: {needed:.3f}")

    print("\n(4) analysis only: topic -> majority opd in train (topic is never a feature)")
    votes: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for topic, label in zip(topics.train_labels, split.train_labels, strict=True):
        votes[topic][label] += 1
    majority = {topic: counts.most_common(1)[0][0] for topic, counts in votes.items()}
    seen = np.array([topic in majority for topic in topics.test_labels])
    pairs = zip(topics.test_labels, predicted, strict=True)
    looked_up = np.array([majority.get(topic, fallback) for topic, fallback in pairs], dtype=object)
    print(
        f"test accuracy {(looked_up == truth).mean():.3f}, macro-F1 "
        f"{f1_score(truth, looked_up, average='macro'):.3f} (the {(~seen).sum()} rows with an "
        f"unseen topic take the text model's prediction); on seen topics "
        f"{(looked_up[seen] == truth[seen]).mean():.3f}"
    )

    print("\n(5) service categories: near-duplicate texts")
    categories = standard_split(DATA, label_of=topic_labeller(load_topic_map()))
    near_duplicates(categories.train_texts + categories.test_texts,
                    categories.train_labels + categories.test_labels, "category")


if __name__ == "__main__":
    main()
