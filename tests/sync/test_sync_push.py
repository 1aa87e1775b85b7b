"""Pushing the outbox to the LAPOR! simulator over real HTTP: claims, retries, idempotency."""

import threading
import uuid

import pytest
from sqlalchemy import select, update

from lapor_bridge.db.models import Agency, Complaint, ComplaintEvent, OutboxMessage
from lapor_bridge.db.models_sync import LaporLink
from lapor_bridge.lapor import LaporAuthError, LaporClient
from lapor_bridge.services.sync.push import claim_batch, push_pending
from tests.sync.conftest import later, submit, with_lapor


def outbox(ctx):
    with ctx.read() as session:
        return {row.id: row for row in session.scalars(select(OutboxMessage))}


def markers(sim):
    return [tag for report in sim.control.complaints() for tag in report["tags"]
            if tag.startswith("lapor-bridge:")]


def test_each_complaint_is_created_once_and_linked(sync_ctx, sim):
    numbers = [submit(sync_ctx, n) for n in range(3)]
    result = push_pending(sync_ctx)
    assert (result.claimed, result.sent) == (3, 3)
    assert push_pending(sync_ctx).claimed == 0
    rows = outbox(sync_ctx).values()
    assert sorted(markers(sim)) == sorted(f"lapor-bridge:{row.idempotency_key}" for row in rows)
    with sync_ctx.read() as session:
        linked = session.execute(select(Complaint.tracking_number, Complaint.lapor_id,
                                        LaporLink.lapor_id).join(LaporLink)).all()
    assert sorted(number for number, _, _ in linked) == sorted(numbers)
    assert all(lapor_id == str(link_id) for _, lapor_id, link_id in linked)
    assert all(row.state == "done" and row.attempts == 1 for row in rows)


def test_a_lost_create_response_is_found_again_not_duplicated(sync_ctx, sim):
    for n in range(4):
        submit(sync_ctx, n)
    sim.control.set_faults(lost_response_rate=1.0)
    assert push_pending(sync_ctx).sent == 4
    assert len(sim.control.complaints()) == 4


def test_a_killed_senders_rows_come_back_after_the_lease_without_duplicates(sync_ctx, sim):
    submit(sync_ctx, 1)
    (item,) = claim_batch(sync_ctx, 10)
    with LaporClient(sync_ctx.settings.lapor) as client:  # it sent, then died before recording
        client.create_complaint(item.request, item.key)
    assert claim_batch(sync_ctx, 10) == []
    after_lease = later(sync_ctx, sync_ctx.settings.lapor.lease_seconds + 1)
    result = push_pending(after_lease)
    assert result.sent == 1
    assert len(sim.control.complaints()) == 1
    (row,) = outbox(sync_ctx).values()
    assert row.attempts == 2 and row.lapor_ref == str(sim.control.complaints()[0]["id"])


def test_only_the_oldest_unsent_row_of_a_complaint_is_claimable(sync_ctx):
    number = submit(sync_ctx, 1)
    with sync_ctx.transaction() as session:
        complaint = session.scalar(select(Complaint).where(Complaint.tracking_number == number))
        event = ComplaintEvent(complaint=complaint, kind="responded", actor_type="officer",
                               note="Sudah kami jadwalkan perbaikan.")
        session.add(event)
        session.flush()
        session.add(OutboxMessage(complaint_id=complaint.id, kind="followup",
                                  idempotency_key=uuid.uuid4().hex,
                                  payload={"event_id": event.id}))
    claimed = claim_batch(later(sync_ctx, 1), 10)
    assert [item.kind for item in claimed] == ["create"]


