"""Officer, admin and resident actions through the services, on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import threading
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import func, select

from lapor_bridge.db.models import (
    Attachment,
    Complaint,
    ComplaintEvent,
    Notification,
    OutboxMessage,
    ReporterContact,
    RoutingCorrection,
    Subscriber,
)
from lapor_bridge.domain.status import Status
from lapor_bridge.domain.transitions import Action, IllegalTransition
from lapor_bridge.services import triage, workflow
from lapor_bridge.services.casework import case_view
from lapor_bridge.services.corrections import routing_corrections
from lapor_bridge.services.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from lapor_bridge.services.intake.routing_table import set_rules
from lapor_bridge.services.reporter import erase_personal_data, reporter_reply
from lapor_bridge.services.tracking import public_view
from lapor_bridge.services.uploads import UploadedFile

ANSWER = "Petugas kebersihan sudah mengangkut sampah pagi ini."


def complaint_row(ctx, number):
    with ctx.read() as session:
        return session.scalar(select(Complaint).where(Complaint.tracking_number == number))


def events_of(ctx, number):
    with ctx.read() as session:
        return session.execute(
            select(ComplaintEvent.kind, ComplaintEvent.from_status, ComplaintEvent.to_status,
                   ComplaintEvent.actor_label, ComplaintEvent.is_internal)
            .join(Complaint).where(Complaint.tracking_number == number)
            .order_by(ComplaintEvent.id)).all()


def outbox_kinds(ctx, number):
    with ctx.read() as session:
        return [(kind, payload) for kind, payload in session.execute(
            select(OutboxMessage.kind, OutboxMessage.payload).join(Complaint)
            .where(Complaint.tracking_number == number).order_by(OutboxMessage.id))]


def notifications_per_event(ctx, number):
    with ctx.read() as session:
        return dict(session.execute(
            select(ComplaintEvent.kind, func.count(Notification.id))
            .join(Notification, Notification.event_id == ComplaintEvent.id)
            .join(Complaint, Complaint.id == ComplaintEvent.complaint_id)
            .where(Complaint.tracking_number == number, Notification.channel == "telegram")
            .group_by(ComplaintEvent.kind)).all())


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "green").save(buffer, "PNG")
    return buffer.getvalue()


def test_claim_respond_resolve_writes_history_outbox_and_one_notification_each(ctx, file,
                                                                               staff):
    number = file("DLH").tracking_number
    officer = staff("petugas.dlh")
    assert workflow.claim(ctx, officer, number).status is Status.IN_PROGRESS
    workflow.respond(ctx, officer, number, ANSWER)
    result = workflow.resolve(ctx, officer, number, "Selesai diangkut.")
    assert result.status is Status.RESOLVED
    kinds = [(kind, old, new) for kind, old, new, _, _ in events_of(ctx, number)]
    assert kinds[-3:] == [("claimed", "disposed", "in_progress"),
                          ("responded", "in_progress", "responded"),
                          ("resolved", "responded", "resolved")]
    assert all(label == "Petugas DLH" for *_, label, _ in events_of(ctx, number)[-3:])
    assert [kind for kind, _ in outbox_kinds(ctx, number)] == ["create", "followup", "resolve"]
    assert all("event_id" in payload for kind, payload in outbox_kinds(ctx, number)[1:])
    assert notifications_per_event(ctx, number) == {"claimed": 1, "responded": 1, "resolved": 1}
    row = complaint_row(ctx, number)
    assert row.claimed_by_id == officer.user_id
    assert row.first_response_at is not None and row.closed_at is not None
    assert row.sla_due_at is None


def test_a_claimed_complaint_cannot_be_claimed_or_worked_by_a_colleague(ctx, file, staff):
    number = file("DLH").tracking_number
    workflow.claim(ctx, staff("petugas.dlh"), number)
    colleague = staff("petugas2.dlh")
    with pytest.raises(Conflict, match="sudah diambil oleh Petugas DLH"):
        workflow.claim(ctx, colleague, number)
    with pytest.raises(PermissionDenied, match="sedang ditangani oleh Petugas DLH"):
        workflow.respond(ctx, colleague, number, ANSWER)
    assert Action.RESPOND not in case_view(ctx, colleague, number).actions


def test_two_officers_claiming_at_once_only_one_wins(ctx, file, staff):
    number = file("DLH").tracking_number
    officers = [staff("petugas.dlh"), staff("petugas2.dlh")]
    barrier = threading.Barrier(2)
    outcomes = []

    def attempt(officer):
        barrier.wait()
        try:
            workflow.claim(ctx, officer, number)
            outcomes.append("ok")
        except Conflict:
            outcomes.append("conflict")

    threads = [threading.Thread(target=attempt, args=(officer,)) for officer in officers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["conflict", "ok"]
    assert [kind for kind, *_ in events_of(ctx, number)].count("claimed") == 1


def test_a_stale_page_cannot_overwrite_a_newer_state(ctx, file, staff):
    number = file("DLH").tracking_number
    officer = staff("petugas.dlh")
    seen = case_view(ctx, officer, number).version
    workflow.claim(ctx, officer, number, version=seen)
    with pytest.raises(Conflict, match="sudah diubah"):
        workflow.respond(ctx, officer, number, ANSWER, version=seen)
    workflow.respond(ctx, officer, number, ANSWER, version=case_view(ctx, officer, number).version)


def test_out_of_scope_is_not_found_and_the_coordinator_only_reads(ctx, file, staff):
    number = file("DLH").tracking_number
    with pytest.raises(NotFound):
        case_view(ctx, staff("petugas.dinkes"), number)
    with pytest.raises(NotFound):
        workflow.claim(ctx, staff("petugas.dinkes"), number)
    coordinator = staff("koordinator.jateng")
    view = case_view(ctx, coordinator, number)
    assert view.actions == () and not view.can_note
    with pytest.raises(PermissionDenied):
        workflow.add_note(ctx, coordinator, number, "catatan")


def test_illegal_moves_raise_the_domain_error(ctx, file, staff):
    number = file("DLH").tracking_number
    officer = staff("petugas.dlh")
    with pytest.raises(IllegalTransition, match="Selesaikan"):
        workflow.resolve(ctx, officer, number)
    with pytest.raises(IllegalTransition):
        workflow.request_info(ctx, officer, number, "Mohon alamat lengkapnya, Pak.")


def test_officer_reopens_own_agency_complaint_but_not_another(ctx, file, staff):
    number = file("DLH").tracking_number
    officer = staff("petugas.dlh")
    workflow.respond(ctx, officer, number, ANSWER)
    workflow.resolve(ctx, officer, number)
    with pytest.raises(NotFound):
        workflow.reopen(ctx, staff("petugas.pupr"), number, "Warga belum puas")
    assert workflow.reopen(ctx, officer, number,
                           "Warga belum puas").status is Status.IN_PROGRESS
    assert complaint_row(ctx, number).closed_at is None
    with pytest.raises(PermissionDenied):
        workflow.reopen(ctx, staff("koordinator.jateng"), number, "Warga belum puas")


def test_transfer_moves_the_complaint_and_records_a_training_label(ctx, file, staff):
    number = file("DLH").tracking_number
    officer = staff("petugas.dlh")
    workflow.claim(ctx, officer, number)
    workflow.transfer(ctx, officer, number, "PUPR", "Jalan rusak, bukan sampah: wewenang PUPR")
    row = complaint_row(ctx, number)
    assert row.status == "disposed" and row.claimed_by_id is None
    with pytest.raises(NotFound):
        case_view(ctx, officer, number)
    assert case_view(ctx, staff("petugas.pupr"), number).agency_code == "PUPR"
    with ctx.read() as session:
        correction = session.scalar(select(RoutingCorrection))
    # PUPR takes several categories in Kota Tegal's table: the label is the agency
    assert (correction.predicted_label, correction.corrected_label,
            correction.label_kind) == ("DLH", "PUPR", "agency")
    assert correction.officer_id == officer.user_id
    assert routing_corrections(ctx, "agency") == [(correction.text, "PUPR")]
    assert routing_corrections(ctx) == []
    assert [kind for kind, _ in outbox_kinds(ctx, number)] == ["create", "transfer"]
    with pytest.raises(ValidationFailed):
        workflow.transfer(ctx, staff("petugas.pupr"), number, "PUPR", "sudah di sini")


def test_waiting_for_the_reporter_pauses_the_clock_until_they_reply(ctx, file, staff):
    submitted = file("DLH")
    number = submitted.tracking_number
    officer = staff("petugas.dlh")
    workflow.claim(ctx, officer, number)
    due_before = complaint_row(ctx, number).sla_due_at
    workflow.request_info(ctx, officer, number, "Mohon kirim patokan lokasinya.")
    assert complaint_row(ctx, number).pauses[-1][1] is None
    assert case_view(ctx, officer, number).sla.current.paused
    with pytest.raises(NotFound):
        reporter_reply(ctx, number, "Depan masjid", reporter_key="bukan-kunci")
    clock = ctx.clock
    ctx.clock = lambda: clock() + timedelta(days=3)
    result = reporter_reply(ctx, number, "Depan masjid An-Nur", reporter_key=submitted.reporter_key)
    assert result.status is Status.IN_PROGRESS
    row = complaint_row(ctx, number)
    assert row.pauses[-1][1] is not None and row.sla_due_at > due_before
    assert [kind for kind, _ in outbox_kinds(ctx, number)][-2:] == ["followup", "reporter_reply"]
    workflow.respond(ctx, officer, number, ANSWER)
    assert reporter_reply(ctx, number, "Masih ada sisa sampah", chat_id=4242).status \
        is Status.IN_PROGRESS
    with pytest.raises(NotFound):
        reporter_reply(ctx, number, "Saya juga", chat_id=999)


def test_public_page_shows_follow_ups_but_no_notes_names_or_secret_text(ctx, file, staff):
    open_one = file("DLH").tracking_number
    officer = staff("petugas.dlh")
    workflow.add_note(ctx, officer, open_one, "Cek dulu ke kelurahan, rahasia internal")
    workflow.respond(ctx, officer, open_one, ANSWER)
    view = public_view(ctx, open_one)
    notes = [event.note for event in view.history if event.note]
    assert notes == [ANSWER]
    assert "Petugas DLH" not in repr(view) and "internal" not in repr(view)
    secret = file("DLH", rahasia=True)
    workflow.respond(ctx, officer, secret.tracking_number, ANSWER)
    assert ANSWER not in repr(public_view(ctx, secret.tracking_number))
    assert ANSWER in repr(public_view(ctx, secret.tracking_number, secret.reporter_key))


def test_anonymous_reporter_is_hidden_from_officers(ctx, file, staff):
    number = file("DLH", anonim=True).tracking_number
    view = case_view(ctx, staff("petugas.dlh"), number)
    assert view.reporter == "Anonim" and "Budi" not in repr(view)


def test_follow_up_photos_are_attached_to_the_event(ctx, file, staff):
    number = file("DLH").tracking_number
    officer = staff("petugas.dlh")
    workflow.respond(ctx, officer, number, ANSWER, photos=(UploadedFile("bukti.png", png()),))
    view = case_view(ctx, officer, number)
    responded = [entry for entry in view.history if entry.kind == "responded"][0]
    assert [a.name for a in responded.attachments] == ["bukti.png"]
    assert view.photos == ()
    with pytest.raises(ValidationFailed):
        workflow.respond(ctx, officer, number, ANSWER, photos=(UploadedFile("x.png", b"no"),))
    with ctx.read() as session:
        assert session.scalar(select(func.count()).select_from(Attachment)) == 1


def test_triage_dispose_archive_and_verify(ctx, file, staff):
    admin = staff("admin.tegal")
    low = file("DLH", score=0.3).tracking_number
    view = case_view(ctx, admin, low)
    assert view.is_triage and [s.code for s in view.suggestions] == ["DLH", "PUPR", "DINKES"]
    assert {Action.VERIFY, Action.DISPOSE, Action.ARCHIVE} <= set(view.actions)
    with pytest.raises(NotFound):
        case_view(ctx, staff("petugas.dlh"), low)
    triage.dispose(ctx, admin, low, "DINKES", category="puskesmas")
    assert complaint_row(ctx, low).status == "disposed"
    assert complaint_row(ctx, low).category == "puskesmas"
    assert case_view(ctx, staff("petugas.dinkes"), low).agency_code == "DINKES"
    assert routing_corrections(ctx)[-1][1] == "puskesmas"
    with pytest.raises(ValidationFailed):
        triage.dispose(ctx, admin, file("DLH", score=0.3).tracking_number, "DLH",
                       category="bukan-kategori")
    other = file("DLH", score=0.3).tracking_number
    triage.verify(ctx, admin, other)
    with pytest.raises(ValidationFailed):
        triage.archive(ctx, admin, other, "alasan-asal")
    assert triage.archive(ctx, admin, other, "umum").status is Status.ARCHIVED
    assert "terlalu umum" in public_view(ctx, other).history[-1].note
    with pytest.raises(PermissionDenied):
        triage.dispose(ctx, staff("koordinator.jateng"), other, "DLH")


def test_erasing_personal_data_keeps_the_complaint_and_drops_the_identity(ctx, file, staff):
    submitted = file("DLH")
    number = submitted.tracking_number
    workflow.claim(ctx, staff("petugas.dlh"), number)
    with pytest.raises(NotFound):
        erase_personal_data(ctx, number, reporter_key="salah")
    assert erase_personal_data(ctx, number, reporter_key=submitted.reporter_key)
    assert not erase_personal_data(ctx, number, by_admin=True)
    with ctx.read() as session:
        for model in (ReporterContact, Subscriber, Notification):
            assert session.scalar(select(func.count()).select_from(model)) == 0
    row = complaint_row(ctx, number)
    assert row.personal_data_erased_at is not None and row.description
    view = case_view(ctx, staff("petugas.dlh"), number)
    assert view.reporter == "Data pelapor dihapus" and "Budi" not in repr(view)
    workflow.respond(ctx, staff("petugas.dlh"), number, ANSWER)
    with ctx.read() as session:
        assert session.scalar(select(func.count()).select_from(Notification)) == 0


def test_an_officers_category_is_a_label_and_a_move_keeps_only_a_fitting_one(ctx, file, staff):
    number = file("DLH").tracking_number
    officer = staff("petugas.dlh")
    with pytest.raises(ValidationFailed) as refused:
        workflow.set_category(ctx, officer, number, "Sampah")  # a name, not a code
    assert "category" in refused.value.errors
    workflow.set_category(ctx, officer, number, "sampah")
    view = case_view(ctx, officer, number)
    assert view.category == "sampah"
    assert ("pencemaran", "Pencemaran dan sanitasi") in view.categories
    assert (view.history[-1].kind, view.history[-1].internal) == ("category", True)
    assert routing_corrections(ctx)[-1][1] == "sampah"
    events = len(view.history)
    workflow.set_category(ctx, officer, number, "sampah")  # unchanged: no new history entry
    assert len(case_view(ctx, officer, number).history) == events
    with pytest.raises(NotFound):
        workflow.set_category(ctx, staff("petugas.pupr"), number, "jalan")
    workflow.transfer(ctx, officer, number, "PUPR", "Jalan rusak, bukan sampah: wewenang PUPR")
    assert complaint_row(ctx, number).category is None  # sampah is not PUPR's here
    workflow.set_category(ctx, staff("petugas.pupr"), number, "jalan")
    workflow.transfer(ctx, staff("petugas.pupr"), number, "DLH", "Ternyata sampah di jalan")
    assert complaint_row(ctx, number).category is None  # DLH takes five categories


def test_a_move_to_an_agency_with_one_category_files_it_there(ctx, file, staff):
    set_rules(ctx, staff("admin.tegal"), "33.76", {"air_pdam": "PDAM", "tagihan_air": None})
    number = file("DLH").tracking_number
    workflow.transfer(ctx, staff("petugas.dlh"), number, "PDAM", "Air mati, wewenang PDAM")
    assert complaint_row(ctx, number).category == "air_pdam"
    assert routing_corrections(ctx)[-1][1] == "air_pdam"
