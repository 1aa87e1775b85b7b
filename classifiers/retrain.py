"""Retraining on officers' corrections, promoting only a model that is no worse."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from classifiers.deploy import promote, train_version
from classifiers.evaluation import evaluate
from classifiers.model import ModelError, load_model

RETRAIN_FILE = "retrain.json"


@dataclass(frozen=True)
class RetrainResult:
    """Outcome of :func:`retrain`: both scores (macro-F1 on the held-back set)."""

    promoted: bool
    current_score: float | None
    candidate_score: float
    model_dir: Path
    holdout_size: int


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
) -> RetrainResult:
    """Train a candidate on base data plus officers' ``corrections`` (text, label).

    A correction overrides the base label of the same text. A stable
    ``holdout_fraction`` of all examples is held back; the candidate is trained
    on the rest, written to ``out_dir/<version>`` with both scores in its
    manifest, and ``current_model_dir`` is switched to it only when its macro-F1
    on the held-back set is at least the current model's (or there is no usable
    current model). A current model that saw held-back rows in training is
    favoured by this comparison, which errs on the side of keeping it.
    """
    examples = dict(zip(base_texts, base_labels, strict=True))
    examples.update(corrections)
    held, train = [], []
    for text, label in examples.items():
        (held if is_held_back(text, holdout_fraction) else train).append((text, label))
    if not held or not train:
        raise ValueError("too few examples to hold some back for the comparison")
    held_texts, held_labels = [text for text, _ in held], [label for _, label in held]
    try:
        current = load_model(current_model_dir)
        current_report = evaluate(current, held_texts, held_labels, threshold)
        current_score, current_version = float(current_report["macro_f1"]), current.version
    except ModelError:
        current_score, current_version = None, None
    candidate, candidate_dir = train_version(
        [text for text, _ in train],
        [label for _, label in train],
        out_dir,
        source=f"retrain: base data + {len(corrections)} officer corrections",
    )
    candidate_report = evaluate(candidate, held_texts, held_labels, threshold)
    candidate_score = float(candidate_report["macro_f1"])
    promoted = current_score is None or candidate_score >= current_score
    _record(candidate_dir, current_version, current_score, candidate_report, len(held), promoted)
    if promoted:
        promote(candidate_dir, current_model_dir)
    return RetrainResult(promoted, current_score, candidate_score, candidate_dir, len(held))


def _record(
    candidate_dir: Path,
    current_version: str | None,
    current_score: float | None,
    candidate_report: dict[str, object],
    holdout_size: int,
    promoted: bool,
) -> None:
    comparison = {
        "metric": "macro_f1 on the held-back set",
        "holdout_size": holdout_size,
        "current_version": current_version,
        "current_score": current_score,
        "candidate_score": candidate_report["macro_f1"],
        "candidate_accuracy": candidate_report["accuracy"],
        "promoted": promoted,
    }
    (candidate_dir / RETRAIN_FILE).write_text(json.dumps(comparison, indent=2) + "\n")
