"""Retrain the routing model on the region's history plus officers' re-routes."""

from __future__ import annotations

from pathlib import Path

from classifiers.model import read_labelled_csv
from classifiers.retrain import RetrainResult, retrain
from lapor_bridge.domain.routing import CATEGORY_TARGET
from lapor_bridge.services.context import ServiceContext
from lapor_bridge.services.corrections import routing_corrections


def retrain_from_history(
    ctx: ServiceContext,
    data_path: str | Path,
    *,
    corrections: list[tuple[str, str]] | None = None,
    text_column: str = "text",
    label_column: str = "category",
    holdout_fraction: float = 0.15,
) -> RetrainResult:
    """Train a candidate; promote it only if it is at least as good on a held-back set.

    The history's labels are service categories (``label_column``); ``corrections``
    default to every category officers chose, as recorded in the database.
    """
    texts, labels = read_labelled_csv(data_path, text_column, label_column)
    if corrections is None:
        corrections = routing_corrections(ctx, CATEGORY_TARGET)
    model_dir = ctx.settings.path(ctx.settings.classifier.model_dir)
    return retrain(texts, labels, corrections, model_dir, model_dir.parent,
                   holdout_fraction=holdout_fraction,
                   threshold=ctx.settings.classifier.threshold)