def test_two_claimers_never_get_the_same_row(sync_ctx):
    for n in range(24):
        submit(sync_ctx, n)
    got: list[list[int]] = [[] for _ in range(4)]
    barrier = threading.Barrier(4)

    def claimer(index):
        barrier.wait()
        while items := claim_batch(sync_ctx, 3):
            got[index].extend(item.outbox_id for item in items)

    threads = [threading.Thread(target=claimer, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    claimed = [row for part in got for row in part]
    assert sorted(claimed) == sorted(outbox(sync_ctx))
    assert len(set(claimed)) == len(claimed) == 24


def test_failures_back_off_with_jitter_then_dead_letter(ctx, sim):
    sync_ctx = with_lapor(ctx, sim, max_attempts=3)
    submit(sync_ctx, 1)
    sim.control.set_faults(fail_rate=1.0, fail_kinds=["503"], retry_after_s=0)
    first = push_pending(sync_ctx)
    assert first.retried == 1
    (row,) = outbox(sync_ctx).values()
    wait = (row.next_attempt_at - sync_ctx.clock()).total_seconds()
    assert row.state == "pending" and row.attempts == 1 and "503" in row.last_error
    assert 0.4 <= wait <= 1.0  # base 1 s, equal jitter
    assert push_pending(sync_ctx).claimed == 0  # not due yet
    push_pending(later(sync_ctx, 30))
    push_pending(later(sync_ctx, 60))
    (row,) = outbox(sync_ctx).values()
    assert row.state == "dead" and row.attempts == 3
    assert sim.control.complaints() == []


def test_an_unmapped_agency_keeps_the_row_pending_with_a_clear_error(sync_ctx, sim):
    with sync_ctx.transaction() as session:
        saved = dict(session.execute(select(Agency.id, Agency.lapor_institution_id)).all())
        session.execute(update(Agency).values(lapor_institution_id=None))
    try:
        submit(sync_ctx, 1)
        result = push_pending(sync_ctx)
    finally:
        with sync_ctx.transaction() as session:
            for agency_id, institution in saved.items():
                session.get(Agency, agency_id).lapor_institution_id = institution
    (row,) = outbox(sync_ctx).values()
    assert result.waiting == 1 and row.state == "pending" and row.attempts == 0
    assert row.last_error.startswith("instansi belum dipetakan")
    assert sim.control.complaints() == []


def test_bad_credentials_stop_the_cycle_without_burning_attempts(ctx, sim):
    sync_ctx = with_lapor(ctx, sim, token="wrong")
    submit(sync_ctx, 1)
    submit(sync_ctx, 2)
    with pytest.raises(LaporAuthError):
        push_pending(sync_ctx)
    rows = outbox(sync_ctx).values()
    assert all(row.state == "pending" and row.attempts == 0 for row in rows)
    assert len(claim_batch(sync_ctx, 10)) == 2  # claimable again at once


def test_a_429_pauses_the_whole_sender_for_retry_after(ctx, sim):
    sync_ctx = with_lapor(ctx, sim, concurrency=1)
    for n in range(3):
        submit(sync_ctx, n)
    sim.control.set_faults(fail_rate=1.0, fail_kinds=["429"], retry_after_s=7)
    result = push_pending(sync_ctx)
    assert result.rate_limited_for == 7 and result.sent == 0
    rows = outbox(sync_ctx).values()
    assert all(row.state == "pending" and row.attempts == 0 for row in rows)
    assert claim_batch(later(sync_ctx, 5), 10) == []
    assert len(claim_batch(later(sync_ctx, 8), 10)) == 3


def test_an_unknown_outcome_waits_for_in_flight_requests_and_looks_first(sync_ctx, sim):
    submit(sync_ctx, 1)
    sim.control.set_faults(fail_rate=1.0, fail_kinds=["500"])  # a 500 on a write may hide one
    push_pending(sync_ctx)
    (row,) = outbox(sync_ctx).values()
    settings = sync_ctx.settings.lapor
    wait = (row.next_attempt_at - sync_ctx.clock()).total_seconds()
    assert wait > 4 * (settings.connect_timeout + settings.read_timeout)
    assert row.attempts == 1  # the next attempt looks the marker up before creating
