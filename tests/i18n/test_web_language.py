"""The web app in English with ?lang=en, and back to Bahasa Indonesia; the choice sticks."""

import re

VALID = {
    "title": "Lampu jalan mati",
    "description": "Lampu PJU di Jl. Werkudoro mati sudah dua minggu, jalan gelap dan rawan.",
    "kecamatan": "Tegal Timur",
    "kelurahan": "Slerok",
}


def page(client, path, **query) -> str:
    return client.get(path, query_string=query).get_data(as_text=True)


def test_form_in_english_then_back_in_indonesian(client):
    english = page(client, "/", lang="en")
    assert '<html lang="en">' in english
    assert "Tell us your complaint" in english and "Send report" in english
    assert "Track a report" in english and "Staff login" in english
    assert "Sampaikan keluhan Anda" not in english
    indonesian = page(client, "/", lang="id")
    assert '<html lang="id">' in indonesian
    assert "Sampaikan keluhan Anda" in indonesian and "Kirim laporan" in indonesian


def test_the_switch_links_to_this_page_in_each_language_keeping_its_query(client):
    html = page(client, "/lacak/ABCD2345", kunci="rahasia-saya")
    switch = re.search(r'<nav class="language"[^>]*>(.*?)</nav>', html, re.S).group(1)
    assert "Bahasa Indonesia" in switch and "English" in switch
    assert 'href="/lacak/ABCD2345?kunci=rahasia-saya&amp;lang=en"' in switch
    assert 'href="/lacak/ABCD2345?kunci=rahasia-saya&amp;lang=id" lang="id" aria-current' \
        in switch


def test_the_choice_sticks_in_the_session(client):
    client.get("/", query_string={"lang": "en"})
    with client.session_transaction() as session:
        assert session["lang"] == "en"
    assert "Track a report" in page(client, "/lacak")
    assert "Report number" in page(client, "/lacak")
    client.get("/", query_string={"lang": "id"})
    assert "Nomor laporan" in page(client, "/lacak")


def test_validation_errors_in_english(client, csrf):
    token = csrf("/?lang=en")
    response = client.post("/lapor", data={**VALID, "description": "pendek", "kelurahan": "",
                                           "csrf_token": token})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Description is too short (at least 20 characters)." in html
    assert "Pick a kelurahan." in html
    assert "Please check the marked fields below." in html
    client.get("/", query_string={"lang": "id"})
    response = client.post("/lapor", data={**VALID, "description": "pendek",
                                           "csrf_token": token})
    assert "Uraian terlalu pendek (minimal 20 karakter)." in response.get_data(as_text=True)


def test_tracking_page_in_english(client, csrf):
    response = client.post("/lapor", data={**VALID, "csrf_token": csrf("/")})
    number = response.location.rsplit("/", 1)[1]
    english = page(client, f"/lacak/{number}", lang="en")
    assert f"<title>Report {number}" in english
    assert "History" in english and "Report received" in english
    assert "Agency" in english and "Riwayat" not in english
    indonesian = page(client, f"/lacak/{number}", lang="id")
    assert "Riwayat" in indonesian and "Laporan diterima" in indonesian


def test_login_page_and_its_error_in_english(client, csrf):
    english = page(client, "/masuk", lang="en")
    assert "Username" in english and "Password" in english and "Log in" in english
    response = client.post("/masuk", data={"username": "nobody", "password": "salah",
                                           "csrf_token": csrf("/masuk")})
    assert "Wrong username or password." in response.get_data(as_text=True)


def test_language_survives_login_and_logout(client, login):
    client.get("/", query_string={"lang": "en"})
    assert login("petugas.pupr").status_code == 302
    with client.session_transaction() as session:
        assert session["lang"] == "en" and session.get("user_id")


def test_error_page_in_english_and_indonesian(client):
    response = client.get("/lacak/NOPE2345", query_string={"lang": "en"})
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "Page or report not found." in html and "Back to the home page" in html
    html = page(client, "/lacak/NOPE2345", lang="id")
    assert "Halaman atau laporan tidak ditemukan." in html and "Kembali ke beranda" in html


def test_the_api_keeps_answering_in_indonesian(client):
    client.get("/", query_string={"lang": "en"})
    body = client.get("/api/v1/tidak-ada").get_json()
    assert body["error"]["message"] == "Halaman atau laporan tidak ditemukan."


def test_officer_queue_and_case_in_english(client, csrf, login):
    response = client.post("/lapor", data={**VALID, "csrf_token": csrf("/")})
    number = response.location.rsplit("/", 1)[1]
    assert login("admin.tegal").status_code == 302
    queue = page(client, "/petugas/", lang="en")
    assert "To handle" in queue and "All reports" in queue and "Queue" in queue
    case = page(client, f"/petugas/laporan/{number}")
    assert "History" in case and "Actions" in case and "Received" in case
    assert "Report received" in case
