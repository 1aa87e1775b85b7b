"""Installing a model: versioned directories beside the configured model path.

The configured ``model_dir`` (e.g. ``instance/models/current``) is a symbolic
link to a sibling directory named after the model version
(``instance/models/20261123-143517-6b76f2``). Promoting a model writes its
directory first and then replaces the link in one atomic rename, so a reader
sees either the old model or the new one, never a half-written directory.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path

from classifiers.model import AGENCY, ModelError, RoutingModel, train_and_save


def promote(version_dir: str | Path, model_dir: str | Path) -> None:
    """Point the link ``model_dir`` at ``version_dir`` (atomically replacing it)."""
    version_dir, model_dir = Path(version_dir), Path(model_dir)
    if model_dir.exists() and not model_dir.is_symlink():
        raise ModelError(
            f"{model_dir} is a real directory, not a link to a version: move it aside first"
        )
    model_dir.parent.mkdir(parents=True, exist_ok=True)
    target = os.path.relpath(version_dir.resolve(), model_dir.parent.resolve())
    temporary = model_dir.with_name(f".{model_dir.name}-{uuid.uuid4().hex[:8]}")
    temporary.symlink_to(target, target_is_directory=True)
    os.replace(temporary, model_dir)


def train_version(
    texts: Sequence[str],
    labels: Sequence[str],
    versions_dir: str | Path,
    *,
    source: str,
    metrics: Mapping[str, object] | None = None,
    target: str = AGENCY,
) -> tuple[RoutingModel, Path]:
    """Train and write the model to ``versions_dir/<version>``; return it and that path.
    ``target``: what the labels are (see :func:`classifiers.model.train_and_save`)."""
    versions_dir = Path(versions_dir)
    staging = versions_dir / f".training-{uuid.uuid4().hex[:8]}"
    model = train_and_save(
        texts, labels, staging, source=source, metrics=metrics, target=target
    )
    version_dir = versions_dir / model.version
    os.replace(staging, version_dir)
    return model, version_dir


def install(
    texts: Sequence[str],
    labels: Sequence[str],
    model_dir: str | Path,
    *,
    source: str,
    metrics: Mapping[str, object] | None = None,
    target: str = AGENCY,
) -> tuple[RoutingModel, Path]:
    """Train a model, write it beside ``model_dir`` and make ``model_dir`` point at it."""
    model_dir = Path(model_dir)
    model, version_dir = train_version(
        texts, labels, model_dir.parent, source=source, metrics=metrics, target=target
    )
    promote(version_dir, model_dir)
    return model, version_dir
