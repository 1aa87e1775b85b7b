"""``lapor-bridge serve`` as production runs it: gunicorn, two workers, PostgreSQL.

Concurrent intake through both workers, JSON logs with request ids, one /metrics page
summing every worker, /readyz, the preloading variant, and a graceful stop.
"""

import json
import os
import re
import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select

from lapor_bridge.db.models import Complaint
from tests.e2e.test_demo_process import free_port, wait_for

LB = str(Path(sys.executable).parent / "lapor-bridge")
COMPLAINT = {"title": "Lampu jalan padam", "kecamatan": "Tegal Barat", "kelurahan": "Kraton",
             "description": "Lampu jalan di depan masjid padam sejak seminggu, gelap sekali."}
POSTS = 24


def serve_env(settings, tmp_path: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("LAPOR_BRIDGE_", "PROMETHEUS_"))}
    env.update({
        "LAPOR_BRIDGE_DATABASE__URL": settings.database.url,
        "LAPOR_BRIDGE_DATABASE__POOL_SIZE": "2",
        "LAPOR_BRIDGE_CLASSIFIER__MODEL_DIR": settings.classifier.model_dir,
        "LAPOR_BRIDGE_APP__UPLOAD_DIR": str(tmp_path / "uploads"),
        "LAPOR_BRIDGE_APP__INTAKE_RATE_LIMIT": "10000 per minute",
        "LAPOR_BRIDGE_METRICS__MULTIPROC_DIR": str(tmp_path / "prom"),
        "LAPOR_BRIDGE_LOG__FORMAT": "json",
    })
    return env


@pytest.mark.parametrize("preload", [False, True], ids=["per-worker", "preload"])
def test_gunicorn_workers_share_one_metrics_page_and_log_json(ctx, tmp_path, preload):
    if not ctx.settings.database.url.startswith("postgresql"):
        pytest.skip("several web processes run on PostgreSQL")
    port = free_port()
    log_path = tmp_path / "serve.log"
    command = [LB, "serve", "--workers", "2", "--threads", "2", "--port", str(port)]
    server = subprocess.Popen([*command, "--preload" if preload else "--no-preload"],
                              env=serve_env(ctx.settings, tmp_path), cwd=tmp_path,
                              stdout=subprocess.DEVNULL, stderr=log_path.open("w"))
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: requests.get(f"{base}/readyz", timeout=2).ok, 60, "readiness")

        def post(n: int) -> requests.Response:
            return requests.post(f"{base}/api/v1/complaints", json=COMPLAINT, timeout=30,
                                 headers={"X-Request-ID": f"e2e-{n}"})

        with ThreadPoolExecutor(6) as pool:
            answers = list(pool.map(post, range(POSTS)))
        assert [a.status_code for a in answers] == [201] * POSTS
        assert {a.headers["X-Request-ID"] for a in answers} == {f"e2e-{n}" for n in range(POSTS)}
        page = requests.get(f"{base}/metrics", timeout=10).text
        received = re.search(r'^lapor_complaints_received_total\{channel="api"\} (\S+)$', page,
                             re.MULTILINE)
        assert received and float(received.group(1)) == POSTS
        assert re.search(r'^lapor_outbox_messages\{state="pending"\} 24\.0$', page, re.MULTILINE)
    finally:
        server.send_signal(signal.SIGTERM)
        assert server.wait(30) == 0
    with ctx.read() as session:
        assert session.scalar(select(func.count()).select_from(Complaint)) == POSTS
    lines = [json.loads(line) for line in log_path.read_text().splitlines() if line.strip()]
    access = [line for line in lines if line["logger"] == "lapor_bridge.access"]
    numbers = {a.json()["tracking_number"] for a in answers}
    assert {(line["request_id"], line["complaint"]) for line in access} == \
        {(a.headers["X-Request-ID"], a.json()["tracking_number"]) for a in answers}
    assert len(numbers) == POSTS
    booted = {line["message"] for line in lines if "Booting worker" in line["message"]}
    assert len(booted) == 2
