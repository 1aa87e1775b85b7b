"""Officer pages over HTTP: queue clocks, actions, stale pages, triage, the resident side."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlalchemy import delete, select

from lapor_bridge.db.models import Agency, Complaint, ResponseTemplate
from lapor_bridge.domain.calendar import WIB
from lapor_bridge.services.intake.submit import ComplaintInput, ContactInput, submit_complaint
from lapor_bridge.services.seed import seed_demo
from tests.fakes import FixedModel

# Monday 7 July 2025, 10:00 WIB: disposed at once, first follow-up due Monday 14 July.
MONDAY = datetime(2025, 7, 7, 10, tzinfo=WIB)



def file(ctx, code="DLH", score=0.99, **extra):
    ctx.classifier = FixedModel.routing_to(code, score)
    return submit_complaint(ctx, ComplaintInput(
        title="Sampah menumpuk", kecamatan="Tegal Barat", kelurahan="Kraton",
        description="Sampah menumpuk di tepi jalan sejak minggu lalu dan berbau.",
        contact=ContactInput(name="Siti Aminah"), **extra))


def page_of(client, path):
    return client.get(path).get_data(as_text=True)


def form_version(page):
    return re.search(r'name="version" value="(\d+)"', page).group(1)


def test_queue_shows_due_time_in_wib_and_working_time_left(ctx, client, login):
    ctx.clock = lambda: MONDAY
    number = file(ctx).tracking_number
    login("petugas.dlh")
    ctx.clock = lambda: MONDAY + timedelta(days=1)  # Tuesday 10:00
    page = page_of(client, "/petugas/")
    assert number in page and "14-07-2025 23:59 WIB" in page
    assert "sisa 4,6 hari kerja" in page
    ctx.clock = lambda: datetime(2025, 7, 15, 12, tzinfo=WIB)
    page = page_of(client, "/petugas/")
    assert "TERLAMBAT 12 jam kerja" in page and "sla-late" in page


def test_claim_answer_with_a_template_and_resolve_through_the_pages(ctx, client, login, csrf):
    seed_demo(ctx)
    submitted = file(ctx)
    number = submitted.tracking_number
    login("petugas.dlh")
    case = f"/petugas/laporan/{number}"
    page = page_of(client, case)
    assert "Ambil laporan ini" in page and "Siti Aminah" in page
    response = client.post(f"{case}/ambil", data={
        "csrf_token": csrf(case), "version": form_version(page)})
    assert response.status_code == 302
    page = page_of(client, case)
    assert "Petugas DLH" in page and "Ambil laporan ini" not in page
    with ctx.read() as session:
        template = session.scalar(select(ResponseTemplate).join(Agency).where(
            ResponseTemplate.title == "Sudah ditangani", Agency.code == "DLH"))
    prefilled = page_of(client, f"{case}?templat={template.id}")
    assert template.body in prefilled
    client.post(f"{case}/catatan", data={"csrf_token": csrf(case), "note": "cek ke RT dulu"})
    client.post(f"{case}/tindak-lanjut", data={
        "csrf_token": csrf(case), "version": form_version(page_of(client, case)),
        "text": template.body})
    client.post(f"{case}/selesaikan", data={
        "csrf_token": csrf(case), "version": form_version(page_of(client, case))})
    page = page_of(client, case)
    assert "Selesai" in page and "cek ke RT dulu" in page
    public = page_of(client, f"/lacak/{number}")
    assert template.body in public and "Laporan selesai" in public
    assert "cek ke RT dulu" not in public and "Petugas DLH" not in public


def test_a_stale_page_and_bad_input_are_refused_with_clear_words(ctx, client, login, csrf):
    number = file(ctx).tracking_number
    login("petugas.dlh")
    case = f"/petugas/laporan/{number}"
    stale = form_version(page_of(client, case))
    client.post(f"{case}/ambil", data={"csrf_token": csrf(case), "version": stale})
    response = client.post(f"{case}/tindak-lanjut", data={
        "csrf_token": csrf(case), "version": stale, "text": "Sudah kami tangani kemarin."},
        follow_redirects=True)
    assert "sudah diubah orang lain" in response.get_data(as_text=True)
    response = client.post(f"{case}/tindak-lanjut", data={
        "csrf_token": csrf(case), "version": form_version(page_of(client, case)),
        "text": "pendek"})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "terlalu pendek" in body and ">pendek</textarea>" in body
    response = client.post(f"{case}/selesaikan", data={"csrf_token": csrf(case)},
                           follow_redirects=True)
    assert "tidak dapat dilakukan" in response.get_data(as_text=True)


def test_transfer_to_another_agency_shows_in_both_queues_and_the_public_page(ctx, client,
                                                                             login, csrf):
    number = file(ctx).tracking_number
    login("petugas.dlh")
    case = f"/petugas/laporan/{number}"
    client.post(f"{case}/alihkan", data={
        "csrf_token": csrf(case), "version": form_version(page_of(client, case)),
        "agency": "PUPR", "reason": "Drainase jalan: wewenang PUPR"})
    assert client.get(case).status_code == 404
    assert number not in page_of(client, "/petugas/")
    assert "Dialihkan ke instansi lain" in page_of(client, f"/lacak/{number}")
    login("petugas.pupr")
    assert number in page_of(client, "/petugas/")


def test_triage_one_click_dispose_returns_to_the_queue(ctx, client, login, csrf):
    number = file(ctx, score=0.2).tracking_number
    login("admin.tegal")
    page = page_of(client, "/verifikasi/")
    assert number in page and "DLH (20%)" in page
    response = client.post(f"/petugas/laporan/{number}/disposisi", data={
        "csrf_token": csrf("/verifikasi/"), "agency": "DLH", "next": "/verifikasi/"})
    assert response.status_code == 302 and response.location == "/verifikasi/"
    assert number not in page_of(client, "/verifikasi/")
    with ctx.read() as session:
        assert session.scalar(select(Complaint.status)) == "disposed"


def test_the_reporter_answers_and_erases_their_data_from_the_tracking_page(ctx, client, login,
                                                                           csrf):
    submitted = file(ctx)
    number, key = submitted.tracking_number, submitted.reporter_key
    login("petugas.dlh")
    case = f"/petugas/laporan/{number}"
    client.post(f"{case}/ambil", data={"csrf_token": csrf(case)})
    client.post(f"{case}/minta-keterangan", data={
        "csrf_token": csrf(case), "question": "Mohon patokan lokasinya, Bu."})
    private = f"/lacak/{number}?kunci={key}"
    assert "Mohon patokan lokasinya" in page_of(client, private)
    client.post(f"/lacak/{number}/tanggapi", data={
        "csrf_token": csrf(private), "kunci": key, "text": "Depan SD Kraton 3"})
    assert "Depan SD Kraton 3" in page_of(client, case)
    assert client.post(f"/lacak/{number}/hapus-data", data={
        "csrf_token": csrf(private), "kunci": "salah", "setuju": "1"}).status_code == 404
    client.post(f"/lacak/{number}/hapus-data", data={
        "csrf_token": csrf(private), "kunci": key, "setuju": "1"})
    page = page_of(client, case)
    assert "Siti Aminah" not in page and "Data pelapor dihapus" in page


def test_officers_edit_their_agencys_templates_only(ctx, client, login, csrf):
    seed_demo(ctx)
    login("petugas.dlh")
    page = page_of(client, "/petugas/templat")
    assert "Dinas Lingkungan Hidup" in page and "Dinas Kesehatan" not in page
    own = re.search(r'agency_id" value="(\d+)"', page).group(1)
    with ctx.read() as session:
        other = session.scalar(select(ResponseTemplate.agency_id).where(
            ResponseTemplate.agency_id != int(own)))
    data = {"csrf_token": csrf("/petugas/templat"), "title": "Jadwal angkut",
            "body": "Truk sampah datang setiap Selasa dan Jumat pagi.", "active": "1"}
    assert client.post("/petugas/templat", data={**data, "agency_id": other}).status_code == 404
    try:
        response = client.post("/petugas/templat", data={**data, "agency_id": own})
        assert response.status_code == 302
        assert "Jadwal angkut" in page_of(client, "/petugas/templat")
    finally:
        with ctx.transaction() as session:
            session.execute(delete(ResponseTemplate).where(
                ResponseTemplate.title == "Jadwal angkut"))


def test_an_officer_files_the_complaint_under_a_category(ctx, client, login, csrf):
    number = file(ctx).tracking_number
    login("petugas.dlh")
    case = f"/petugas/laporan/{number}"
    page = page_of(client, case)
    # the whole list, by name; the value is the code
    assert '<option value="sampah" >Sampah dan kebersihan</option>' in page
    assert '<option value="jalan" >' in page
    response = client.post(f"{case}/kategori", data={
        "csrf_token": csrf(case), "version": form_version(page), "category": "Sampah"})
    assert response.status_code == 422 and "Pilih kategori dari daftar" in response.get_data(
        as_text=True)
    response = client.post(f"{case}/kategori", data={
        "csrf_token": csrf(case), "version": form_version(page), "category": "sampah"})
    assert response.status_code == 302
    page = page_of(client, case)
    assert '<option value="sampah" selected>' in page and "Kategori disimpan" in page
    with ctx.read() as session:
        assert session.scalar(select(Complaint.category).where(
            Complaint.tracking_number == number)) == "sampah"
    assert "Sampah dan kebersihan" not in page_of(client, f"/lacak/{number}").split(
        "Riwayat")[-1]


def test_the_system_admin_records_where_escalations_are_mailed(ctx, client, login, csrf):
    from lapor_bridge.db.models import User

    login("sysadmin")
    with ctx.read() as session:
        officer = session.scalar(select(User).where(User.username == "petugas.dlh"))
    path = f"/admin/pengguna/{officer.id}/email"
    try:
        refused = client.post(path, data={"csrf_token": csrf("/admin/pengguna"),
                                          "email": "bukan alamat"}, follow_redirects=True)
        assert "Alamat e-mail tidak valid" in refused.get_data(as_text=True)
        client.post(path, data={"csrf_token": csrf("/admin/pengguna"),
                                "email": " kepala.dlh@tegalkota.go.id "})
        assert 'value="kepala.dlh@tegalkota.go.id"' in page_of(client, "/admin/pengguna")
        with ctx.read() as session:
            assert session.get(User, officer.id).email == "kepala.dlh@tegalkota.go.id"
    finally:  # accounts outlive the test
        client.post(path, data={"csrf_token": csrf("/admin/pengguna"), "email": ""})
    with ctx.read() as session:
        assert session.get(User, officer.id).email is None
