"""Routing classifier: Indonesian complaint text → service category (or, for models from
before categories, the responsible agency).

Knows nothing of Flask, the database or ``lapor_bridge``; the service uses it
through :func:`load_model` and :class:`RoutingModel`, and the helpers of
:mod:`classifiers.categories` (topic map, routing tables).
"""

from classifiers.categories import category_of_topic, load_topic_map
from classifiers.model import (
    AGENCY,
    CATEGORY,
    ModelError,
    RoutingModel,
    load_model,
    train_and_save,
    train_starter,
)

__all__ = [
    "AGENCY",
    "CATEGORY",
    "ModelError",
    "RoutingModel",
    "category_of_topic",
    "load_model",
    "load_topic_map",
    "train_and_save",
    "train_starter",
]
