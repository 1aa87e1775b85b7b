"""Load and faults, CI-sized: ``bench/load_fault.py``'s scenario for 20 seconds.

Real processes on PostgreSQL (gunicorn web, two sync workers, the LAPOR! simulator
with faults); residents, readers and officers at once; one worker SIGKILLed and
restarted, every database connection terminated. Then: no complaint answered 201 is
missing, LAPOR! holds each exactly once, and the alignment report shows no drift.
"""

import importlib.util
import sys
from pathlib import Path

import pytest

from lapor_bridge.config import load_settings
from lapor_bridge.db.engine import make_engine, make_session_factory
from lapor_bridge.db.migrate import upgrade_to_head
from lapor_bridge.services.context import ServiceContext
from lapor_bridge.services.seed import seed_demo
from tests.conftest import PG_ADMIN_URL, _postgres_database

pytestmark = pytest.mark.slow

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "load_fault.py"


@pytest.fixture
def load_fault(monkeypatch):
    monkeypatch.syspath_prepend(str(SCRIPT.parent))  # its own imports: bench/process_stack.py
    spec = importlib.util.spec_from_file_location("load_fault", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "load_fault", module)  # dataclasses look it up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def own_database():
    """A database of this test alone: the scenario terminates every connection to it."""
    for url in _postgres_database():
        settings = load_settings(environ={}, overrides={"database.url": url})
        engine = make_engine(settings.database)
        upgrade_to_head(engine)
        seed_demo(ServiceContext(settings, make_session_factory(engine)))
        engine.dispose()
        yield url


def test_no_loss_no_duplicate_no_drift_through_a_killed_worker_and_a_cut_database(
        load_fault, own_database, starter_model_dir, tmp_path):
    plan = load_fault.Plan(seconds=20, residents=3, readers=1, officers=1, pause=0.1,
                           settle_seconds=150)
    result = load_fault.run(own_database, PG_ADMIN_URL, starter_model_dir, tmp_path, plan)
    assert result["connections terminated"] > 0
    assert result["complaints answered 201"] > 50, result
    assert result["lost (201 without a row)"] == 0, result
    assert result["LAPOR! reports from the bridge"] == result["complaints stored"], result
    assert result["duplicates in LAPOR!"] == 0, result
    assert result["drift"] == 0 and result["linked"] == result["complaints stored"], \
        (result["drift reasons"], result)
    assert result["officer actions"].get("answered", 0) > 0, result
