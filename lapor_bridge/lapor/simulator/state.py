"""What the simulator's request handlers share: the store, the faults, the credentials."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from lapor_bridge.lapor.simulator.faults import FaultInjector
from lapor_bridge.lapor.simulator.store import SimStore


@dataclass(frozen=True)
class SimState:
    """One simulator instance."""

    store: SimStore
    faults: FaultInjector
    token: str
    secret: str
    auto_dispose: bool


def current_sim() -> SimState:
    """The simulator serving the current request."""
    return current_app.extensions["lapor_sim"]
