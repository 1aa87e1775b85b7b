"""The fitted routing pipeline reduced to plain arrays, scored with numpy (batches) or
plain Python (one text).

Inference re-implements exactly what the fitted scikit-learn pipeline of
:mod:`classifiers.pipeline` computes (word n-gram TF-IDF with sublinear tf and
l2 norm, linear scores, calibration) without scikit-learn's per-call overhead,
and is stored as JSON plus an ``.npz`` archive read with ``allow_pickle=False``:
loading a model never executes code.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from itertools import chain, pairwise, repeat
from math import fsum, log, sqrt
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.pipeline import Pipeline

ARRAYS_FILE = "model.npz"
VOCABULARY_FILE = "vocabulary.json"
LABELS_FILE = "labels.json"
FILES = (ARRAYS_FILE, VOCABULARY_FILE, LABELS_FILE)


class LinearTextScorer:
    """Agency probabilities for normalised texts from TF-IDF features and a linear model."""

    def __init__(
        self,
        terms: Sequence[str],
        idf: np.ndarray,
        coef: np.ndarray,
        intercept: np.ndarray,
        labels: Sequence[str],
        calibration: np.ndarray,
    ) -> None:
        """``coef`` is (terms × labels); ``calibration`` is ``[beta]`` for temperature
        scaling or a (2 × labels) array of per-class sigmoid parameters ``a, b``."""
        self.terms = list(terms)
        self.idf = np.asarray(idf, dtype=np.float64)
        # float32 as stored: half the memory of float64 (products are taken in float64)
        self.coef = np.ascontiguousarray(coef, dtype=np.float32)
        self.intercept = np.asarray(intercept, dtype=np.float64)
        self.labels = tuple(labels)
        self.calibration = np.asarray(calibration, dtype=np.float64)
        if self.coef.shape != (len(self.terms), len(self.labels)):
            raise ValueError("coefficients do not match terms × labels")
        self._index_terms()

    def _index_terms(self) -> None:
        """Number the words of the terms so that look-ups are array operations:
        ``_unigram[word]`` is a word's term column (-1: none); a bigram's column is
        found by binary search of its key ``first * n_words + second``."""
        parts = [term.split(" ") for term in self.terms]
        if any(len(words) > 2 for words in parts):
            raise ValueError("terms must be words or word bigrams")
        self.word_ids = {word: i for i, word in enumerate(dict.fromkeys(chain(*parts)))}
        self._unigram = np.full(len(self.word_ids), -1, dtype=np.int64)
        keys, columns = [np.iinfo(np.int64).max], [-1]  # a sentinel: the search never runs off
        for column, words in enumerate(parts):
            ids = [self.word_ids[word] for word in words]
            if len(ids) == 1:
                self._unigram[ids[0]] = column
            else:
                keys.append(ids[0] * len(self.word_ids) + ids[1])
                columns.append(column)
        order = np.argsort(keys)
        self._bigram_keys = np.asarray(keys, dtype=np.int64)[order]
        self._bigram_columns = np.asarray(columns, dtype=np.int64)[order]
        self._column_of = {term: column for column, term in enumerate(self.terms)}
        self._idf_values = memoryview(self.idf)  # read by ``probabilities`` as Python floats

    @classmethod
    def from_pipeline(cls, pipeline: Pipeline) -> LinearTextScorer:
        """Extract the arrays of a fitted :func:`classifiers.pipeline.build_pipeline`."""
        vectorizer, calibrated = pipeline[0], pipeline[-1]
        (fold,) = calibrated.calibrated_classifiers_
        coef, intercept = fold.estimator.coef_, fold.estimator.intercept_
        if calibrated.method == "temperature":
            calibration = np.array([fold.calibrators[0].beta_])
        else:
            calibration = np.array(
                [[c.a_ for c in fold.calibrators], [c.b_ for c in fold.calibrators]]
            )
        if len(calibrated.classes_) == 2:  # one score x for the second label: use (-x, x)
            coef, intercept = np.vstack([-coef, coef]), np.concatenate([-intercept, intercept])
            if calibration.ndim == 2:  # the first label's probability is 1 - p(second)
                (a, b) = calibration[:, 0]
                calibration = np.array([[a, a], [-b, b]])
        terms = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.get)
        labels = [str(label) for label in calibrated.classes_]
        return cls(terms, vectorizer.idf_, coef.T, intercept, labels, calibration)

    def _term_occurrences(self, documents: Sequence[list[str]]) -> tuple[np.ndarray, ...]:
        """(document row, term column) of every uni- and bigram occurrence in the vocabulary."""
        lengths = np.fromiter(map(len, documents), dtype=np.int64, count=len(documents))
        words = np.fromiter(
            map(self.word_ids.get, chain.from_iterable(documents), repeat(-1)),
            dtype=np.int64,
            count=int(lengths.sum()),
        )
        row = np.repeat(np.arange(len(documents)), lengths)
        known = words >= 0
        pair = known[:-1] & known[1:] & (row[:-1] == row[1:])  # two known words, one document
        keys = words[:-1][pair] * len(self.word_ids) + words[1:][pair]
        slot = np.searchsorted(self._bigram_keys, keys)
        found = self._bigram_keys[slot] == keys
        rows = np.concatenate([row[known], row[:-1][pair][found]])
        columns = np.concatenate([self._unigram[words[known]], self._bigram_columns[slot[found]]])
        in_vocabulary = columns >= 0
        return rows[in_vocabulary], columns[in_vocabulary]

    def features(self, documents: Sequence[list[str]]) -> csr_matrix:
        """TF-IDF matrix (documents × terms): sublinear tf, idf, rows l2-normalised."""
        rows, columns = self._term_occurrences(documents)
        cells, counts = np.unique(rows * len(self.terms) + columns, return_counts=True)
        rows, columns = np.divmod(cells, len(self.terms))
        weights = (1.0 + np.log(counts)) * self.idf[columns]
        norms = np.sqrt(np.bincount(rows, weights**2, minlength=len(documents)))
        indptr = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=len(documents)))])
        return csr_matrix(
            (weights / norms[rows], columns, indptr), shape=(len(documents), len(self.terms))
        )

    def predict_proba(self, documents: Sequence[list[str]]) -> np.ndarray:
        """Calibrated probabilities (documents × :attr:`labels`); each document is
        the token list of a normalised text (:func:`classifiers.normalise.tokens`)."""
        return self._calibrate(self.features(documents) @ self.coef + self.intercept)

    def probabilities(self, words: list[str]) -> list[float]:
        """``predict_proba([words])[0]`` as a list, for one text (intake classifies one
        complaint at a time): its terms are looked up in a dict and weighted in plain
        Python, then one small product with their coefficient rows — a handful of numpy
        calls whatever the number of labels, where the batch path makes dozens."""
        column_of = self._column_of
        counts = Counter(column_of[term] for term in chain(words, map(" ".join, pairwise(words)))
                         if term in column_of)
        scores = self.intercept
        if counts:
            idf = self._idf_values
            weights = [(1.0 + log(n)) * idf[column] for column, n in counts.items()]
            norm = sqrt(fsum(weight * weight for weight in weights))
            scores = np.array(weights) / norm @ self.coef[list(counts)] + self.intercept
        return self._calibrate(scores[None, :])[0].tolist()

    def _calibrate(self, scores: np.ndarray) -> np.ndarray:
        if self.calibration.ndim == 1:
            logits = self.calibration[0] * scores
            logits -= logits.max(axis=1, keepdims=True)
            probabilities = np.exp(logits)
        else:
            a, b = self.calibration
            probabilities = 1.0 / (1.0 + np.exp(np.clip(a * scores + b, -500, 500)))
        return probabilities / probabilities.sum(axis=1, keepdims=True)

    def save(self, directory: Path) -> None:
        """Write the scorer's files (:data:`FILES`) into ``directory``."""
        with (directory / ARRAYS_FILE).open("wb") as handle:
            np.savez(
                handle,
                idf=self.idf,
                coef=self.coef.astype(np.float32),
                intercept=self.intercept,
                calibration=self.calibration,
            )
        (directory / VOCABULARY_FILE).write_text(json.dumps(self.terms, ensure_ascii=False))
        (directory / LABELS_FILE).write_text(json.dumps(list(self.labels), indent=1) + "\n")

    @classmethod
    def load(cls, directory: Path) -> LinearTextScorer:
        """Read a scorer written by :meth:`save` (no pickles, no code execution)."""
        with np.load(directory / ARRAYS_FILE, allow_pickle=False) as arrays:
            parts = {name: arrays[name] for name in ("idf", "coef", "intercept", "calibration")}
        terms = json.loads((directory / VOCABULARY_FILE).read_text())
        labels = json.loads((directory / LABELS_FILE).read_text())
        return cls(
            terms, parts["idf"], parts["coef"], parts["intercept"], labels, parts["calibration"]
        )
