"""Measuring a routing model on labelled complaints."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np
from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

from classifiers.model import RoutingModel


def evaluate(
    model: RoutingModel, texts: Sequence[str], labels: Sequence[str], threshold: float
) -> dict[str, object]:
    """Quality of ``model`` on ``texts``/``labels`` as a JSON-ready dict.

    ``coverage`` is the share of texts whose top probability reaches
    ``threshold`` (they would be routed automatically) and ``auto_precision`` the
    accuracy on those. Labels the model never saw count as errors and are listed
    under ``unseen_labels``.
    """
    if not texts:
        raise ValueError("no labelled texts to evaluate on")
    probabilities = model.predict_proba(texts)
    predicted = np.asarray(model.labels, dtype=object)[probabilities.argmax(axis=1)]
    truth = np.asarray(labels, dtype=object)
    correct = predicted == truth
    confident = probabilities.max(axis=1) >= threshold
    report_labels = sorted(set(model.labels) | set(labels))
    precision, recall, f1, support = precision_recall_fscore_support(
        truth, predicted, labels=report_labels, zero_division=0
    )
    present = [index for index, count in enumerate(support) if count > 0]
    return {
        "model_version": model.version,
        "examples": len(texts),
        "accuracy": round(float(correct.mean()), 4),
        "macro_f1": round(float(np.mean(f1[present])), 4),
        "threshold": threshold,
        "coverage": round(float(confident.mean()), 4),
        "auto_precision": round(float(correct[confident].mean()), 4) if confident.any() else None,
        "unseen_labels": dict(sorted(Counter(x for x in labels if x not in model.labels).items())),
        "per_class": {
            label: {
                "precision": round(float(precision[i]), 4),
                "recall": round(float(recall[i]), 4),
                "f1": round(float(f1[i]), 4),
                "support": int(support[i]),
            }
            for i, label in enumerate(report_labels)
        },
        "confusion_matrix": {
            "labels": report_labels,
            "rows_true_columns_predicted": confusion_matrix(
                truth, predicted, labels=report_labels
            ).tolist(),
        },
    }
