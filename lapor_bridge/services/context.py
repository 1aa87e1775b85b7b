"""What every service needs: settings, sessions, the routing model and a clock."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Protocol

from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from lapor_bridge.config import Settings
from lapor_bridge.db.engine import make_engine, make_session_factory
from lapor_bridge.db.models import utcnow
from lapor_bridge.services.intake.store import PlaceCache
from lapor_bridge.services.model_source import FollowedModel
from lapor_bridge.services.sla_clock import working_calendar

log = logging.getLogger(__name__)


class Classifier(Protocol):
    """What intake needs of a routing model (see ``classifiers``)."""

    version: str
    labels: tuple[str, ...]
    target: str  # "category" (service categories) or "agency" (an older model)

    def predict(self, texts: Sequence[str], k: int = 3) -> list[list[tuple[str, float]]]:
        """Top-k (label, probability) per text, best first."""


@dataclass
class ServiceContext:
    """Dependencies of the services, built once per process."""

    settings: Settings
    session_factory: sessionmaker[Session]
    classifier: Classifier | None = None
    clock: Callable[[], datetime] = field(default=utcnow)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A unit of work: commits when the block ends, rolls back on error."""
        with self.session_factory() as session, session.begin():
            yield session

    @contextmanager
    def sql_transaction(self) -> Iterator[Connection]:
        """A unit of work in SQL expressions alone, without an ORM session (the hot
        intake path): commits when the block ends, rolls back on error."""
        with self.engine.begin() as connection:
            yield connection

    @property
    def engine(self) -> Engine:
        """The database engine."""
        return self.session_factory.kw["bind"]

    @cached_property
    def places(self) -> PlaceCache:
        """This process's memory of places and their agencies, for intake."""
        return PlaceCache(self.settings.app.place_cache_seconds)

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only session."""
        with self.session_factory() as session:
            yield session


def build_context(settings: Settings, *, load_model: bool = True) -> ServiceContext:
    """Create the engine, session factory and (optionally) the routing model."""
    engine = make_engine(settings.database)
    classifier = load_classifier(settings) if load_model else None
    working_calendar(settings.sla.cuti_bersama)  # built now, not during the first complaint
    return ServiceContext(settings, make_session_factory(engine), classifier)


def load_classifier(settings: Settings) -> Classifier | None:
    """Load the model from the configured directory, followed when a new version is
    promoted; None (triage-only, until a restart) when absent."""
    from classifiers.model import ModelError, load_model

    directory = settings.path(settings.classifier.model_dir)
    try:
        return FollowedModel(load_model(directory), directory,
                             settings.classifier.reload_check_seconds)
    except ModelError as exc:
        log.warning("routing model unavailable, every complaint goes to triage: %s", exc)
        return None
