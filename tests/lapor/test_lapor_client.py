"""The client against the simulator over loopback HTTP: one test per endpoint family."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from lapor_bridge.domain.status import Status
from lapor_bridge.lapor import (
    Attachment,
    FollowupDraft,
    LaporAuthError,
    LaporClient,
    LaporConnectionError,
    LaporNotFound,
    LaporPermanentError,
)
from lapor_bridge.lapor.mapping import status_from_report
from lapor_bridge.lapor.simulator import run_in_thread


def test_master_lists_are_read_across_pages(sim):
    with LaporClient(sim.lapor_settings(master_page_size=10)) as client:
        institutions = client.list_institutions()
        templates = client.list_templates()
    assert len(institutions) == 25
    assert len({item.id for item in institutions}) == 25
    assert institutions[1].name == "Dinas Pekerjaan Umum dan Penataan Ruang Kota Tegal"
    assert {template.code for template in templates} >= {"TL-PROSES", "TL-SELESAI"}


def test_added_institution_appears_in_the_master_list(sim, client):
    sim.control.add_institution("Kelurahan Mintaragen", institution_id=1101)
    assert (1101, "Kelurahan Mintaragen") in {(i.id, i.name) for i in client.list_institutions()}


def test_create_with_upload_then_detail(sim, client, draft):
    doc_ids = client.upload_attachments([Attachment("foto.png", b"\x89PNG", "image/png")])
    complaint_id = client.create_complaint(
        dataclasses.replace(draft, attachment_ids=tuple(doc_ids)), "key-1"
    )
    complaint = client.get_complaint(complaint_id)
    assert complaint.id == complaint_id
    assert complaint.idempotency_key == "key-1"
    assert complaint.status_name == "Belum Terverifikasi"
    assert complaint.disposition_id == 1002
    assert complaint.created_at.tzinfo is UTC
    assert abs(complaint.created_at - datetime.now(UTC)) < timedelta(minutes=1)
    assert [log.status_new for log in complaint.logs] == ["Belum Terverifikasi"]
    (stored,) = sim.control.complaints()
    assert [doc["name"] for doc in stored["attachments"]] == ["foto.png"]


def test_create_once_returns_the_existing_report(sim, client, draft):
    first = client.create_complaint_once(draft, "same-key")
    second = client.create_complaint_once(dataclasses.replace(draft, title="Lain"), "same-key")
    assert first == second
    assert len(sim.control.complaints()) == 1
    assert client.find_by_marker("other-key") is None


def test_reject_forwards_to_the_target_and_is_harmless_to_repeat(client, disposed_report):
    client.reject_not_authority(disposed_report, 1003, "Urusan persampahan")
    client.reject_not_authority(disposed_report, 1003, "Urusan persampahan")
    complaint = client.get_complaint(disposed_report)
    assert (complaint.disposition_id, complaint.status_name) == (1003, "Dalam Proses")
    forwards = [log for log in complaint.logs if log.note.startswith("Bukan wewenang")]
    assert len(forwards) == 1
    assert (forwards[0].institution_from, forwards[0].institution_to) == (1002, 1003)
    assert status_from_report(complaint.status_name, complaint.logs) is Status.DISPOSED


def test_reject_to_unknown_institution_is_permanent(client, disposed_report):
    with pytest.raises(LaporPermanentError) as caught:
        client.reject_not_authority(disposed_report, 4242, "salah")
    assert caught.value.status_code == 422


def test_followups_add_list_and_status(sim, client, disposed_report):
    followup_id = client.add_followup(
        FollowupDraft(
            complaint_id=disposed_report,
            content="Perbaikan dijadwalkan minggu depan.",
            institution_from_id=1002,
            template_code="TL-PROSES",
            attachments=(Attachment("jadwal.pdf", b"%PDF", "application/pdf"),),
        )
    )
    sim.control.post_followup(disposed_report, "Terima kasih, saya tunggu.")
    followups = client.list_followups(disposed_report)
    assert [(f.id == followup_id, f.from_reporter) for f in followups] == [
        (True, False),
        (False, True),
    ]
    assert followups[0].institution_from_id == 1002
    assert followups[0].created_at.tzinfo is UTC
    complaint = client.get_complaint(disposed_report)
    assert status_from_report(complaint.status_name, complaint.logs) is Status.IN_PROGRESS


def test_followup_once_does_not_post_twice(sim, client, disposed_report):
    note = FollowupDraft(
        complaint_id=disposed_report, content="Sudah diperbaiki.", institution_from_id=1002
    )
    assert client.add_followup_once(note) == client.add_followup_once(note)
    assert len(client.list_followups(disposed_report)) == 1


def test_followup_from_an_instansi_without_the_report_is_refused(client, disposed_report):
    note = FollowupDraft(
        complaint_id=disposed_report, content="Bukan kami.", institution_from_id=1004
    )
    with pytest.raises(LaporPermanentError) as caught:
        client.add_followup(note)
    assert caught.value.status_code == 409


def test_reports_filed_nationally_are_discovered_by_disposition(sim, client, draft):
    national = sim.control.file_nationally("Banjir rob", "Rob masuk rumah warga Tegalsari.", 1011)
    client.create_complaint_once(dataclasses.replace(draft, disposition_id=1011), "ours")
    listed = list(client.list_disposed_to(1011))
    assert [c.id for c in listed if c.idempotency_key is None] == [national["id"]]
    detail = client.get_complaint(national["id"])
    assert status_from_report(detail.status_name, detail.logs) is Status.DISPOSED
    assert list(client.list_disposed_to(1012)) == []


def test_disposition_listing_pages_through_everything(sim):
    created = [
        sim.control.file_nationally(f"Laporan {n}", "Isi laporan.", 1003)["id"] for n in range(7)
    ]
    with LaporClient(sim.lapor_settings(page_size=3)) as client:
        assert [c.id for c in client.list_disposed_to(1003)] == created


def test_unknown_report_is_not_found(client):
    with pytest.raises(LaporNotFound):
        client.get_complaint(1234567)


def test_wrong_credentials_raise_auth_error(sim):
    with LaporClient(sim.lapor_settings(secret="bocor")) as client, pytest.raises(LaporAuthError):
        client.list_institutions()


def test_unreachable_lapor_is_a_retryable_error_with_known_outcome(tmp_path, draft):
    stopped = run_in_thread(tmp_path / "gone.db")
    settings = stopped.lapor_settings()
    stopped.stop()
    with LaporClient(settings) as client, pytest.raises(LaporConnectionError) as caught:
        client.create_complaint(draft, "never-sent")
    assert not caught.value.outcome_unknown
