"""API v1 additions: multipart with photos, ETag, cursor pages, strict input, escaping."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from lapor_bridge.web.pagination import BadCursor, decode_cursor, encode_cursor

DESCRIPTION = "Air PDAM di rumah kami keruh dan berbau sejak tiga hari, tidak bisa dipakai."
VALID = {"title": "Air PDAM keruh", "description": DESCRIPTION,
         "kecamatan": "Margadana", "kelurahan": "Krandon"}


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "blue").save(buffer, "PNG")
    return buffer.getvalue()


def multipart(client, fields, files=()):
    data = {**fields, "photo": [(io.BytesIO(content), name) for name, content in files]}
    return client.post("/api/v1/complaints", data=data, content_type="multipart/form-data")


def test_multipart_with_photos_is_filed_and_the_photos_stored(client, ctx):
    from sqlalchemy import select

    from lapor_bridge.db.models import Attachment

    response = multipart(client, {**VALID, "contact.name": "Ani", "anonim": "true",
                                  "lat": "-6.87", "lon": "109.12"},
                         files=[("a.png", png()), ("b.png", png())])
    assert response.status_code == 201, response.json
    assert response.headers["Cache-Control"] == "no-store"
    with ctx.read() as session:
        stored = session.scalars(select(Attachment.content_type)).all()
    assert stored == ["image/png", "image/png"]


@pytest.mark.parametrize(
    ("fields", "files", "bad"),
    [
        ({**VALID, "colour": "red"}, [], {"colour"}),
        ({**VALID, "lat": "south", "anonim": "maybe"}, [], {"lat", "anonim"}),
        ({**VALID, "contact.phone": "x" * 40}, [], {"contact.phone"}),
        (VALID, [("foto.jpg", b"MZ\x90\x00 not a picture")], {"photo"}),
        (VALID, [("a.png", png())] * 4, {"photo"}),
    ],
)
def test_multipart_errors_name_each_field(client, fields, files, bad):
    response = multipart(client, fields, files)
    assert response.status_code == 422
    assert set(response.json["error"]["fields"]) == bad


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded",
                                          "application/xml"])
def test_other_content_types_are_415(client, content_type):
    response = client.post("/api/v1/complaints", data="title=x", content_type=content_type)
    assert response.status_code == 415
    assert response.json["error"]["code"] == "unsupported_media_type"


@pytest.mark.parametrize("bad_text", ["Air\x00keruh sekali di rumah", "Air \ud800 keruh di rumah"])
def test_text_no_database_can_store_is_422_not_500(client, bad_text):
    response = client.post("/api/v1/complaints", json={**VALID, "title": bad_text})
    assert response.status_code == 422 and set(response.json["error"]["fields"]) == {"title"}


def test_view_has_an_etag_and_answers_304_when_unchanged(client):
    number = client.post("/api/v1/complaints", json=VALID).json["tracking_number"]
    first = client.get(f"/api/v1/complaints/{number}")
    assert first.headers["ETag"] and first.headers["Cache-Control"] == "no-cache"
    again = client.get(f"/api/v1/complaints/{number}",
                       headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    other = client.get(f"/api/v1/complaints/{number}", headers={"If-None-Match": '"stale"'})
    assert other.status_code == 200


def test_list_pages_with_cursors_without_gaps_or_repeats(client):
    created = [client.post("/api/v1/complaints", json=VALID).json["tracking_number"]
               for _ in range(5)]
    client.post("/api/v1/complaints", json={**VALID, "rahasia": True})
    seen, cursor = [], None
    while True:
        query = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = client.get("/api/v1/complaints", query_string=query).json
        seen += [item["tracking_number"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == list(reversed(created))


@pytest.mark.parametrize("query", [{"cursor": "bm90LWEtY3Vyc29y"}, {"limit": 0},
                                   {"limit": "lots"}, {"status": "lost"}])
def test_list_refuses_bad_parameters_with_400(client, query):
    response = client.get("/api/v1/complaints", query_string=query)
    assert response.status_code == 400 and response.json["error"]["fields"]


def test_cursor_round_trip_and_garbage():
    from datetime import UTC, datetime

    moment = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert decode_cursor(encode_cursor(moment, 42)) == (moment, 42)
    for garbage in ("", "!!!", "W10", "WyJ4IiwgMV0", "WyIyMDI2LTAxLTAyVDAzOjA0OjA1IiwxXQ"):
        with pytest.raises(BadCursor):
            decode_cursor(garbage)


def test_html_in_complaint_text_is_escaped_where_shown(client):
    body = {**VALID, "title": "<script>alert(1)</script> jalan"}
    number = client.post("/api/v1/complaints", json=body).json["tracking_number"]
    page = client.get(f"/lacak/{number}").get_data(as_text=True)
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page
    api = client.get(f"/api/v1/complaints/{number}")
    assert api.content_type == "application/json"
    assert api.headers["X-Content-Type-Options"] == "nosniff"


def test_unexpected_errors_show_no_stack_trace(client, monkeypatch):
    from lapor_bridge.web import api

    monkeypatch.setattr(api, "find_public", lambda *a, **k: 1 / 0)
    response = client.get("/api/v1/complaints")
    assert response.status_code == 500 and "ZeroDivision" not in response.get_data(as_text=True)
    assert "Traceback" not in response.get_data(as_text=True)
