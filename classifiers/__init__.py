"""Routing classifier: Indonesian complaint text → responsible agency (OPD).

Knows nothing of Flask, the database or ``lapor_bridge``; the service uses it
through :func:`load_model` and :class:`RoutingModel`.
"""

from classifiers.model import ModelError, RoutingModel, load_model, train_and_save, train_starter

__all__ = ["ModelError", "RoutingModel", "load_model", "train_and_save", "train_starter"]
