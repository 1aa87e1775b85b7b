"""A federation member's complaint held at the province reaches none of what serves or
works this instance's own complaints: public tracking and search, API v1, Open311, the
triage and officer queues, the duplicate hint, the SLA job and the residents' bot.

Each test puts a member complaint where the feature would find it (the member's
kab/kota as the region asked for, its agency as the queue's), so each fails if the
``local_only()`` condition is dropped from that feature.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lapor_bridge.db.models import Agency, Complaint, ComplaintEvent, Region, StaffAlert
from lapor_bridge.services.accounts import Principal
from lapor_bridge.services.deadlines import check_deadlines
from lapor_bridge.services.duplicates import find_similar_open
from lapor_bridge.services.errors import NotFound
from lapor_bridge.services.open311 import RequestFilter, find_requests
from lapor_bridge.services.public_search import PublicQuery, find_public
from lapor_bridge.services.queue import agency_queue
from lapor_bridge.services.residents import follow_complaint, status_for_chat
from lapor_bridge.services.tracking import public_view
from tests.conftest import kept_places
from tests.federation.test_province_pages import (
    CILACAP,
    NOW,
    file_local,
    member_record,
    push,
    register,
)

OVERDUE = "CLP00001"    # disposed three weeks ago, never answered
RESPONDED = "CLP00002"  # answered a month ago: the member's own job auto-closes it
TRIAGE = "CLP00003"     # waiting at the member's triage desk


@pytest.fixture
def member_cases(ctx):
    """Three complaints of member Kabupaten Cilacap (33.01), each overdue."""
    with kept_places(ctx):
        member = register(ctx)
        push(ctx, member, [
            member_record(OVERDUE, NOW - timedelta(days=21), due=NOW - timedelta(days=14)),
            member_record(RESPONDED, NOW - timedelta(days=40), status="responded",
                          responded=NOW - timedelta(days=30), due=NOW - timedelta(days=16)),
            member_record(TRIAGE, NOW - timedelta(days=2), status="submitted", triage=True,
                          due=NOW - timedelta(hours=1)),
        ])
        yield


def _agency(ctx, code: str) -> Agency:
    with ctx.read() as session:
        return session.scalar(select(Agency).join(Region).where(
            Region.code == CILACAP[0], Agency.code == code))


def test_public_tracking_page_and_api_v1_do_not_find_it(ctx, client, member_cases):
    local = file_local(ctx, NOW - timedelta(days=1))
    assert client.get(f"/lacak/{local}").status_code == 200
    for number in (OVERDUE, RESPONDED, TRIAGE):
        with pytest.raises(NotFound):
            public_view(ctx, number)
        assert client.get(f"/lacak/{number}").status_code == 404
        assert client.get(f"/api/v1/complaints/{number}").status_code == 404


@pytest.fixture
def cilacap_client(ctx, member_cases):
    """The public API of an instance whose own kab/kota is the member's (as if a
    province served 33.01's residents directly): the searches then look right at it."""
    from lapor_bridge.web import create_app, limiter

    app = dataclasses.replace(ctx.settings.app, region_code=CILACAP[0])
    context = dataclasses.replace(ctx, settings=dataclasses.replace(ctx.settings, app=app))
    application = create_app(context=context)
    application.config["TESTING"] = True
    limiter.reset()
    return application.test_client()


def test_public_search_api_list_and_open311_leave_it_out(ctx, cilacap_client):
    assert find_public(ctx, PublicQuery(CILACAP[0])) == []
    assert find_public(ctx, PublicQuery(CILACAP[0], tracking_numbers=(OVERDUE,))) == []
    assert find_requests(ctx, CILACAP[0], RequestFilter(), NOW) == []
    assert find_requests(ctx, CILACAP[0], RequestFilter(service_request_ids=(OVERDUE,)),
                         NOW) == []
    assert cilacap_client.get("/api/v1/complaints").get_json()["items"] == []
    assert cilacap_client.get("/open311/v2/requests.json").get_json() == []
    assert cilacap_client.get(f"/open311/v2/requests/{OVERDUE}.json").status_code == 404


def test_triage_queue_leaves_it_out(ctx, member_cases):
    desk = _agency(ctx, "ADMIN")
    admin = Principal(0, "admin.cilacap", "Admin Cilacap", "regional_admin", None,
                      desk.region_id)
    queue = agency_queue(ctx, admin, view="semua")
    assert queue.agency_name == desk.name
    assert (queue.items, queue.total) == ((), 0)


def test_officer_queue_leaves_it_out(ctx, member_cases):
    agency = _agency(ctx, "PUPR")
    officer = Principal(0, "petugas.cilacap", "Petugas Cilacap", "officer", agency.id,
                        agency.region_id)
    for view in ("aktif", "semua"):
        page = agency_queue(ctx, officer, view=view)
        assert (page.items, page.total) == ((), 0), view


def _member_state(ctx):
    with ctx.read() as session:
        return {
            number: (status, level, due, session.scalar(
                select(func.count()).select_from(ComplaintEvent)
                .where(ComplaintEvent.complaint_id == complaint_id)))
            for complaint_id, number, status, level, due in session.execute(
                select(Complaint.id, Complaint.tracking_number, Complaint.status,
                       Complaint.escalation_level, Complaint.sla_due_at)
                .where(Complaint.member_id.is_not(None)))}


def test_sla_job_neither_escalates_nor_auto_closes_it(ctx, member_cases):
    local = file_local(ctx, NOW - timedelta(days=21))
    before = _member_state(ctx)
    summary = check_deadlines(ctx, NOW)
    assert (summary.checked, summary.escalated, summary.auto_closed) == (1, 1, 0)
    assert _member_state(ctx) == before
    with ctx.read() as session:
        alerted = set(session.scalars(select(Complaint.tracking_number).join(
            StaffAlert, StaffAlert.complaint_id == Complaint.id)))
    assert alerted == {local}


def test_duplicate_hint_never_offers_it(ctx, member_cases):
    text = "Jalan rusak parah, mohon segera perbaikan jalan"
    assert find_similar_open(ctx, text, "Majenang", "Jenang", region_code=CILACAP[0]) is None


def test_residents_bot_does_not_know_it(ctx, member_cases):
    assert status_for_chat(ctx, OVERDUE, chat_id=4242) is None
    with pytest.raises(NotFound):
        follow_complaint(ctx, OVERDUE, chat_id=4242)
