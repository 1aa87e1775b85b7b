"""The public form and tracking pages through Flask's test client, CSRF on."""

import io
import re

from PIL import Image

VALID = {
    "title": "Lampu jalan mati",
    "description": "Lampu PJU di Jl. Werkudoro mati sudah dua minggu, jalan gelap dan rawan.",
    "kecamatan": "Tegal Timur",
    "kelurahan": "Slerok",
    "contact_name": "Budi Santoso",
    "contact_phone": "081298765432",
}


def form_data(csrf, **changes):
    data = {**VALID, "csrf_token": csrf("/"), **changes}
    return {key: value for key, value in data.items() if value is not None}


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "navy").save(buffer, format="JPEG")
    return buffer.getvalue()


def submit(client, csrf, **changes):
    return client.post("/lapor", data=form_data(csrf, **changes),
                       content_type="multipart/form-data")


def test_form_lists_kecamatan_and_kelurahan(client):
    page = client.get("/").get_data(as_text=True)
    assert 'name="csrf_token"' in page
    assert '<option value="Margadana"' in page and '<option value="Pesurungan Lor"' in page
    assert 'name="viewport"' in page


def test_submit_shows_tracking_number_and_agency_then_tracking_page(client, csrf):
    response = submit(client, csrf, photo=(io.BytesIO(jpeg()), "pju.jpg"))
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    number = re.search(r'id="tracking-number">([A-Z0-9]+)<', page).group(1)
    assert "Dinas" in page or "verifikasi" in page
    private_link = re.search(r'id="private-link" href="([^"]+)"', page).group(1)
    public = client.get(f"/lacak/{number}").get_data(as_text=True)
    assert "Lampu jalan mati" in public and "Riwayat" in public
    assert "Budi" not in public and "0812" not in public
    private_page = client.get(private_link.replace("&amp;", "&")).get_data(as_text=True)
    assert "Lampu jalan mati" in private_page
    # The receipt is shown once; a reload goes to the public page.
    assert client.get(response.location).status_code == 302


def test_tracking_lookup_accepts_what_people_type(client, csrf):
    response = submit(client, csrf)
    number = response.location.rsplit("/", 1)[1]
    typed = f"#{number[:4].lower()}-{number[4:].lower()}"
    redirect = client.get("/lacak", query_string={"nomor": typed})
    assert redirect.location.endswith(f"/lacak/{number}")
    assert client.get("/lacak/NOPE1234").status_code == 404


def test_rahasia_text_is_hidden_from_the_public_but_not_the_reporter(client, csrf):
    response = submit(client, csrf, rahasia="1", title="Pungli di kantor kelurahan")
    receipt = client.get(response.location).get_data(as_text=True)
    number = response.location.rsplit("/", 1)[1]
    public = client.get(f"/lacak/{number}").get_data(as_text=True)
    assert "Pungli" not in public and "rahasia" in public
    assert "Slerok" not in public
    private_link = re.search(r'id="private-link" href="([^"]+)"', receipt).group(1)
    assert "Pungli" in client.get(private_link.replace("&amp;", "&")).get_data(as_text=True)
    wrong_key = client.get(f"/lacak/{number}?kunci=guess").get_data(as_text=True)
    assert "Pungli" not in wrong_key


def test_bad_input_keeps_every_entry(client, csrf):
    response = submit(client, csrf, description="pendek", kelurahan="")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Uraian terlalu pendek" in page and "Pilih kelurahan" in page
    assert 'value="Lampu jalan mati"' in page and "Budi Santoso" in page


def test_non_image_upload_is_refused_with_text_kept(client, csrf):
    response = submit(client, csrf, photo=(io.BytesIO(b"MZ\x90\x00 not a photo"), "foto.jpg"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "bukan foto" in page and 'value="Lampu jalan mati"' in page


def test_twenty_megabyte_upload_is_refused_with_text_kept(client, csrf):
    big = jpeg() + b"\x00" * (20 * 1_048_576)
    response = submit(client, csrf, photo=(io.BytesIO(big), "besar.jpg"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Foto terlalu besar" in page and "Lampu PJU di Jl. Werkudoro" in page


def test_request_beyond_the_hard_cap_gets_a_clear_413(client, csrf):
    huge = b"\x00" * (40 * 1_048_576)
    response = submit(client, csrf, photo=(io.BytesIO(huge), "huge.jpg"))
    assert response.status_code == 413
    assert "terlalu besar" in response.get_data(as_text=True)


def test_missing_csrf_token_is_refused(client):
    response = client.post("/lapor", data=VALID)
    assert response.status_code == 400


def test_security_headers(client):
    response = client.get("/")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]


def test_html_in_complaint_text_is_escaped(client, csrf):
    response = submit(client, csrf, title="<script>alert(1)</script> jalan")
    number = response.location.rsplit("/", 1)[1]
    page = client.get(f"/lacak/{number}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
