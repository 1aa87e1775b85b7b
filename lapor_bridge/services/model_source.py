"""The routing model of the configured directory, followed when a new version is promoted.

``classifier promote`` and the retrain job switch the ``model_dir`` link atomically; a
running process sees the switch at its next check (at most every
``[classifier] reload_check_seconds``, on a prediction) and loads the new version with
the usual checksum verification. A version that fails to load is logged and the
current model keeps routing.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Sequence

log = logging.getLogger(__name__)


class FollowedModel:
    """A loaded routing model that reloads itself when its directory link moves."""

    def __init__(self, model, directory, check_seconds: float) -> None:
        self.model = model
        self.directory = directory
        self.check_seconds = check_seconds
        self._target = os.path.realpath(directory)
        self._checked = time.monotonic()
        self._lock = threading.Lock()

    @property
    def version(self) -> str:
        """The version of the model routing now."""
        return self.model.version

    @property
    def labels(self) -> tuple[str, ...]:
        """The labels of the model routing now."""
        return self.model.labels

    @property
    def target(self) -> str:
        """What its labels are: ``category`` codes, or agency codes of an older model."""
        return self.model.target

    def predict(self, texts: Sequence[str], k: int = 3) -> list[list[tuple[str, float]]]:
        """The current model's top-k; looks for a promoted version first when due."""
        if self.check_seconds and time.monotonic() - self._checked >= self.check_seconds:
            self.follow()
        return self.model.predict(texts, k=k)

    def follow(self) -> bool:
        """Load the version the directory points at now, if it changed; True if loaded."""
        from classifiers import ModelError, load_model  # scikit-learn only where models load

        with self._lock:
            self._checked = time.monotonic()
            target = os.path.realpath(self.directory)
            if target == self._target:
                return False
            try:
                model = load_model(self.directory)
            except ModelError:
                log.exception("promoted routing model %s not loaded; keeping %s",
                              target, self.model.version)
                return False
            self.model, self._target = model, target
            log.info("routing model %s loaded", model.version)
            return True
