"""Fixtures for sync tests: a LAPOR! simulator on loopback and a context pointed at it."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from lapor_bridge.lapor.simulator import run_in_thread
from lapor_bridge.services.intake.submit import ComplaintInput, submit_complaint


@pytest.fixture
def sim(tmp_path):
    """A fresh simulator with no faults."""
    server = run_in_thread(tmp_path / "lapor-sim.db", seed=11)
    yield server
    server.stop()


def with_lapor(ctx, sim, **overrides):
    """``ctx`` whose ``[lapor]`` settings point at ``sim`` (plus ``overrides``)."""
    values = {"read_timeout": 2.0, "backoff_base_seconds": 1.0, "backoff_max_seconds": 10.0,
              "lease_seconds": 60.0, "concurrency": 2, "poll_unverified_seconds": 60.0,
              "poll_open_seconds": 600.0, "unmapped_retry_seconds": 120.0, **overrides}
    settings = dataclasses.replace(ctx.settings, lapor=sim.lapor_settings(**values))
    return dataclasses.replace(ctx, settings=settings)


@pytest.fixture
def sync_ctx(ctx, sim):
    """The test's service context talking to ``sim``."""
    return with_lapor(ctx, sim)


def later(ctx, seconds: float):
    """``ctx`` whose clock runs ``seconds`` ahead."""
    base = ctx.clock
    return dataclasses.replace(ctx, clock=lambda: base() + timedelta(seconds=seconds))


def submit(ctx, number: int = 0, **fields) -> str:
    """File one complaint through intake; returns its tracking number."""
    data = {"title": f"Jalan berlubang nomor {number}",
            "description": f"Jalan di depan rumah nomor {number} berlubang besar dan berbahaya.",
            "kecamatan": "Tegal Barat", "kelurahan": "Kraton", **fields}
    return submit_complaint(ctx, ComplaintInput(**data)).tracking_number
