"""Federation under faults, CI-sized: ``bench/federation_fault.py``'s scenario in about a
minute.

A province and two members as real processes on PostgreSQL; complaints filed and worked
at both members; the proxy between members and province refuses, resets, delays and
cuts connections; the province and the members are SIGKILLed and restarted. After
healing: nothing lost, nothing duplicated, no drift, every status change seen at the
province.
"""

import importlib.util
import sys
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest

from tests.conftest import _postgres_database

pytestmark = pytest.mark.slow

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "federation_fault.py"


@pytest.fixture
def federation_fault(monkeypatch):
    monkeypatch.syspath_prepend(str(SCRIPT.parent))  # its own imports: bench/process_stack.py
    spec = importlib.util.spec_from_file_location("federation_fault", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "federation_fault", module)  # dataclasses look it up
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def databases():
    """Three databases of this test alone: province and two members."""
    with ExitStack() as stack:
        yield {name: stack.enter_context(contextmanager(_postgres_database)())
               for name in ("province", "kota", "kab")}


def test_no_loss_no_duplicate_no_drift_through_kills_and_network_faults(
        federation_fault, databases, starter_model_dir, tmp_path):
    plan = federation_fault.Plan(
        calm_seconds=5, fault_seconds=25, push_seconds=1, backoff_base=0.5, backoff_max=3,
        resident_pause=0.3, officer_pause=0.2, fault_rate=0.5, kill_gap=(3, 5), down=(1, 2),
        settle_seconds=40)
    result = federation_fault.run(databases, starter_model_dir, tmp_path, plan)
    assert result["complaints answered 201"] > 40, result
    assert set(result["kills"]) == {"province", "kota", "kab"}, result  # each at least once
    assert sum(result["network faults"].values()) > 0, result
    assert result["processes that exited on their own"] == [], result
    assert result["member complaints"] == result["held at province"] > 40, result
    for zero in ("lost", "duplicated", "extra", "drift", "history mismatch",
                 "changes never seen at the province"):
        assert result[zero] == 0, (zero, result)
    assert all(member["drift after"] == 0 for member in result["members"].values()), result
    assert result["latency faults: changes"] > 10, result
