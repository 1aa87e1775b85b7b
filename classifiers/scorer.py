"""The fitted routing pipeline reduced to plain arrays, scored with numpy.

Inference re-implements exactly what the fitted scikit-learn pipeline of
:mod:`classifiers.pipeline` computes (word n-gram TF-IDF with sublinear tf and
l2 norm, linear scores, calibration) without scikit-learn's per-call overhead,
and is stored as JSON plus an ``.npz`` archive read with ``allow_pickle=False``:
loading a model never executes code.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Sequence
from itertools import pairwise
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
        self.vocabulary = {term: index for index, term in enumerate(self.terms)}
        self.idf = np.asarray(idf, dtype=np.float64)
        self.coef = np.asarray(coef, dtype=np.float32)
        self.intercept = np.asarray(intercept, dtype=np.float64)
        self.labels = tuple(labels)
        self.calibration = np.asarray(calibration, dtype=np.float64)
        self.bigrams = any(" " in term for term in self.terms)
        if self.coef.shape != (len(self.terms), len(self.labels)):
            raise ValueError("coefficients do not match terms × labels")

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

    def _term_weights(self, tokens: list[str]) -> Counter[int]:
        grams = tokens + list(map(" ".join, pairwise(tokens))) if self.bigrams else tokens
        return Counter([index for index in map(self.vocabulary.get, grams) if index is not None])

    def features(self, documents: Sequence[list[str]]) -> csr_matrix:
        """TF-IDF matrix (documents × terms), rows l2-normalised."""
        indptr, indices, values = [0], [], []
        for tokens in documents:
            counts = self._term_weights(tokens)
            indices.extend(counts)
            values.extend(1.0 + math.log(count) for count in counts.values())
            indptr.append(len(indices))
        index_array = np.asarray(indices, dtype=np.int64)
        data = np.asarray(values, dtype=np.float64) * self.idf[index_array]
        matrix = csr_matrix((data, index_array, indptr), shape=(len(documents), len(self.terms)))
        norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        matrix.data /= np.repeat(norms, np.diff(matrix.indptr))
        return matrix

    def predict_proba(self, documents: Sequence[list[str]]) -> np.ndarray:
        """Calibrated probabilities (documents × :attr:`labels`); each document is
        the token list of a normalised text (:func:`classifiers.normalise.tokens`)."""
        if len(documents) == 1:  # fast path: one complaint at intake
            counts = self._term_weights(documents[0])
            ids = np.fromiter(counts, dtype=np.int64, count=len(counts))
            weights = (1.0 + np.log(np.fromiter(counts.values(), float, len(counts)))) * self.idf[
                ids
            ]
            norm = math.sqrt(float(weights @ weights)) or 1.0
            scores = (weights / norm) @ self.coef[ids] + self.intercept
            return self._calibrate(np.atleast_2d(scores))
        return self._calibrate(np.asarray(self.features(documents) @ self.coef) + self.intercept)

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
                coef=self.coef,
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
