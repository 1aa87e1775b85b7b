"""The dataset is computed at most once per ``cache_seconds`` in a process: later requests
run no SQL, and concurrent requests wait for one computation (single flight)."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import event

from lapor_bridge.services.open_data import dataset as dataset_module
from lapor_bridge.services.open_data.cache import SingleFlightCache
from lapor_bridge.web import open_data as open_data_view
from tests.dashboard.conftest import wib

PATHS = ("/data/pengaduan.csv", "/data/pengaduan.json", "/data/dcat.json", "/data/",
         "/data/kamus", "/data/pengaduan.csv?tahun=2025")


@pytest.fixture
def statements(ctx):
    """The SQL statements the engine runs while the test looks (a list, filled in)."""
    seen: list[str] = []

    def record(connection, cursor, statement, *_):
        seen.append(statement)

    event.listen(ctx.engine, "before_cursor_execute", record)
    yield seen
    event.remove(ctx.engine, "before_cursor_execute", record)


def test_requests_within_cache_seconds_run_no_sql(client, desk, statements):
    desk.at(wib(2025, 11, 3, 9))
    for _ in range(5):
        desk.file("DLH")
    desk.refresh()
    statements.clear()
    assert client.get("/data/pengaduan.csv").status_code == 200
    assert statements, "the first request computes the dataset"
    statements.clear()
    for path in PATHS:
        assert client.get(path).status_code == 200, path
    assert statements == []


def test_after_cache_seconds_the_dataset_is_computed_again(open_app, desk, statements):
    client = open_app(cache_seconds=0).test_client()
    client.get("/data/pengaduan.csv")
    statements.clear()
    client.get("/data/pengaduan.csv")
    assert statements


def test_concurrent_requests_share_one_computation(app, monkeypatch):
    calls = []

    def slow_build(ctx, min_count):
        calls.append(threading.get_ident())
        time.sleep(0.3)
        return dataset_module.build_dataset(ctx, min_count)

    monkeypatch.setattr(open_data_view, "build_dataset", slow_build)
    start = threading.Barrier(8)
    answers = []

    def fetch():
        client = app.test_client()
        start.wait()
        response = client.get("/data/pengaduan.json")
        answers.append((response.status_code, response.headers["ETag"]))

    threads = [threading.Thread(target=fetch) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert len(calls) == 1
    assert len(answers) == 8 and len(set(answers)) == 1 and answers[0][0] == 200


def test_single_flight_cache_keeps_a_value_for_its_ttl():
    now, computed = [0.0], []
    cache = SingleFlightCache(lambda: computed.append(now[0]) or len(computed), 10,
                              clock=lambda: now[0])
    assert (cache.get(), cache.get()) == (1, 1)
    now[0] = 9.9
    assert cache.get() == 1
    now[0] = 10.0
    assert cache.get() == 2 and computed == [0.0, 10.0]


def test_a_failed_computation_is_not_kept():
    outcomes = iter([RuntimeError("database down"), "dataset"])

    def compute():
        outcome = next(outcomes)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    cache = SingleFlightCache(compute, 600)
    with pytest.raises(RuntimeError):
        cache.get()
    assert cache.get() == "dataset"
