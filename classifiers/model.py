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
from classifiers.pipeline import AGENCY, CATEGORY, SMALL_DATA, TARGETS, build_pipeline
from classifiers.scorer import FILES, LinearTextScorer

STARTER_DATA = Path(__file__).with_name("starter_data.csv")
MANIFEST_FILE = "manifest.json"
FORMAT_VERSION = 1
CALIBRATION_FOLDS = 5
_LIBRARIES = ("scikit-learn", "numpy", "scipy")


class ModelError(Exception):
    """A model directory is absent, incomplete, tampered with or unusable."""


class RoutingModel:
    """A trained scorer plus its identity; predicts the top-k labels (service categories,
    or agency codes for an older model: see :attr:`target`) with probabilities."""

    def __init__(self, scorer: LinearTextScorer, version: str, manifest: Mapping[str, object]):
        self.scorer = scorer
        self.version = version
        self.manifest = dict(manifest)
        self.labels: tuple[str, ...] = scorer.labels

    @property
    def target(self) -> str:
        """What the labels are: ``"category"`` (service categories) or ``"agency"``
        (agency codes: a model from before categories, whose manifest names no target)."""
        return str(self.manifest.get("target", AGENCY))

    def probabilities_of(self, text: str) -> dict[str, float]:
        """Every label's calibrated probability for one raw complaint text (they sum to
        1), in :attr:`labels` order. Plain Python, no numpy: what intake calls once per
        complaint, e.g. to sum category probabilities per agency of a routing table."""
        return dict(zip(self.labels, self.scorer.probabilities(tokens(text)), strict=True))

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


def too_rare(labels: Sequence[str]) -> dict[str, int]:
    """Labels with too few examples to be learnt, and their counts: fewer than 2 (the
    calibration needs one held-out example per fold and at least 2 folds), or, in a
    data set of :data:`~classifiers.pipeline.SMALL_DATA` examples or more, fewer than
    :data:`CALIBRATION_FOLDS` (a label that rare there cannot be learnt anyway, and it
    would force every label's calibration onto fewer folds)."""
    floor = CALIBRATION_FOLDS if len(labels) >= SMALL_DATA else 2
    return {label: n for label, n in sorted(Counter(labels).items()) if n < floor}


def train_pipeline(
    texts: Sequence[str], labels: Sequence[str], target: str = AGENCY
) -> Pipeline:
    """Fit the routing pipeline for ``target`` on raw texts and their labels.

    Calibration uses :data:`CALIBRATION_FOLDS` folds, or as many as the rarest label
    has examples (at least 2). Leave out :func:`too_rare` labels first (as
    :func:`train_and_save` does); a label with a single example is a ``ValueError``.
    """
    if len(texts) != len(labels):
        raise ValueError("texts and labels differ in length")
    counts = Counter(labels)
    if len(counts) < 2:
        raise ValueError("training needs at least two different labels")
    rarest = min(counts.values())
    if rarest < 2:
        raise ValueError(f"labels with a single example cannot be calibrated: "
                         f"{sorted(label for label, n in counts.items() if n < 2)}")
    pipeline = build_pipeline(
        len(texts), target=target, calibration_folds=min(CALIBRATION_FOLDS, rarest)
    )
    pipeline.fit([normalise(text) for text in texts], list(labels))
    return pipeline


def train_and_save(
    texts: Sequence[str],
    labels: Sequence[str],
    out_dir: str | Path,
    *,
    source: str = "unspecified",
    metrics: Mapping[str, object] | None = None,
    target: str = AGENCY,
) -> RoutingModel:
    """Train on ``texts``/``labels`` and write a versioned model directory at ``out_dir``.

    ``target`` says what the labels are: ``"category"`` (service category codes) or
    ``"agency"`` (agency codes; the default, as for every model from before categories).
    The directory holds the model arrays, its vocabulary, the label list and a
    manifest with the version, target, training-data fingerprint, ``metrics``, library
    versions and each file's SHA-256. An existing ``out_dir`` is replaced atomically.
    Labels too rare to learn (:func:`too_rare`) are left out of training and listed in
    the manifest as ``left_out_labels``.
    """
    if target not in TARGETS:
        raise ValueError(f"unknown target {target!r}: one of {TARGETS}")
    texts, labels = [str(text) for text in texts], [str(label) for label in labels]
    left_out = too_rare(labels)
    if left_out:
        kept = [(t, label) for t, label in zip(texts, labels, strict=True)
                if label not in left_out]
        texts, labels = [t for t, _ in kept], [label for _, label in kept]
    scorer = LinearTextScorer.from_pipeline(train_pipeline(texts, labels, target))
    fingerprint = data_fingerprint(texts, labels)
    now = datetime.now(UTC)
    version = f"{now:%Y%m%d-%H%M%S}-{fingerprint[:6]}"
    manifest = {
        "format": FORMAT_VERSION,
        "version": version,
        "created_at": now.isoformat(timespec="seconds"),
        "source": source,
        "target": target,
        "training_examples": len(texts),
        "label_counts": dict(sorted(Counter(labels).items())),
        "data_fingerprint": fingerprint,
        "labels": list(scorer.labels),
        "left_out_labels": left_out,
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
        if manifest.get("target", AGENCY) not in TARGETS:
            raise ModelError(f"{directory}: unknown target {manifest['target']!r}")
        for name in FILES:
            if _sha256(directory / name) != checksums[name]:
                raise ModelError(f"{name} in {directory} does not match its recorded checksum")
        scorer = LinearTextScorer.load(directory)
    except ModelError:
        raise
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ModelError(f"cannot load the routing model in {directory}: {exc}") from exc
    return RoutingModel(scorer, version, manifest)


def read_csv_rows(path: str | Path, columns: Sequence[str]) -> list[dict[str, str]]:
    """The rows of a CSV file as dicts of stripped strings; ``ValueError`` when one of
    ``columns`` is missing."""
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = set(columns) - set(reader.fieldnames or ())
        if missing:
            raise ValueError(f"{path}: missing column(s) {sorted(missing)}")
        return [{key: (value or "").strip() for key, value in row.items() if key is not None}
                for row in reader]


def read_labelled_csv(
    path: str | Path, text_column: str = "text", label_column: str = "opd"
) -> tuple[list[str], list[str]]:
    """Read (texts, labels) from a CSV file, skipping rows with an empty text or label."""
    rows = read_csv_rows(path, (text_column, label_column))
    pairs = [(row[text_column], row[label_column]) for row in rows
             if row[text_column] and row[label_column]]
    return [text for text, _ in pairs], [label for _, label in pairs]


def train_starter(out_dir: str | Path) -> RoutingModel:
    """Train the starter category model from the hand-written ``starter_data.csv``
    (its ``category`` column) into ``out_dir``."""
    texts, labels = read_labelled_csv(STARTER_DATA, label_column=CATEGORY)
    return train_and_save(texts, labels, out_dir, source="starter_data.csv", target=CATEGORY)
