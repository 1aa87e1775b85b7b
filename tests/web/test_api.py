"""JSON API v1: 201 on success, 400/413/415/422 naming each bad field, public view, health."""

import pytest

VALID = {
    "title": "Air PDAM keruh",
    "description": "Air PDAM di rumah kami keruh dan berbau sejak tiga hari, tak bisa dipakai.",
    "kecamatan": "Margadana",
    "kelurahan": "Krandon",
}


def post(client, body=None, **kwargs):
    return client.post("/api/v1/complaints", json=body, **kwargs)


def test_create_returns_201_with_tracking_number_and_agency(client):
    response = post(client, {**VALID, "lat": -6.87, "lon": 109.12, "anonim": True,
                             "contact": {"name": "Ani", "phone": "0283 351 000"}})
    assert response.status_code == 201
    body = response.json
    assert set(body) == {"tracking_number", "reporter_key", "status", "agency", "confidence",
                         "category", "category_name", "route_reason"}
    assert set(body["agency"]) == {"code", "name"}
    assert body["status"] in {"disposed", "submitted"}
    assert response.headers["Location"] == f"/api/v1/complaints/{body['tracking_number']}"


def test_public_view_hides_reporter_and_secret_text(client):
    created = post(client, {**VALID, "rahasia": True, "contact": {"name": "Ani"}}).json
    view = client.get(f"/api/v1/complaints/{created['tracking_number']}").json
    assert view["title"] is None and view["description"] is None and view["kelurahan"] is None
    assert "Ani" not in str(view)
    assert view["history"][0]["label"] == "Laporan diterima"
    full = client.get(f"/api/v1/complaints/{created['tracking_number']}",
                      query_string={"key": created["reporter_key"]}).json
    assert full["title"] == "Air PDAM keruh"


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({**VALID, "description": ""}, {"description"}),
        ({**VALID, "description": "a" * 100_000}, {"description"}),
        ({**VALID, "title": 42, "anonim": "yes", "lat": "south"}, {"title", "anonim", "lat"}),
        ({**VALID, "kelurahan": "Nowhere"}, {"kelurahan"}),
        ({**VALID, "contact": "081234"}, {"contact"}),
        ({**VALID, "contact": {"phone": True}}, {"contact.phone"}),
        ({**VALID, "colour": "red"}, {"colour"}),
        ({"title": "Tanpa isi lainnya"}, {"description", "kecamatan", "kelurahan"}),
        ([VALID], {"body"}),
    ],
)
def test_bad_input_returns_422_naming_each_field(client, body, fields):
    response = post(client, body)
    assert response.status_code == 422
    assert set(response.json["error"]["fields"]) == fields
    assert response.json["error"]["code"] == "invalid_fields"


def test_malformed_json_and_wrong_content_type(client):
    bad_json = client.post("/api/v1/complaints", data="{title:", content_type="application/json")
    assert bad_json.status_code == 400 and bad_json.json["error"]["code"] == "bad_json"
    form = client.post("/api/v1/complaints", data=VALID)
    assert form.status_code == 415


def test_oversized_body_is_413_json(client):
    response = client.post("/api/v1/complaints", data="x" * 2_000_000,
                           content_type="application/json")
    assert response.status_code == 413 and response.json["error"]["status"] == 413


def test_unknown_tracking_number_is_404_json(client):
    response = client.get("/api/v1/complaints/NOPE0000")
    assert response.status_code == 404 and response.json["error"]["code"] == "not_found"


def test_healthz_reports_database_and_model(client):
    body = client.get("/healthz").json
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["model"]["ok"] is True and body["checks"]["model"]["version"]


def test_healthz_says_when_no_model_is_loaded(client, ctx):
    ctx.classifier = None
    body = client.get("/healthz").json
    assert body["checks"]["model"]["ok"] is False


def test_intake_is_rate_limited_per_client(app, client):
    from lapor_bridge.web import limiter

    app.config["LAPOR_SETTINGS"] = app.config["LAPOR_SETTINGS"].__class__(
        **{**vars(app.config["LAPOR_SETTINGS"]),
           "app": app.config["LAPOR_SETTINGS"].app.__class__(
               **{**vars(app.config["LAPOR_SETTINGS"].app), "intake_rate_limit": "3 per minute"})}
    )
    limiter.reset()
    codes = [post(client, {**VALID, "title": "x"}).status_code for _ in range(4)]
    assert codes == [422, 422, 422, 429]
    assert "Retry-After" in post(client, VALID).headers
