"""Measuring a routing model on labelled complaints.

An agency model (``target "agency"``, the models from before categories) is measured
on agency labels as always. A category model is measured on category labels (top-1,
top-3); given a routing table it is also measured on agencies, the way the service
routes: the resident's confirmed category through the table (``confirmed``), and the
model alone, its category probabilities summed per agency of the table
(``model_only``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

import numpy as np
from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

from classifiers.categories import TRIAGE, agency_matrix
from classifiers.model import AGENCY, RoutingModel

TOP_K = 3


def evaluate(
    model: RoutingModel,
    texts: Sequence[str],
    labels: Sequence[str],
    threshold: float,
    *,
    routing: Mapping[str, str] | None = None,
    agencies: Sequence[str] | None = None,
) -> dict[str, object]:
    """Quality of ``model`` on ``texts``/``labels`` as a JSON-ready dict.

    Agency model (``labels`` are agency codes): ``accuracy``, ``macro_f1`` (over the
    labels present), ``per_class``, ``confusion_matrix``; ``coverage`` is the share
    of texts whose top probability reaches ``threshold`` (they would be routed
    automatically) and ``auto_precision`` the accuracy on those. ``routing`` and
    ``agencies`` do not apply.

    Category model (``labels`` are category codes): ``top1`` (= ``accuracy``),
    ``top3``, ``macro_f1``, ``per_class``, ``confusion_matrix``. With a ``routing``
    table (category → agency) an ``agency`` section: ``model_only`` (agency = the
    one with the largest sum of category probabilities, categories the table does
    not map summing into ``TRIAGE``; accuracy, macro-F1, coverage and auto-precision
    at ``threshold``, a best sum of ``TRIAGE`` never routing) against ``agencies``
    or, without them, against the true category's agency; and, given ``agencies``,
    ``confirmed`` (the true category through the table against the true agency).

    Labels the model never saw count as errors and are listed under ``unseen_labels``.
    """
    if not texts:
        raise ValueError("no labelled texts to evaluate on")
    if len(texts) != len(labels) or (agencies is not None and len(agencies) != len(labels)):
        raise ValueError("texts, labels and agencies differ in length")
    probabilities = model.predict_proba(texts)
    if model.target == AGENCY:
        return _agency_model_report(model, probabilities, labels, threshold)
    report = _category_model_report(model, probabilities, labels)
    if routing is not None:
        report["agency"] = agency_figures(
            model.labels, probabilities, labels, routing, threshold, agencies
        )
    return report


def _agency_model_report(model, probabilities, labels, threshold) -> dict[str, object]:
    predicted = np.asarray(model.labels, dtype=object)[probabilities.argmax(axis=1)]
    truth = np.asarray(labels, dtype=object)
    confident = probabilities.max(axis=1) >= threshold
    return {
        "model_version": model.version,
        "target": model.target,
        "examples": len(labels),
        **_routed_figures(truth, predicted, confident, threshold),
        "unseen_labels": _unseen(labels, model.labels),
        **_class_figures(truth, predicted, sorted(set(model.labels) | set(labels))),
    }


def _category_model_report(model, probabilities, labels) -> dict[str, object]:
    label_array = np.asarray(model.labels, dtype=object)
    ranked = np.argsort(-probabilities, axis=1, kind="stable")[:, :TOP_K]
    truth = np.asarray(labels, dtype=object)
    predicted = label_array[ranked[:, 0]]
    in_top = (label_array[ranked] == truth[:, None]).any(axis=1)
    classes = _class_figures(truth, predicted, sorted(set(model.labels) | set(labels)))
    top1 = round(float((predicted == truth).mean()), 4)
    return {
        "model_version": model.version,
        "target": model.target,
        "examples": len(labels),
        "top1": top1,
        f"top{TOP_K}": round(float(in_top.mean()), 4),
        "accuracy": top1,
        "macro_f1": classes.pop("macro_f1"),
        "unseen_labels": _unseen(labels, model.labels),
        **classes,
    }


def agency_figures(
    model_labels: Sequence[str],
    probabilities: np.ndarray,
    categories: Sequence[str],
    routing: Mapping[str, str],
    threshold: float,
    agencies: Sequence[str] | None = None,
) -> dict[str, object]:
    """The ``agency`` section of :func:`evaluate` for category probabilities
    (texts × ``model_labels``) and the texts' true ``categories`` (and ``agencies``)."""
    columns, to_agency = agency_matrix(model_labels, routing)
    sums = probabilities @ to_agency
    best = sums.argmax(axis=1)
    predicted = np.asarray(columns, dtype=object)[best]
    confident = (sums[np.arange(len(best)), best] >= threshold) & (predicted != TRIAGE)
    if agencies is None:
        truth = np.asarray([routing.get(c, TRIAGE) for c in categories], dtype=object)
        truth_source = "the true category through the table"
    else:
        truth = np.asarray(agencies, dtype=object)
        truth_source = "the agency column"
    present = sorted(set(truth))
    section: dict[str, object] = {
        "table": {"categories": len(routing), "agencies": sorted(set(routing.values()))},
        "unmapped_model_labels": sorted(set(model_labels) - set(routing)),
        "model_only": {
            "truth": truth_source,
            **_routed_figures(truth, predicted, confident, threshold),
            **_class_figures(truth, predicted, sorted(set(present) | set(predicted))),
        },
    }
    if agencies is not None:
        through_table = np.asarray([routing.get(c, TRIAGE) for c in categories], dtype=object)
        section["confirmed"] = {
            "accuracy": round(float((through_table == truth).mean()), 4),
            "unmapped_categories": dict(sorted(Counter(
                c for c in categories if c not in routing).items())),
            **_class_figures(truth, through_table, sorted(set(present) | set(through_table))),
        }
    return section


def _routed_figures(truth, predicted, confident, threshold) -> dict[str, object]:
    correct = predicted == truth
    return {
        "accuracy": round(float(correct.mean()), 4),
        "threshold": threshold,
        "coverage": round(float(confident.mean()), 4),
        "auto_precision": round(float(correct[confident].mean()), 4) if confident.any() else None,
    }


def _class_figures(truth, predicted, report_labels) -> dict[str, object]:
    """macro-F1 over the labels present in ``truth``; per class figures and the
    confusion matrix over ``report_labels``."""
    precision, recall, f1, support = precision_recall_fscore_support(
        truth, predicted, labels=report_labels, zero_division=0
    )
    present = [index for index, count in enumerate(support) if count > 0]
    return {
        "macro_f1": round(float(np.mean(f1[present])), 4),
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


def _unseen(labels, model_labels) -> dict[str, int]:
    return dict(sorted(Counter(x for x in labels if x not in model_labels).items()))
