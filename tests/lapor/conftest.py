"""Fixtures for the LAPOR! adapter tests: a simulator on a loopback port, a client for it."""

from __future__ import annotations

import pytest

from lapor_bridge.lapor import ComplaintDraft, LaporClient
from lapor_bridge.lapor.simulator import run_in_thread


@pytest.fixture
def sim(tmp_path):
    """A fresh simulator with no faults, stopped after the test."""
    server = run_in_thread(tmp_path / "lapor-sim.db", seed=7)
    yield server
    server.stop()


@pytest.fixture
def client(sim):
    """A client for ``sim`` with a short read timeout."""
    with LaporClient(sim.lapor_settings(read_timeout=2.0)) as lapor:
        yield lapor


@pytest.fixture
def draft() -> ComplaintDraft:
    """A plain report for Dinas PUPR (1002)."""
    return ComplaintDraft(
        title="Jalan rusak",
        content="Lubang besar di Jl. Kolonel Sudiarto dekat pasar.",
        disposition_id=1002,
    )


@pytest.fixture
def disposed_report(sim, client, draft):
    """A report we created, verified and disposed to 1002 by the simulated admin."""
    complaint_id = client.create_complaint_once(draft, "fixture-key")
    sim.control.verify(complaint_id)
    sim.control.dispose(complaint_id, 1002)
    return complaint_id
