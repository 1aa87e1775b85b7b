"""Rate limits: per address without a key, per key with one, shared through Redis
across workers (two app instances stand in for two worker processes)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from urllib.parse import urlsplit

import pytest

ON_CI = os.environ.get("CI", "").lower() == "true"


def statuses(client, path, count, **kwargs):
    return [client.get(path, **kwargs).status_code for _ in range(count)]


def test_reads_are_limited_per_address_with_retry_after(app, client):
    app.config["LAPOR_API_READ_LIMIT"] = "3 per minute"
    assert statuses(client, "/open311/v2/services.json", 4) == [200, 200, 200, 429]
    limited = client.get("/api/v1/complaints")
    assert [client.get("/api/v1/complaints").status_code for _ in range(3)][-1] == 429
    assert limited.status_code == 200
    blocked = client.get("/open311/v2/services.xml")
    assert blocked.status_code == 429 and 1 <= int(blocked.headers["Retry-After"]) <= 60
    assert b"<errors>" in blocked.data
    other_address = client.get("/open311/v2/services.json",
                               environ_base={"REMOTE_ADDR": "10.9.8.7"})
    assert other_address.status_code == 200


def test_each_key_has_its_own_bucket_and_limit(app, client, make_key):
    app.config["LAPOR_API_READ_LIMIT"] = "2 per minute"
    generous, tight = make_key(rate_limit="5 per minute"), make_key(rate_limit="1 per minute")
    path = "/api/v1/complaints"
    assert statuses(client, path, 3) == [200, 200, 429]
    assert statuses(client, path, 6, headers={"X-API-Key": generous}) == [200] * 5 + [429]
    assert statuses(client, path, 2, headers={"X-API-Key": tight}) == [200, 429]


def test_made_up_keys_count_against_the_address(app, client):
    app.config["LAPOR_API_READ_LIMIT"] = "2 per minute"
    fakes = [{"X-API-Key": f"lbk_abcdefg{i}_" + "x" * 43} for i in range(3)]
    assert [client.get("/api/v1/complaints", headers=h).status_code for h in fakes] == [
        401, 401, 429]


def start_redis(tmp_path, port: int) -> subprocess.Popen:
    """A redis-server on ``port`` of loopback, answering once this returns."""
    binary = shutil.which("redis-server")
    if binary is None:
        if ON_CI:
            pytest.fail("redis-server is required on CI (apt-get install redis-server)")
        pytest.skip("redis-server not installed; shared rate-limit test skipped")
    process = subprocess.Popen(  # noqa: S603
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    return process


@pytest.fixture
def redis_server(tmp_path):
    """A private redis-server on a free loopback port (its URL and process), stopped after
    the test."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = start_redis(tmp_path, port)
    try:
        yield f"redis://127.0.0.1:{port}/0", process
    finally:
        process.terminate()
        process.wait(timeout=10)


BAD = {"title": "x"}  # refused with 422 after it was counted


def apps_on(ctx, storage_url, count):
    """``count`` app instances (standing in for worker processes) counting in one storage."""
    from dataclasses import replace

    from lapor_bridge.web import create_app, limiter

    settings = replace(ctx.settings, app=replace(ctx.settings.app,
                                                 rate_limit_storage=storage_url,
                                                 intake_rate_limit="3 per minute"))
    shared = replace(ctx, settings=settings)
    workers = [create_app(context=shared).test_client() for _ in range(count)]
    limiter.reset()
    return workers


def test_limits_are_shared_between_workers_through_redis(ctx, redis_server):
    redis_url, _ = redis_server
    workers = apps_on(ctx, redis_url, 2)
    codes = [workers[i % 2].post("/api/v1/complaints", json=BAD).status_code for i in range(4)]
    assert codes == [422, 422, 422, 429]
    import redis

    counters = redis.Redis.from_url(redis_url).keys("*")
    assert any(b"create_complaint" in key or b"api" in key for key in counters), counters


def worker_after_redis_stops(ctx, redis_server):
    """One worker that counted a request in redis, then saw redis stop."""
    redis_url, process = redis_server
    (worker,) = apps_on(ctx, redis_url, 1)
    assert worker.post("/api/v1/complaints", json=BAD).status_code == 422
    process.terminate()
    process.wait(timeout=10)
    return worker


def test_without_redis_each_worker_counts_for_itself(ctx, redis_server, caplog):
    worker = worker_after_redis_stops(ctx, redis_server)
    codes = [worker.post("/api/v1/complaints", json=BAD).status_code for _ in range(4)]
    assert codes == [422, 422, 422, 429]  # no 500s; this process's own count starts afresh
    assert "rate-limit storage unreachable" in caplog.text


def test_counting_returns_to_redis_when_it_is_back(ctx, redis_server, tmp_path):
    import redis

    redis_url, _ = redis_server
    worker = worker_after_redis_stops(ctx, redis_server)
    assert worker.post("/api/v1/complaints", json=BAD).status_code == 422  # counted here
    restarted = start_redis(tmp_path, urlsplit(redis_url).port)
    try:
        codes = [worker.post("/api/v1/complaints", json=BAD).status_code for _ in range(4)]
        server = redis.Redis.from_url(redis_url)
        counts = [int(server.get(key)) for key in server.keys("*")]
    finally:
        restarted.terminate()
        restarted.wait(timeout=10)
    assert codes == [422, 422, 422, 429] and counts == [4]  # the new server's own count
