"""``lapor-bridge federation demo`` as real processes: a province and two members on loopback.

The bounded run (``--until-synced``) must exit 0 with every member complaint at the
province, each member's own and nothing else, at the member's status and version; the
open-ended run must serve the province's dashboards to its coordinator and stop all
three children on SIGINT.
"""

import random
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, select

from lapor_bridge.db.models import Complaint, Region
from lapor_bridge.db.models_federation import FederatedComplaint, FederationMember

pytestmark = pytest.mark.slow

CLI = [sys.executable, "-m", "lapor_bridge", "federation", "demo"]
MEMBERS = {"kota-tegal": ("Kota Tegal", {"33.76"}),
           "kab-tegal-brebes": ("Kabupaten Tegal dan Brebes", {"33.28", "33.29"})}


def free_base_port() -> int:
    """A port with the three after it free too."""
    for _ in range(50):
        base = random.randint(20000, 60000)
        try:
            for port in range(base, base + 4):
                with socket.socket() as probe:
                    probe.bind(("127.0.0.1", port))
        except OSError:
            continue
        return base
    raise AssertionError("no four free ports in a row")


def options(base: int, root: Path, model_dir: Path) -> list[str]:
    """Free ports, a tmp folder, the session's model, a 2-s push (the demo's is 10 s),
    one month of history (the demo's is 2)."""
    return ["--base-port", str(base), "--dir", str(root), "--model-dir", str(model_dir),
            "--timeout", "150", "--push-seconds", "2", "--history", "1"]


def rows(db: Path, query) -> list:
    engine = create_engine(f"sqlite:///{db}")
    try:
        with engine.connect() as connection:
            return connection.execute(query).all()
    finally:
        engine.dispose()


def ports_closed(base: int) -> bool:
    for port in range(base, base + 4):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return False
    return True


def test_until_synced_brings_each_members_complaints_and_only_those(tmp_path,
                                                                     starter_model_dir):
    base = free_base_port()
    root = tmp_path / "fd"
    started = time.monotonic()
    done = subprocess.run([*CLI, *options(base, root, starter_model_dir), "--until-synced"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "sinkron / synced" in done.stdout and time.monotonic() - started < 240
    held = {number: (member, status, version) for number, member, status, version in rows(
        root / "provinsi" / "lapor.db",
        select(FederatedComplaint.tracking_number, FederationMember.name, Complaint.status,
               FederatedComplaint.remote_version)
        .join(FederationMember, FederationMember.id == FederatedComplaint.member_id)
        .join(Complaint, Complaint.id == FederatedComplaint.complaint_id))}
    expected = {}
    for slug, (name, codes) in MEMBERS.items():
        local = rows(root / slug / "lapor.db", select(
            Complaint.tracking_number, Complaint.status, Complaint.version, Region.code)
            .join(Region).where(Complaint.member_id.is_(None)))
        assert {code for *_, code in local} >= codes | {"33.76"}  # seeded with all three
        expected |= {number: (name, status, version)
                     for number, status, version, code in local if code in codes}
    assert held == expected and len(expected) > 500
    assert ports_closed(base)


def test_the_demo_serves_the_province_dashboards_and_stops_on_ctrl_c(tmp_path,
                                                                      starter_model_dir):
    base = free_base_port()
    demo = subprocess.Popen([*CLI, *options(base, tmp_path / "fd", starter_model_dir)],
                            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    try:
        output = []
        for line in demo.stdout:  # until the banner's last line
            output.append(line)
            if "Ctrl-C" in line:
                break
        banner = "".join(output)
        assert "Federasi siap / federation ready" in banner, banner
        assert f"http://127.0.0.1:{base}/dasbor/sinkronisasi" in banner
        province = f"http://127.0.0.1:{base}"
        http = requests.Session()
        page = http.get(f"{province}/masuk", timeout=10).text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        http.post(f"{province}/masuk", timeout=10, data={
            "username": "koordinator.jateng", "password": "tegal-demo", "csrf_token": token})
        sync = http.get(f"{province}/dasbor/sinkronisasi", timeout=30)
        assert sync.status_code == 200
        assert "Kota Tegal" in sync.text and "Kabupaten Tegal dan Brebes" in sync.text
        overview = http.get(f"{province}/dasbor/", timeout=30)
        assert overview.status_code == 200 and "Kabupaten Brebes" in overview.text
        member = requests.get(f"http://127.0.0.1:{base + 1}/healthz", timeout=10)
        assert member.ok
        demo.send_signal(signal.SIGINT)
        rest, _ = demo.communicate(timeout=60)
        assert demo.returncode == 0, banner + rest
        assert "semua berhenti / all stopped" in rest
        assert ports_closed(base)
    finally:
        if demo.poll() is None:
            demo.kill()
