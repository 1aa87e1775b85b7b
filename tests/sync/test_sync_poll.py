"""Poll, inbound and alignment against the simulator over real HTTP."""

from sqlalchemy import func, select

from lapor_bridge.db.models import Agency, Complaint, ComplaintEvent, OutboxMessage
from lapor_bridge.db.models_sync import LaporInstitution, LaporLink, LaporSeen
from lapor_bridge.domain.transitions import Action, Role
from lapor_bridge.services.alignment import alignment_report
from lapor_bridge.services.sync.inbound import import_disposed
from lapor_bridge.services.sync.masters import masters_are_stale, sync_institutions
from lapor_bridge.services.sync.poll import poll_due
from lapor_bridge.services.sync.push import push_pending
from lapor_bridge.services.workflow import Actor, perform
from tests.sync.conftest import submit


def complaint_of(ctx, number):
    with ctx.read() as session:
        return session.scalar(select(Complaint).where(Complaint.tracking_number == number))


def events(ctx, number, kind):
    with ctx.read() as session:
        return list(session.scalars(select(ComplaintEvent).join(Complaint).where(
            Complaint.tracking_number == number, ComplaintEvent.kind == kind)))


def respond(ctx, number, text):
    with ctx.transaction() as session:
        complaint = session.scalar(select(Complaint).where(Complaint.tracking_number == number))
        officer = Actor(Role.OFFICER, "officer", None, "Petugas")
        if complaint.status == "submitted":
            dlh = session.scalar(select(Agency).where(Agency.code == "DLH"))
            perform(session, complaint, Action.DISPOSE, Actor(Role.REGIONAL_ADMIN, "officer"),
                    ctx.clock(), ctx.settings.sla, to_agency=dlh)
        perform(session, complaint, Action.RESPOND, officer, ctx.clock(), ctx.settings.sla,
                note=text)


def test_national_changes_arrive_once_and_our_pushes_do_not_echo(sync_ctx, sim):
    number = submit(sync_ctx, 1)
    push_pending(sync_ctx)
    lapor_id = int(complaint_of(sync_ctx, number).lapor_id)
    sim.control.verify(lapor_id)
    sim.control.dispose(lapor_id, 1003)  # Dinas Lingkungan Hidup
    sim.control.post_followup(lapor_id, "Provinsi memantau laporan ini.", institution_id=2001)
    poll_due(sync_ctx, every=True)
    complaint = complaint_of(sync_ctx, number)
    with sync_ctx.read() as session:
        assert session.get(Agency, complaint.agency_id).code == "DLH"
    (followup,) = events(sync_ctx, number, "followup")
    assert followup.note == "Provinsi memantau laporan ini." and followup.actor_type == "lapor"

    respond(sync_ctx, number, "Petugas DLH sudah mengangkut sampah di lokasi.")
    assert push_pending(sync_ctx).sent == 1
    sim.control.post_followup(lapor_id, "Terima kasih, sudah bersih.")  # the reporter
    sim.control.set_faults(disorder_rate=1.0)  # shuffled, duplicated history and follow-ups
    for _ in range(3):
        poll_due(sync_ctx, every=True)
    assert len(events(sync_ctx, number, "followup")) == 1  # our own reply did not come back
    (reply,) = events(sync_ctx, number, "reporter_replied")
    assert reply.note == "Terima kasih, sudah bersih."
    assert complaint_of(sync_ctx, number).status == "in_progress"
    with sync_ctx.read() as session:
        seen = session.scalar(select(func.count()).select_from(LaporSeen).where(
            LaporSeen.kind == "followup", LaporSeen.lapor_id == lapor_id))
    assert seen == 3
    sim.control.set_faults(disorder_rate=0.0)
    report = alignment_report(sync_ctx)
    assert (report["linked"], report["drift"]) == (1, 0), report


def test_closure_at_lapor_closes_locally_and_stops_polling(sync_ctx, sim):
    number = submit(sync_ctx, 2)
    push_pending(sync_ctx)
    lapor_id = int(complaint_of(sync_ctx, number).lapor_id)
    sim.control.archive(lapor_id, "terlalu umum")
    assert alignment_report(sync_ctx)["drift"] == 1
    poll_due(sync_ctx, every=True)
    assert complaint_of(sync_ctx, number).status == "archived"
    with sync_ctx.read() as session:
        assert session.scalar(select(LaporLink.closed)) is True
    assert poll_due(sync_ctx, every=True).polled == 0
    assert alignment_report(sync_ctx)["drift"] == 0


def test_national_reports_disposed_to_us_are_imported_once_and_routed(sync_ctx, sim):
    to_pupr = sim.control.file_nationally("Jembatan retak", "Jembatan di Jl. Gajah Mada retak "
                                          "parah, mohon segera diperbaiki.", 1002)["id"]
    to_pemkot = sim.control.file_nationally("Sampah", "Sampah menumpuk di pasar pagi "
                                            "sudah tiga hari tidak diangkut.", 1001)["id"]
    sim.control.file_nationally("Listrik", "Lampu jalan padam di seluruh kampung.", 3002)
    result = import_disposed(sync_ctx)
    assert result.imported == 2
    assert import_disposed(sync_ctx).imported == 0
    with sync_ctx.read() as session:
        imported = {int(c.lapor_id): c for c in session.scalars(
            select(Complaint).where(Complaint.channel == "lapor"))}
        assert set(imported) == {to_pupr, to_pemkot}
        assert session.get(Agency, imported[to_pupr].agency_id).code == "PUPR"
        assert imported[to_pupr].district_id is None
        assert session.scalar(select(func.count()).select_from(LaporLink)) == 2
        assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    poll_due(sync_ctx, every=True)
    assert alignment_report(sync_ctx)["drift"] == 0


def test_master_data_sync_upserts_and_retires(sync_ctx, sim):
    assert masters_are_stale(sync_ctx)
    first = sync_institutions(sync_ctx)
    assert first.added == first.total >= 20 and not masters_are_stale(sync_ctx)
    sim.control.add_institution("Dinas Baru Kota Tegal", 1099)
    assert sync_institutions(sync_ctx).added == 1
    with sync_ctx.transaction() as session:
        session.add(LaporInstitution(id=4242, name="Instansi lama", active=True))
    assert sync_institutions(sync_ctx).retired == 1
