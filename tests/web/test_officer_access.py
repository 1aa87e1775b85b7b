"""Staff login and the officer queue's access rules."""

from lapor_bridge.services.intake.submit import ComplaintInput, submit_complaint
from tests.fakes import FixedModel


def file_for(ctx, code, title):
    ctx.classifier = FixedModel.routing_to(code)
    return submit_complaint(ctx, ComplaintInput(
        title=title, description="Uraian keluhan yang cukup panjang untuk diterima sistem.",
        kecamatan="Tegal Barat", kelurahan="Kraton", anonim=True,
    )).tracking_number


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get("/petugas/")
    assert response.status_code == 302 and "/masuk" in response.location


def test_wrong_password_is_refused(login):
    response = login("petugas.pupr", "salah")
    assert response.status_code == 401
    assert "salah" in response.get_data(as_text=True)


def test_login_without_csrf_is_refused(client):
    response = client.post("/masuk", data={"username": "petugas.pupr", "password": "tegal-demo"})
    assert response.status_code == 400


def test_officer_sees_only_own_agency_newest_first(ctx, client, login):
    older = file_for(ctx, "PUPR", "Jalan rusak pertama")
    newer = file_for(ctx, "PUPR", "Jalan rusak kedua")
    other = file_for(ctx, "DLH", "Sampah menumpuk")
    assert login("petugas.pupr").status_code == 302
    page = client.get("/petugas/").get_data(as_text=True)
    assert older in page and newer in page and other not in page
    assert page.index(newer) < page.index(older)
    assert "Anonim" in page


def test_regional_admin_sees_the_triage_queue(ctx, client, login):
    ctx.classifier = None
    triaged = submit_complaint(ctx, ComplaintInput(
        title="Tidak jelas", description="Keluhan yang tidak jelas instansinya sama sekali.",
        kecamatan="Margadana", kelurahan="Cabawan")).tracking_number
    routed = file_for(ctx, "DLH", "Sampah")
    login("admin.tegal")
    page = client.get("/petugas/").get_data(as_text=True)
    assert triaged in page and routed not in page


def test_coordinator_and_sysadmin_get_403_on_the_officer_queue(client, login):
    for username in ("koordinator.jateng", "sysadmin"):
        login(username)
        assert client.get("/petugas/").status_code == 403


def test_logout_ends_the_session(client, login, csrf):
    login("petugas.dlh")
    assert client.get("/petugas/").status_code == 200
    client.post("/keluar", data={"csrf_token": csrf("/petugas/")})
    assert client.get("/petugas/").status_code == 302


def test_open_redirect_after_login_is_ignored(client, csrf):
    response = client.post("/masuk?next=https://evil.example/", data={
        "username": "petugas.dlh", "password": "tegal-demo", "csrf_token": csrf("/masuk")})
    assert response.location == "/petugas/"
