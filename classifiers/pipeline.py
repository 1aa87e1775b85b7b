"""The scikit-learn pipeline that maps normalised text to agency probabilities.

Chosen by measurement (see ``classifiers/README.md``): TF-IDF over word uni- and
bigrams into a class-balanced linear SVM, whose scores are turned into
probabilities by a calibration fitted on cross-validation folds.
"""

from __future__ import annotations

import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.svm import LinearSVC

SMALL_DATA = 2000
_SPACE_DELIMITED = r"\S+"


def build_pipeline(n_examples: int, *, calibration_folds: int = 5) -> Pipeline:
    """Return an unfitted pipeline for texts already passed through
    :func:`classifiers.normalise.normalise` (so: no lower-casing, tokens split on spaces).

    With ``n_examples`` below :data:`SMALL_DATA` (a starter set) every word is
    kept and probabilities come from per-class sigmoid calibration, which is the
    more cautious on few examples; with more, words seen in only one complaint
    are dropped and a single temperature is fitted, which keeps the SVM's
    ranking of agencies.
    """
    small = n_examples < SMALL_DATA
    features = TfidfVectorizer(
        lowercase=False,
        token_pattern=_SPACE_DELIMITED,
        ngram_range=(1, 2),
        min_df=1 if small else 2,
        sublinear_tf=True,
        dtype=np.float32,
    )
    classifier = CalibratedClassifierCV(
        LinearSVC(C=0.3, class_weight="balanced", random_state=0),
        method="sigmoid" if small else "temperature",
        cv=calibration_folds,
        ensemble=False,
    )
    return Pipeline([("features", features), ("classifier", classifier)])


def build_reference_pipeline() -> Pipeline:
    """The data README's reference point, for comparisons in benchmarks and tests:
    TF-IDF word 1–2-grams plus char_wb 3–5-grams into a class-balanced LinearSVC,
    on raw (not normalised) text, without probabilities."""
    features = FeatureUnion(
        [
            ("word", TfidfVectorizer(ngram_range=(1, 2))),
            ("char", TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5))),
        ]
    )
    return Pipeline(
        [("features", features), ("classifier", LinearSVC(class_weight="balanced", random_state=0))]
    )
