"""The simulator's store and control API: restarts, the national side, the clock."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

from lapor_bridge.cli import main
from lapor_bridge.domain.status import Status
from lapor_bridge.lapor import LaporClient
from lapor_bridge.lapor.mapping import status_from_report
from lapor_bridge.lapor.simulator import run_in_thread
from lapor_bridge.lapor.simulator.clock import working_days_between

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_store_survives_a_restart(tmp_path, draft):
    db = tmp_path / "sim.db"
    with run_in_thread(db) as first, LaporClient(first.lapor_settings()) as client:
        complaint_id = client.create_complaint_once(draft, "keep-me")
        first.control.add_institution("Kecamatan Tegal Barat", institution_id=1201)
        before = first.control.complaints()
    with run_in_thread(db) as second, LaporClient(second.lapor_settings()) as client:
        assert second.control.complaints() == before
        assert client.find_by_marker("keep-me").id == complaint_id
        assert 1201 in {institution.id for institution in client.list_institutions()}
        assert client.create_complaint_once(draft, "next") == complaint_id + 1


def test_control_list_is_a_json_list_of_every_report(sim, client, disposed_report):
    national = sim.control.file_nationally("Pungli", "Ada pungutan di loket.", 1007)["id"]
    listed = requests.get(sim.url + "/_sim/complaints", timeout=5).json()
    assert isinstance(listed, list)
    assert [item["id"] for item in listed] == [disposed_report, national]
    mine = listed[0]
    assert {"id", "title", "content", "institution", "status", "history"} <= set(mine)
    assert (mine["institution"], mine["status"]) == (1002, "Dalam Proses")
    assert mine["title"] == "Jalan rusak"
    assert [entry["status_new"] for entry in mine["history"]] == [
        "Belum Terverifikasi",
        "Terverifikasi",
        "Terdisposisi ke Dinas Pekerjaan Umum dan Penataan Ruang Kota Tegal",
    ]
    assert listed[1]["source"] == "national"
    assert sim.control.complaint(national) == listed[1]


def test_admin_actions_and_their_rules(sim, client, draft):
    control = sim.control
    first = client.create_complaint(draft, "a")
    second = client.create_complaint(draft, "b")
    with pytest.raises(requests.HTTPError):
        control.dispose(first, 1002)  # not verified yet
    control.verify(first)
    with pytest.raises(requests.HTTPError):
        control.verify(first)
    assert control.archive(second, "terlalu umum")["status"] == "Diarsipkan"
    assert control.close(first, "Ditolak")["status"] == "Ditolak"
    for complaint_id, expected in ((first, Status.REJECTED), (second, Status.ARCHIVED)):
        complaint = client.get_complaint(complaint_id)
        assert status_from_report(complaint.status_name, complaint.logs) is expected
    with pytest.raises(requests.HTTPError):
        control.close(first, "Selesai")  # already closed


@pytest.mark.parametrize(
    "body", [{"content": "x"}, {"content": "x", "reporter": True, "institution_id": 1002}]
)
def test_control_followup_needs_exactly_one_sender(sim, disposed_report, body):
    response = requests.post(
        f"{sim.url}/_sim/complaints/{disposed_report}/followups", json=body, timeout=5
    )
    assert response.status_code == 422


def test_invalid_fault_settings_are_refused(sim):
    for body in ({"fail_rate": 2}, {"fail_kinds": ["meteor"]}, {"chaos": True}):
        response = requests.put(sim.url + "/_sim/faults", json=body, timeout=5)
        assert response.status_code == 422
    assert sim.control.faults()["config"]["fail_rate"] == 0.0


def test_working_days_skip_weekends():
    friday, monday = date(2025, 3, 7), date(2025, 3, 10)
    assert working_days_between(friday, monday) == 1
    assert working_days_between(monday, date(2025, 3, 21)) == 9
    assert working_days_between(monday, monday) == 0


def test_auto_close_after_ten_working_days_without_reply(sim, client, disposed_report, draft):
    answered = client.create_complaint(draft, "answered")
    sim.control.verify(answered)
    sim.control.dispose(answered, 1002)
    today = datetime.now(UTC).replace(hour=3, minute=0, second=0, microsecond=0)
    monday = today + timedelta(days=7 - today.weekday())  # the clock runs ahead of the store
    sim.control.post_followup(
        disposed_report, "Sudah diperbaiki.", institution_id=1002, created_at=monday
    )
    sim.control.post_followup(answered, "Sudah diperbaiki.", institution_id=1002, created_at=monday)
    sim.control.post_followup(answered, "Belum, masih berlubang.", created_at=monday)

    assert sim.control.auto_close(monday + timedelta(days=11)) == []  # Friday: 9 working days
    assert sim.control.auto_close(monday + timedelta(days=14)) == [disposed_report]
    complaint = client.get_complaint(disposed_report)
    assert complaint.status_name == "Selesai"
    assert status_from_report(complaint.status_name, complaint.logs) is Status.AUTO_CLOSED
    assert client.get_complaint(answered).status_name == "Dalam Proses"


@pytest.mark.parametrize(
    "arguments",
    [["--fail-kinds", "meteor"], ["--latency-ms", "9..3"], ["--rate-limit", "fast"]],
)
def test_cli_refuses_bad_fault_options(arguments):
    result = CliRunner().invoke(main, ["lapor-sim", *arguments])
    assert result.exit_code == 2


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_cli_serves_the_simulator(tmp_path):
    port = free_port()
    command = [
        sys.executable,
        "-c",
        "from lapor_bridge.cli import main; main()",
        "lapor-sim",
        "--port",
        str(port),
        "--db",
        str(tmp_path / "cli.db"),
        "--seed",
        "3",
    ]
    process = subprocess.Popen(command, cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True)
    try:
        url = f"http://127.0.0.1:{port}/api/v3/masters/institutions/external"
        headers = {"Authorization": "Bearer sim-secret", "token": "sim-token"}
        deadline = time.monotonic() + 15
        while True:
            try:
                response = requests.get(url, headers=headers, timeout=1)
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline, "lapor-sim did not start"
                time.sleep(0.1)
        assert response.status_code == 200
        assert len(response.json()["results"]["data"]) == 10
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert (tmp_path / "cli.db").exists()
