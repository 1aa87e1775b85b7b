"""Every fault of the simulator surfaces as the right client exception; seeds replay."""

from __future__ import annotations

import time

import pytest

from lapor_bridge.domain.status import Status
from lapor_bridge.lapor import (
    FollowupDraft,
    LaporClient,
    LaporConnectionError,
    LaporError,
    LaporRateLimited,
    LaporServerError,
    LaporTimeout,
)
from lapor_bridge.lapor.mapping import status_from_report
from lapor_bridge.lapor.simulator import FaultConfig, run_in_thread


@pytest.mark.parametrize(
    ("kind", "error", "retry_after", "create_outcome_unknown"),
    [
        ("429", LaporRateLimited, 1.0, False),
        ("500", LaporServerError, None, True),
        ("502", LaporServerError, None, True),
        ("503", LaporServerError, 1.0, False),
    ],
)
def test_http_failures_are_retryable_and_touch_nothing(
    sim, client, draft, kind, error, retry_after, create_outcome_unknown
):
    sim.control.set_faults(fail_rate=1.0, fail_kinds=[kind])
    with pytest.raises(error) as read:
        client.list_institutions()
    with pytest.raises(error) as write:
        client.create_complaint(draft, "k")
    assert read.value.status_code == write.value.status_code == int(kind)
    assert read.value.retry_after == retry_after
    assert not read.value.outcome_unknown
    assert write.value.outcome_unknown is create_outcome_unknown
    assert sim.control.complaints() == []


def test_hang_is_a_timeout_whose_outcome_is_unknown_for_writes(sim, draft):
    sim.control.set_faults(fail_rate=1.0, fail_kinds=["timeout"], hang_ms=500)
    with LaporClient(sim.lapor_settings(read_timeout=0.15)) as client:
        with pytest.raises(LaporTimeout) as write:
            client.create_complaint(draft, "k")
        with pytest.raises(LaporTimeout) as read:
            client.list_templates()
    assert write.value.outcome_unknown
    assert not read.value.outcome_unknown


def test_latency_is_applied_and_can_exceed_the_read_timeout(sim):
    sim.control.set_faults(latency_ms=[20, 40])
    with LaporClient(sim.lapor_settings(read_timeout=1.0)) as client:
        started = time.monotonic()
        client.list_templates()
        assert time.monotonic() - started >= 0.02
    assert 20 <= sim.control.faults()["recent"][-1]["delay_ms"] <= 40
    sim.control.set_faults(latency_ms=[300, 300])
    with LaporClient(sim.lapor_settings(read_timeout=0.1)) as client, pytest.raises(LaporTimeout):
        client.list_templates()


def test_connection_reset_is_a_connection_error(sim, client, draft):
    sim.control.set_faults(fail_rate=1.0, fail_kinds=["reset"])
    with pytest.raises(LaporConnectionError) as read:
        client.list_templates()
    with pytest.raises(LaporConnectionError) as write:
        client.create_complaint(draft, "k")
    assert not read.value.outcome_unknown
    assert write.value.outcome_unknown
    assert sim.control.complaints() == []


def test_lost_create_commits_and_is_reported_as_unknown_outcome(sim, client, draft):
    sim.control.set_faults(lost_response_rate=1.0)
    with pytest.raises(LaporConnectionError) as caught:
        client.create_complaint(draft, "lost-1")
    assert caught.value.outcome_unknown
    assert [c["tags"] for c in sim.control.complaints()] == [["lapor-bridge:lost-1"]]


def test_lost_create_is_recovered_by_the_marker_without_a_duplicate(sim, client, draft):
    sim.control.set_faults(lost_response_rate=1.0)
    recovered = client.create_complaint_once(draft, "lost-2")
    (stored,) = sim.control.complaints()
    assert stored["id"] == recovered
    assert "lost" in [d["fault"] for d in sim.control.faults()["recent"]]


def test_retry_after_a_lost_create_finds_the_first_report(sim, client, draft):
    sim.control.set_faults(lost_response_rate=1.0)
    with pytest.raises(LaporConnectionError):
        client.create_complaint(draft, "lost-3")  # an earlier attempt, e.g. by a killed worker
    sim.control.set_faults(lost_response_rate=0.0)
    complaint_id = client.create_complaint_once(draft, "lost-3")
    assert [c["id"] for c in sim.control.complaints()] == [complaint_id]


def test_lost_followup_is_not_posted_twice(sim, client, disposed_report):
    sim.control.set_faults(lost_response_rate=1.0)
    note = FollowupDraft(disposed_report, "Sedang dikerjakan.", institution_from_id=1002)
    followup_id = client.add_followup_once(note)
    sim.control.set_faults(lost_response_rate=0.0)
    assert [f.id for f in client.list_followups(disposed_report)] == [followup_id]


def test_rate_limit_answers_429_and_retry_after_is_enough(sim, client):
    sim.control.set_faults(rate_limit=1)
    client.list_templates()
    with pytest.raises(LaporRateLimited) as caught:
        client.list_templates()
    assert caught.value.retry_after == 1.0
    time.sleep(caught.value.retry_after)
    assert client.list_templates()


def test_disordered_history_keeps_the_status_right(sim, client, disposed_report):
    client.add_followup(FollowupDraft(disposed_report, "Sudah ditinjau.", institution_from_id=1002))
    sim.control.set_faults(disorder_rate=1.0)
    complaint = client.get_complaint(disposed_report)
    followups = client.list_followups(disposed_report)
    log_ids = [log.id for log in complaint.logs]
    assert len(log_ids) == len(set(log_ids)) + 1
    assert len(followups) == 2 and followups[0].id == followups[1].id
    assert status_from_report(complaint.status_name, complaint.logs) is Status.RESPONDED


def _outcomes(client: LaporClient, count: int) -> list[str]:
    outcomes = []
    for _ in range(count):
        try:
            client.list_templates()
            outcomes.append("ok")
        except LaporError as exc:
            outcomes.append(f"{type(exc).__name__}:{exc.status_code}")
    return outcomes


def _replay(tmp_path, name: str, seed: int) -> tuple[list[str], list[str | None]]:
    faults = FaultConfig(fail_rate=0.5, fail_kinds=("429", "500", "502", "503", "reset"))
    with run_in_thread(tmp_path / name, seed=seed, faults=faults) as server:
        with LaporClient(server.lapor_settings()) as client:
            outcomes = _outcomes(client, 24)
        decisions = [decision["fault"] for decision in server.control.faults()["recent"]]
    return outcomes, decisions


def test_same_seed_replays_the_same_fault_sequence(tmp_path):
    first = _replay(tmp_path, "a.db", seed=11)
    again = _replay(tmp_path, "b.db", seed=11)
    other = _replay(tmp_path, "c.db", seed=12)
    assert first == again
    assert "ok" in first[0] and len(set(first[0])) >= 4
    assert other != first


def test_reseeding_at_runtime_restarts_the_sequence(sim, client):
    sim.control.set_faults(fail_rate=0.5, fail_kinds=["500", "503", "reset"], seed=5)
    first = _outcomes(client, 16)
    assert len(set(first)) > 1
    sim.control.set_faults(seed=5)
    assert _outcomes(client, 16) == first
    assert sim.control.faults()["seed"] == 5
