"""The routing model: training, the versioned model directory, safe loading."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import platform
import shutil
import tempfile
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import numpy as np
from sklearn.pipeline import Pipeline

from classifiers.normalise import normalise, tokens
from classifiers.pipeline import build_pipeline
from classifiers.scorer import FILES, LinearTextScorer

STARTER_DATA = Path(__file__).with_name("starter_data.csv")
MANIFEST_FILE = "manifest.json"
FORMAT_VERSION = 1
_LIBRARIES = ("scikit-learn", "numpy", "scipy")


class ModelError(Exception):
    """A model directory is absent, incomplete, tampered with or unusable."""


class RoutingModel:
    """A trained scorer plus its identity; predicts top-k agencies with probabilities."""

    def __init__(self, scorer: LinearTextScorer, version: str, manifest: Mapping[str, object]):
        self.scorer = scorer
        self.version = version
        self.manifest = dict(manifest)
        self.labels: tuple[str, ...] = scorer.labels

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Probability matrix (texts × :attr:`labels`) for raw complaint texts."""
        return self.scorer.predict_proba([tokens(text) for text in texts])

    def predict(self, texts: Sequence[str], k: int = 3) -> list[list[tuple[str, float]]]:
        """Top-k (label, calibrated probability) per text, best first."""
        if isinstance(texts, str):
            raise TypeError("predict() takes a sequence of texts, not one string")
        if not texts:
            return []
        k = min(k, len(self.labels))
        if len(texts) == 1:  # intake's case: no numpy at all (see LinearTextScorer.probabilities)
            (text,) = texts
            probabilities = self.scorer.probabilities(tokens(text))
            order = sorted(range(len(self.labels)), key=probabilities.__getitem__, reverse=True)
            return [[(self.labels[index], probabilities[index]) for index in order[:k]]]
        probabilities = self.predict_proba(texts)
        best = np.argsort(-probabilities, axis=1, kind="stable")[:, :k]
        return [
            [(self.labels[index], float(row[index])) for index in order]
            for row, order in zip(probabilities, best, strict=True)
        ]


def data_fingerprint(texts: Sequence[str], labels: Sequence[str]) -> str:
    """SHA-256 over the (text, label) pairs in order: identifies the training data."""
    digest = hashlib.sha256()
    for text, label in zip(texts, labels, strict=True):
        digest.update(text.encode())
        digest.update(b"\x1f")
        digest.update(label.encode())
        digest.update(b"\x1e")
    return digest.hexdigest()


def library_versions() -> dict[str, str]:
    """Versions of Python and the libraries a model file depends on."""
    versions = {"python": platform.python_version()}
    versions.update({name: metadata.version(name) for name in _LIBRARIES})
    return versions


def train_pipeline(texts: Sequence[str], labels: Sequence[str]) -> Pipeline:
    """Fit the routing pipeline on raw texts and their agency labels."""
    if len(texts) != len(labels):
        raise ValueError("texts and labels differ in length")
    pipeline = build_pipeline(len(texts))
    pipeline.fit([normalise(text) for text in texts], list(labels))
    return pipeline


def train_and_save(
    texts: Sequence[str],
    labels: Sequence[str],
    out_dir: str | Path,
    *,
    source: str = "unspecified",
    metrics: Mapping[str, object] | None = None,
) -> RoutingModel:
    """Train on ``texts``/``labels`` and write a versioned model directory at ``out_dir``.

    The directory holds the model arrays, its vocabulary, the label list and a
    manifest with the version, training-data fingerprint, ``metrics``, library
    versions and each file's SHA-256. An existing ``out_dir`` is replaced atomically.
    """
    texts, labels = [str(text) for text in texts], [str(label) for label in labels]
    scorer = LinearTextScorer.from_pipeline(train_pipeline(texts, labels))
    fingerprint = data_fingerprint(texts, labels)
    now = datetime.now(UTC)
    version = f"{now:%Y%m%d-%H%M%S}-{fingerprint[:6]}"
    manifest = {
        "format": FORMAT_VERSION,
        "version": version,
        "created_at": now.isoformat(timespec="seconds"),
        "source": source,
        "training_examples": len(texts),
        "label_counts": dict(sorted(Counter(labels).items())),
        "data_fingerprint": fingerprint,
        "labels": list(scorer.labels),
        "metrics": dict(metrics or {}),
        "libraries": library_versions(),
    }
    _write_model_dir(scorer, manifest, Path(out_dir))
    return RoutingModel(scorer, version, manifest)


def _write_model_dir(scorer: LinearTextScorer, manifest: dict, out_dir: Path) -> None:
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-", dir=out_dir.parent))
    staging.chmod(0o755)
    try:
        scorer.save(staging)
        manifest["sha256"] = {name: _sha256(staging / name) for name in FILES}
        (staging / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2) + "\n")
        if out_dir.is_symlink() or out_dir.is_file():
            out_dir.unlink()
        elif out_dir.exists():
            shutil.rmtree(out_dir)
        os.replace(staging, out_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def load_model(model_dir: str | Path) -> RoutingModel:
    """Load a model directory written by :func:`train_and_save` (following a link).

    Raises :class:`ModelError` when it is absent or incomplete, or when a file
    does not match the checksum recorded in its manifest. Nothing in a model
    directory is executable: arrays are read with ``allow_pickle=False``.
    """
    directory = Path(model_dir)
    manifest_path = directory / MANIFEST_FILE
    if not manifest_path.is_file():
        raise ModelError(f"no routing model in {directory}")
    try:
        manifest = json.loads(manifest_path.read_text())
        checksums, version = manifest["sha256"], manifest["version"]
        for name in FILES:
            if _sha256(directory / name) != checksums[name]:
                raise ModelError(f"{name} in {directory} does not match its recorded checksum")
        scorer = LinearTextScorer.load(directory)
    except ModelError:
        raise
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ModelError(f"cannot load the routing model in {directory}: {exc}") from exc
    return RoutingModel(scorer, version, manifest)


def read_labelled_csv(
    path: str | Path, text_column: str = "text", label_column: str = "opd"
) -> tuple[list[str], list[str]]:
    """Read (texts, labels) from a CSV file, skipping rows with an empty text or label."""
    texts, labels = [], []
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = {text_column, label_column} - set(reader.fieldnames or ())
        if missing:
            raise ValueError(f"{path}: missing column(s) {sorted(missing)}")
        for row in reader:
            text, label = (row[text_column] or "").strip(), (row[label_column] or "").strip()
            if text and label:
                texts.append(text)
                labels.append(label)
    return texts, labels


def train_starter(out_dir: str | Path) -> RoutingModel:
    """Train the starter model from the hand-written ``starter_data.csv`` into ``out_dir``."""
    texts, labels = read_labelled_csv(STARTER_DATA)
    return train_and_save(texts, labels, out_dir, source="starter_data.csv")
