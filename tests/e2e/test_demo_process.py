"""``make run``'s path as real processes: init-db, seed-demo, then ``demo`` serving the web
app with the worker and the bundled LAPOR! simulator; a complaint reaches LAPOR!."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

CLI = [sys.executable, "-m", "lapor_bridge"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            result = condition()
        except requests.RequestException:
            result = None
        if result:
            return result
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


def test_demo_serves_form_and_pushes_a_complaint_to_the_simulator(tmp_path: Path,
                                                                  starter_model_dir):
    web_port, sim_port = free_port(), free_port()
    env = {
        **os.environ,
        "LAPOR_BRIDGE_DATABASE__URL": f"sqlite:///{tmp_path / 'demo.db'}",
        "LAPOR_BRIDGE_APP__INSTANCE_DIR": str(tmp_path / "instance"),
        "LAPOR_BRIDGE_APP__UPLOAD_DIR": str(tmp_path / "uploads"),
        "LAPOR_BRIDGE_CLASSIFIER__MODEL_DIR": str(starter_model_dir),
        "LAPOR_BRIDGE_LAPOR__BASE_URL": f"http://127.0.0.1:{sim_port}/api/v3",
        "LAPOR_BRIDGE_LAPOR__PUSH_INTERVAL_SECONDS": "1",
    }
    for command in (["init-db"], ["seed-demo"]):
        subprocess.run([*CLI, *command], env=env, check=True, cwd=tmp_path, timeout=120,
                       capture_output=True)
    demo = subprocess.Popen([*CLI, "demo", "--port", str(web_port)], env=env, cwd=tmp_path,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        base = f"http://127.0.0.1:{web_port}"
        wait_for(lambda: requests.get(f"{base}/healthz", timeout=2).ok, 60, "the web app")
        assert "Kirim laporan" in requests.get(base, timeout=5).text
        created = requests.post(f"{base}/api/v1/complaints", timeout=10, json={
            "title": "Jalan berlubang dekat alun-alun",
            "description": "Jalan berlubang besar di dekat alun-alun, sudah ada pengendara jatuh.",
            "kecamatan": "Tegal Barat", "kelurahan": "Kraton",
        })
        assert created.status_code == 201, created.text

        def reached_lapor():
            held = requests.get(f"http://127.0.0.1:{sim_port}/_sim/complaints", timeout=5).json()
            return [item for item in held if item["title"] == "Jalan berlubang dekat alun-alun"]

        reports = wait_for(reached_lapor, 60, "the complaint to reach the simulator")
        assert len(reports) == 1
        number = created.json()["tracking_number"]
        tracking = requests.get(f"{base}/api/v1/complaints/{number}", timeout=5).json()
        assert tracking["tracking_number"] == number
    finally:
        demo.terminate()
        try:
            demo.wait(timeout=15)
        except subprocess.TimeoutExpired:
            demo.kill()
