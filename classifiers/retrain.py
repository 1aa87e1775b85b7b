"""Retraining on officers' corrections, promoting only a model that is no worse.

Models are compared like with like: a candidate is scored against the current model
only when both predict the same kind of label (:attr:`RoutingModel.target`). A
current model of the other kind, e.g. an agency model from before categories while a
category candidate is trained, cannot be scored on the candidate's labels and never
blocks its promotion.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from classifiers.deploy import promote, train_version
from classifiers.evaluation import evaluate
from classifiers.model import CATEGORY, ModelError, load_model

RETRAIN_FILE = "retrain.json"


@dataclass(frozen=True)
class RetrainResult:
    """Outcome of :func:`retrain`: both scores (macro-F1 on the held-back set).
    ``current_score`` is None when there was no usable current model, or one whose
    target (``current_target``) differs from the candidate's."""

    promoted: bool
    current_score: float | None
    candidate_score: float
    model_dir: Path
    holdout_size: int
    target: str = CATEGORY
    current_target: str | None = None


def is_held_back(text: str, fraction: float) -> bool:
    """Whether ``text`` belongs to the held-back set: a stable choice by hash, so a
    complaint held back once is held back in every later retraining too."""
    bucket = int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "big")
    return bucket < fraction * 2**32


def retrain(
    base_texts: Sequence[str],
    base_labels: Sequence[str],
    corrections: Sequence[tuple[str, str]],
    current_model_dir: str | Path,
    out_dir: str | Path,
    *,
    holdout_fraction: float = 0.15,
    threshold: float = 0.6,
    target: str = CATEGORY,
) -> RetrainResult:
    """Train a candidate on base data plus officers' ``corrections`` (text, label).

    ``target`` says what the labels are: ``"category"`` (service categories: base
    labels and corrections are category codes) or ``"agency"`` (agency codes).
    A correction overrides the base label of the same text. A stable
    ``holdout_fraction`` of all examples is held back; the candidate is trained
    on the rest, written to ``out_dir/<version>`` with both scores in its
    manifest, and ``current_model_dir`` is switched to it only when its macro-F1
    on the held-back set is at least the current model's, or there is no usable
    current model, or the current model predicts the other kind of label (its
    ``target`` differs: it cannot be scored on these labels). A current model that
    saw held-back rows in training is favoured by this comparison, which errs on
    the side of keeping it.
    """
    examples = dict(zip(base_texts, base_labels, strict=True))
    examples.update(corrections)
    held, train = [], []
    for text, label in examples.items():
        (held if is_held_back(text, holdout_fraction) else train).append((text, label))
    if not held or not train:
        raise ValueError("too few examples to hold some back for the comparison")
    held_texts, held_labels = [text for text, _ in held], [label for _, label in held]
    current_score = current_version = current_target = None
    try:
        current = load_model(current_model_dir)
    except ModelError:
        current = None
    if current is not None:
        current_version, current_target = current.version, current.target
        if current_target == target:  # like with like only
            current_report = evaluate(current, held_texts, held_labels, threshold)
            current_score = float(current_report["macro_f1"])
    candidate, candidate_dir = train_version(
        [text for text, _ in train],
        [label for _, label in train],
        out_dir,
        source=f"retrain: base data + {len(corrections)} officer corrections",
        target=target,
    )
    candidate_report = evaluate(candidate, held_texts, held_labels, threshold)
    candidate_score = float(candidate_report["macro_f1"])
    promoted = current_score is None or candidate_score >= current_score
    _record(candidate_dir, current_version, current_target, current_score, target,
            candidate_report, len(held), promoted)
    if promoted:
        promote(candidate_dir, current_model_dir)
    return RetrainResult(promoted, current_score, candidate_score, candidate_dir, len(held),
                         target, current_target)


def _record(
    candidate_dir: Path,
    current_version: str | None,
    current_target: str | None,
    current_score: float | None,
    target: str,
    candidate_report: dict[str, object],
    holdout_size: int,
    promoted: bool,
) -> None:
    comparison = {
        "metric": "macro_f1 on the held-back set",
        "holdout_size": holdout_size,
        "target": target,
        "current_version": current_version,
        "current_target": current_target,
        "compared": current_score is not None,
        "current_score": current_score,
        "candidate_score": candidate_report["macro_f1"],
        "candidate_accuracy": candidate_report["accuracy"],
        "promoted": promoted,
    }
    (candidate_dir / RETRAIN_FILE).write_text(json.dumps(comparison, indent=2) + "\n")
