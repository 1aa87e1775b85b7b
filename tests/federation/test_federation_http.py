"""A member and its province over real HTTP: records arrive, once, in order, de-identified."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from lapor_bridge.db.models import Complaint, ComplaintEvent, Region
from lapor_bridge.db.models_federation import FederatedComplaint, FederationOutbox
from lapor_bridge.services.accounts import Principal
from lapor_bridge.services.federation.drift import check_drift
from lapor_bridge.services.federation.push import push_changes
from lapor_bridge.services.intake.submit import ContactInput
from lapor_bridge.services.workflow import claim, respond
from tests.sync.conftest import submit

CANARY = "KANARI-7Q3X"


def _officer(ctx, username: str = "petugas.pupr") -> Principal:
    from lapor_bridge.db.models import User

    with ctx.read() as session:
        user = session.scalar(select(User).where(User.username == username))
        return Principal(user.id, user.username, user.full_name, user.role, user.agency_id,
                         user.region_id)


def _held(province) -> dict[str, tuple[str, int]]:
    with province.read() as session:
        return {number: (status, version) for number, status, version in session.execute(
            select(FederatedComplaint.tracking_number, Complaint.status,
                   FederatedComplaint.remote_version)
            .join(Complaint, Complaint.id == FederatedComplaint.complaint_id))}


def test_a_complaint_and_its_changes_reach_the_province_once(member, province):
    number = submit(member, 1, category="jalan")
    first = push_changes(member)
    assert first.sent == 1 and first.results == {"stored": 1}
    assert _held(province)[number][0] == "disposed"

    again = push_changes(member)
    assert again.sent == 0 and again.queued == 0  # nothing changed, nothing sent

    officer = _officer(member)
    claim(member, officer, number)
    respond(member, officer, number, "Sudah kami tambal hari ini, terima kasih laporannya.")
    result = push_changes(member)
    assert result.results == {"updated": 1}
    status, version = _held(province)[number]
    with member.read() as session:
        local = session.scalar(select(Complaint).where(Complaint.tracking_number == number))
    assert (status, version) == (local.status, local.version)
    with province.read() as session:
        kinds = list(session.scalars(select(ComplaintEvent.kind).join(Complaint).where(
            Complaint.tracking_number == number).order_by(ComplaintEvent.id)))
        with member.read() as member_session:
            expected = list(member_session.scalars(
                select(ComplaintEvent.kind).where(ComplaintEvent.complaint_id == local.id,
                                                  ComplaintEvent.is_internal.is_(False))
                .order_by(ComplaintEvent.id)))
    assert kinds == expected and "responded" in kinds


def test_no_reporter_field_or_text_reaches_the_province(member, province, monkeypatch):
    """Every byte sent, and every column stored, is free of the canary."""
    sent: list[bytes] = []
    import requests

    original = requests.Session.request

    def spy(self, method, url, **kwargs):
        sent.append(json.dumps(kwargs.get("json"), ensure_ascii=False).encode())
        return original(self, method, url, **kwargs)

    monkeypatch.setattr(requests.Session, "request", spy)
    submit(member, 2, title=f"Jalan rusak {CANARY}", description=f"Lubang besar {CANARY} "
           "di depan rumah saya, mohon segera ditambal.", rahasia=True,
           contact=ContactInput(f"Budi {CANARY}", "081234567890", f"{CANARY.lower()}@contoh.id",
                                770011))
    submit(member, 3, title=f"Sampah menumpuk {CANARY}", lat=-6.87, lon=109.13, anonim=True,
           contact=ContactInput(f"Siti {CANARY}", "081298765432"))
    assert push_changes(member).sent == 2
    assert sent and not any(CANARY.encode() in body or CANARY.lower().encode() in body
                            or b"081234567890" in body or b"-6.87" in body for body in sent)
    with province.read() as session:
        for table in ("complaints", "complaint_events", "federated_complaints",
                      "reporter_contacts", "attachments", "regions", "agencies"):
            rows = session.execute(select(Base_table(table))).all()
            assert CANARY not in repr(rows) and "081234567890" not in repr(rows), table
        secret = session.scalar(select(Complaint.is_secret).where(Complaint.member_id.is_not(
            None), Complaint.is_secret.is_(True)))
        assert secret is True  # the flag crosses, so the province honours it


def Base_table(name):  # noqa: N802 - reads like the table it returns
    from lapor_bridge.db.models import Base

    return Base.metadata.tables[name]


def test_records_are_idempotent_and_an_older_version_never_wins(member, member_key, province,
                                                                 province_http):
    import requests

    number = submit(member, 4, category="jalan")
    officer = _officer(member)
    from lapor_bridge.services.federation.record import build_records

    with member.read() as session:
        complaint_id = session.scalar(select(Complaint.id).where(
            Complaint.tracking_number == number))
        old = build_records(session, [complaint_id], member.settings.sla, "", member.clock())
    claim(member, officer, number)
    with member.read() as session:
        new = build_records(session, [complaint_id], member.settings.sla, "", member.clock())
    headers = {"Authorization": f"Bearer {member_key}"}
    url = f"{province_http}/federation/v1/records"
    answers = [requests.post(url, json={"records": records}, headers=headers, timeout=10).json()
               for records in ([new[complaint_id]], [new[complaint_id]], [old[complaint_id]],
                               [old[complaint_id], new[complaint_id]])]
    assert [[r["result"] for r in a["results"]] for a in answers] == [
        ["stored"], ["duplicate"], ["stale"], ["stale", "duplicate"]]
    held = _held(province)
    assert held[number] == ("in_progress", new[complaint_id]["version"])
    with province.read() as session:
        assert session.scalar(select(func.count()).select_from(Complaint)) == 1


def test_a_revoked_key_gets_403_and_nothing_is_stored(member, province):
    import requests

    from lapor_bridge.services.federation.client import FederationAuthError
    from lapor_bridge.services.federation.members import remove_member

    submit(member, 5)
    remove_member(province, "Kota Tegal")
    with pytest.raises(FederationAuthError, match="403"):
        push_changes(member)
    with province.read() as session:
        assert session.scalar(select(func.count()).select_from(Complaint)) == 0
    with member.read() as session:
        assert set(session.scalars(select(FederationOutbox.state))) == {"pending"}
    unknown = requests.get(
        f"{member.settings.federation and _uplink_url(member)}/federation/v1/hello",
        headers={"Authorization": "Bearer lbf_00000000_" + "x" * 43}, timeout=10)
    assert unknown.status_code == 401


def _uplink_url(ctx) -> str:
    from lapor_bridge.services.federation.uplink import current_uplink

    return current_uplink(ctx).province_url


def test_a_record_for_another_region_is_refused_and_dead_lettered(member, province):
    submit(member, 6)
    with member.transaction() as session:
        region = session.scalar(select(Region).where(Region.code == "33.76"))
        assert region is not None
    with province.transaction() as session:  # the province moves 33.76 to nobody
        session.get(Region, session.scalar(select(Region.id).where(
            Region.code == "33.76"))).member_id = None
    result = push_changes(member)
    assert result.refused == 1 and result.sent == 0
    with member.read() as session:
        row = session.scalar(select(FederationOutbox))
    assert row.state == "dead" and "region_code" in row.last_error


def test_the_province_down_backs_off_then_resumes(member, province_http, province):
    from lapor_bridge.services.federation.uplink import current_uplink

    number = submit(member, 7)
    with member.transaction() as session:
        from lapor_bridge.db.models_federation import FederationUplink

        session.scalar(select(FederationUplink)).province_url = "http://127.0.0.1:9"
    down = push_changes(member)
    assert down.retried == 1 and down.sent == 0 and "ConnectionError" in down.error
    with member.read() as session:
        row = session.scalar(select(FederationOutbox))
    assert row.state == "pending" and row.attempts == 1 and row.next_attempt_at > member.clock()
    assert current_uplink(member).last_error
    with member.transaction() as session:
        from lapor_bridge.db.models_federation import FederationUplink

        session.scalar(select(FederationUplink)).province_url = province_http
    later = _later(member, 10)
    assert push_changes(later).sent == 1
    assert number in _held(province)


def _later(ctx, seconds):
    import dataclasses
    from datetime import timedelta

    base = ctx.clock
    return dataclasses.replace(ctx, clock=lambda: base() + timedelta(seconds=seconds))


def test_drift_is_found_and_heals(member, province):
    numbers = [submit(member, 10 + i) for i in range(3)]
    assert push_changes(member).sent == 3
    clean = check_drift(member)
    assert (clean.local, clean.province, clean.drift) == (3, 3, 0)
    with province.transaction() as session:  # the province loses one (restored from backup)
        from sqlalchemy import delete

        lost = session.scalar(select(FederatedComplaint).where(
            FederatedComplaint.tracking_number == numbers[0]))
        session.execute(delete(ComplaintEvent).where(
            ComplaintEvent.complaint_id == lost.complaint_id))
        complaint_id = lost.complaint_id
        session.delete(lost)
        session.flush()
        session.execute(delete(Complaint).where(Complaint.id == complaint_id))
    report = check_drift(member)
    assert (report.missing, report.requeued, report.examples["missing"]) == (1, 1, [numbers[0]])
    with province.read() as session:
        from lapor_bridge.db.models_federation import FederationMember

        assert session.scalar(select(FederationMember.drift))["missing"] == 1
    assert push_changes(member).sent == 1
    assert check_drift(member).drift == 0
