"""The finer rules: heartbeats, changes without a new version, limits, links, keys, leaving."""

from __future__ import annotations

import dataclasses

import pytest
import requests
from sqlalchemy import select, update

from lapor_bridge.db.models import Complaint, Village
from lapor_bridge.db.models_federation import (
    FederatedComplaint,
    FederationMember,
    FederationOutbox,
)
from lapor_bridge.services.errors import NotFound
from lapor_bridge.services.federation.client import FederationAuthError, FederationRefused
from lapor_bridge.services.federation.drift import check_drift
from lapor_bridge.services.federation.members import remove_member, rotate_key
from lapor_bridge.services.federation.push import push_changes
from lapor_bridge.services.federation.uplink import current_uplink, join, leave
from tests.federation.conftest import as_member
from tests.sync.conftest import submit


def _member_row(province) -> FederationMember:
    with province.read() as session:
        return session.scalar(select(FederationMember))


def test_a_quiet_member_still_says_it_is_alive(member, province):
    assert push_changes(member).sent == 0
    assert _member_row(province).last_push_at is not None


def test_a_change_that_keeps_the_version_still_travels(member, province):
    """The LAPOR! link is written without an ORM version bump; the time orders it."""
    number = submit(member, 1)
    push_changes(member)
    with member.transaction() as session:
        session.execute(update(Complaint).where(Complaint.tracking_number == number)
                        .values(lapor_id="5551234"))
    assert push_changes(member).results == {"updated": 1}
    with province.read() as session:
        assert session.scalar(select(FederatedComplaint.lapor_id)) == "5551234"


def test_a_rahasia_complaint_crosses_without_its_kelurahan(member, province):
    submit(member, 2, rahasia=True)
    submit(member, 3)
    push_changes(member)
    with province.read() as session:
        rows = session.execute(select(Complaint.is_secret, Complaint.village_id,
                                      Complaint.district_id)).all()
        villages = session.scalar(select(Village.name))
    assert sorted((secret, village is None, district is None)
                  for secret, village, district in rows) == [(False, False, False),
                                                             (True, True, False)]
    assert villages == "Kraton"


def test_a_batch_too_large_for_the_province_is_split(ctx, member_key, province, tmp_path):
    from lapor_bridge.web import create_app
    from tests.conftest import serving

    small = dataclasses.replace(province, settings=dataclasses.replace(
        province.settings, federation=dataclasses.replace(
            province.settings.federation, max_records_per_request=2)))
    with serving(create_app(context=small)) as url:
        member = as_member(ctx, member_key, batch_size=5)
        join(member, url)
        for number in range(5):
            submit(member, 10 + number)
        result = push_changes(member)
    assert (result.sent, result.retried) == (5, 0)


def test_the_key_travels_only_over_https_or_to_this_machine(ctx, member_key):
    member = as_member(ctx, member_key)
    with pytest.raises(FederationRefused, match="https"):
        join(member, "http://provinsi.example.go.id")


def test_a_link_outside_the_members_address_is_not_kept(ctx, member_key, province,
                                                        province_http):
    member = as_member(ctx, member_key, public_url="https://phishing.example.com")
    join(member, province_http)
    submit(member, 20)
    push_changes(member)
    with province.read() as session:
        assert session.scalar(select(FederatedComplaint.url)) == ""
    honest = as_member(ctx, member_key)
    submit(honest, 21)
    push_changes(honest)
    with province.read() as session:
        urls = set(session.scalars(select(FederatedComplaint.url)))
    assert any(url.startswith("https://lapor.tegalkota.go.id/petugas/laporan/")
               for url in urls)


def test_rotating_a_key_retires_the_old_one_and_revives_a_removed_member(
        ctx, member, member_key, province, province_http):
    remove_member(province, "Kota Tegal")
    _, new_key = rotate_key(province, "Kota Tegal")
    with pytest.raises(FederationAuthError, match="401"):
        push_changes(member)
    renewed = as_member(ctx, new_key)
    submit(renewed, 30)
    assert push_changes(renewed).sent == 1
    assert _member_row(province).active is True
    with pytest.raises(NotFound):
        rotate_key(province, "Kota Entah")


def test_leaving_stops_the_pushes(member):
    submit(member, 40)
    assert leave(member) is True
    assert current_uplink(member) is None
    assert push_changes(member).sent == 0
    with member.read() as session:
        assert session.scalar(select(FederationOutbox)) is None
    assert leave(member) is False


def test_drift_counts_a_province_ahead_and_leaves_dead_rows_to_people(member, province):
    ahead, dead = submit(member, 50), submit(member, 51)
    push_changes(member)
    with province.transaction() as session:  # as if our database came from an old backup
        session.execute(update(FederatedComplaint)
                        .where(FederatedComplaint.tracking_number == ahead)
                        .values(remote_version=FederatedComplaint.remote_version + 5))
    with member.transaction() as session:
        complaint_id = session.scalar(select(Complaint.id).where(
            Complaint.tracking_number == dead))
        session.get(FederationOutbox, complaint_id).state = "dead"
    report = check_drift(member)
    assert (report.ahead, report.dead, report.missing, report.requeued) == (1, 1, 0, 0)
    assert report.examples["ahead"] == [ahead]
    assert _member_row(province).drift["ahead"] == 1


def test_a_malformed_drift_summary_is_a_400(member_key, province_http):
    answer = requests.post(f"{province_http}/federation/v1/drift",
                           headers={"Authorization": f"Bearer {member_key}"},
                           json={name: 0 for name in ("local", "province", "in_flight", "dead",
                                                       "missing", "behind", "ahead", "extra",
                                                       "requeued")} | {"examples": ["x"]},
                           timeout=10)
    assert answer.status_code == 400 and "examples" in answer.json()["error"]


def test_the_members_sync_page_shows_its_reports_to_the_province(member, province, app):
    from lapor_bridge.demo_region import DEMO_PASSWORD
    from tests.conftest import csrf_token

    submit(member, 60)
    push_changes(member)
    check_drift(member)
    client = app.test_client()
    client.post("/masuk", data={"username": "admin.tegal", "password": DEMO_PASSWORD,
                                "csrf_token": csrf_token(client, "/masuk")})
    page = client.get("/admin/lapor/kesehatan").get_data(as_text=True)
    assert "Pelaporan ke provinsi" in page and "Provinsi Jawa Tengah" in page
    row = page[page.index('id="federation"'):]
    assert "<td>0</td><td>1</td><td>0</td>" in row
    assert "0 belum ada di provinsi" in page
