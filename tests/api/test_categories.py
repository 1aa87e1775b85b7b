"""API v1 and service categories: filing under a category, the list, the suggestions, and
the staff view's category."""

from __future__ import annotations

import io

import jsonschema_rs
import pytest
from sqlalchemy import select

from lapor_bridge.db.models import Agency, Complaint
from lapor_bridge.domain import categories
from tests.fakes import FixedModel

DESCRIPTION = "Lampu jalan di depan masjid mati sejak seminggu, gelap sekali di malam hari."
VALID = {"title": "Lampu jalan mati", "description": DESCRIPTION,
         "kecamatan": "Margadana", "kelurahan": "Krandon"}
SUGGEST = "/api/v1/categories/suggest"
CATEGORY_MODEL = FixedModel([("pju", 0.7), ("lainnya", 0.15), ("jalan", 0.1),
                             ("lalu_lintas", 0.04), ("sampah", 0.01)], target="category")


def stored(ctx, number: str):
    with ctx.read() as session:
        return session.execute(
            select(Complaint.resident_category, Complaint.category, Complaint.route_reason,
                   Agency.code, Complaint.is_anonymous, Complaint.is_secret)
            .join(Agency, Agency.id == Complaint.agency_id)
            .where(Complaint.tracking_number == number)).one()


def schema_of(client, path: str, method: str, status: str = "200") -> dict:
    doc = client.get("/api/v1/openapi.json").json
    return doc["paths"][path][method]["responses"][status]["content"]["application/json"][
        "schema"]


# --- filing under a category ------------------------------------------------------------


@pytest.mark.parametrize(("code", "agency", "reason", "status"), [
    ("pju", "DISHUB", "resident_category", "disposed"),
    ("ketenagakerjaan", "TRIAGE", "no_agency_for_category", "submitted"),
])
def test_a_confirmed_category_is_stored_and_routed_through_the_region_table(
        client, ctx, code, agency, reason, status):
    response = client.post("/api/v1/complaints", json={**VALID, "category": code})
    assert response.status_code == 201, response.json
    body = response.json
    assert (body["category"], body["category_name"]) == (code, categories.get(code).name)
    assert body["route_reason"] == reason and body["agency"]["code"] == agency
    assert body["status"] == status
    assert stored(ctx, body["tracking_number"])[:4] == (code, code, reason, agency)
    jsonschema_rs.validate(schema_of(client, "/api/v1/complaints", "post", "201"), body,
                           draft=jsonschema_rs.Draft202012)


def test_multipart_takes_the_category_too(client, ctx):
    response = client.post("/api/v1/complaints", content_type="multipart/form-data",
                           data={**VALID, "category": "pju", "anonim": "true"})
    assert response.status_code == 201, response.json
    assert stored(ctx, response.json["tracking_number"])[:4] == (
        "pju", "pju", "resident_category", "DISHUB")


@pytest.mark.parametrize("category", [None, "lainnya"])
def test_without_a_pick_the_model_decides(client, ctx, category):
    ctx.classifier = CATEGORY_MODEL
    body = {**VALID, **({"category": category} if category else {})}
    response = client.post("/api/v1/complaints", json=body)
    assert response.status_code == 201, response.json
    assert response.json["category"] == "pju" and response.json["route_reason"] == "model_category"
    assert stored(ctx, response.json["tracking_number"])[:4] == (
        category, "pju", "model_category", "DISHUB")


def test_without_any_model_a_complaint_has_no_category_and_goes_to_triage(client, ctx):
    ctx.classifier = None
    body = client.post("/api/v1/complaints", json=VALID).json
    assert (body["category"], body["category_name"], body["route_reason"]) == (
        None, None, "no_model")
    assert body["agency"]["code"] == "TRIAGE"


@pytest.mark.parametrize("category", ["PDAM", "pju ", "x" * 60, 7, ["pju"], "jalan\x00"])
def test_an_unknown_category_is_refused_naming_the_field(client, ctx, category):
    response = client.post("/api/v1/complaints", json={**VALID, "category": category})
    assert response.status_code == 422
    assert set(response.json["error"]["fields"]) == {"category"}
    if isinstance(category, str) and "\x00" not in category:
        assert "tidak dikenal" in response.json["error"]["fields"]["category"]
    with ctx.read() as session:
        assert session.scalar(select(Complaint.id)) is None


def test_an_unknown_category_in_a_multipart_post_is_refused_too(client):
    response = client.post("/api/v1/complaints", content_type="multipart/form-data",
                           data={**VALID, "category": "PUPR"})
    assert response.status_code == 422
    assert response.json["error"]["fields"] == {"category": "Kategori 'PUPR' tidak dikenal."}


def test_anonymity_and_secrecy_are_kept_with_a_category(client, ctx):
    body = {**VALID, "category": "pju", "anonim": True, "rahasia": True,
            "contact": {"name": "Siti"}}
    number = client.post("/api/v1/complaints", json=body).json["tracking_number"]
    assert stored(ctx, number)[4:] == (True, True)
    public = client.get(f"/api/v1/complaints/{number}").json
    assert public["rahasia"] is True and public["title"] is None
    listed = client.get("/api/v1/complaints").json["items"]
    assert number not in {item["tracking_number"] for item in listed}


# --- the list ---------------------------------------------------------------------------


def test_the_category_list_has_every_category_with_its_group(client):
    response = client.get("/api/v1/categories")
    assert response.status_code == 200
    items = response.json["items"]
    assert [item["code"] for item in items] == list(categories.CODES)
    pju = next(item for item in items if item["code"] == "pju")
    assert pju == {
        "code": "pju", "name": "Penerangan jalan umum (PJU)", "name_en": "Street lights",
        "group": {"code": "prasarana", "name": "Jalan, saluran dan prasarana",
                  "name_en": "Roads, drains and infrastructure"},
        "description": "Lampu jalan mati, berkedip atau belum ada.",
        "lapor_category": "Pekerjaan Umum dan Penataan Ruang",
    }
    assert items[-1]["code"] == "lainnya" and items[-1]["lapor_category"] is None
    assert {item["group"]["code"] for item in items} == {group.code for group in
                                                         categories.GROUPS}
    jsonschema_rs.validate(schema_of(client, "/api/v1/categories", "get"), response.json,
                           draft=jsonschema_rs.Draft202012)


def test_the_list_refuses_a_bad_key_and_is_rate_limited(app, client):
    assert client.get("/api/v1/categories",
                      headers={"X-API-Key": "lbk_abcdefgh_" + "x" * 43}).status_code == 401
    app.config["LAPOR_API_READ_LIMIT"] = "2 per minute"
    codes = [client.get("/api/v1/categories").status_code for _ in range(3)]
    assert codes == [200, 200, 429]


# --- suggestions ------------------------------------------------------------------------


def test_suggestions_are_the_top_three_categories_without_lainnya(client, ctx):
    ctx.classifier = CATEGORY_MODEL
    response = client.post(SUGGEST, json={"text": "lampu jalan mati di gang"})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    items = response.json["items"]
    assert [(item["code"], item["probability"]) for item in items] == [
        ("pju", 0.7), ("jalan", 0.1), ("lalu_lintas", 0.04)]
    assert items[0]["name"] == "Penerangan jalan umum (PJU)"
    assert items[0]["name_en"] == "Street lights"
    jsonschema_rs.validate(schema_of(client, SUGGEST, "post"), response.json,
                           draft=jsonschema_rs.Draft202012)


def test_an_agency_model_or_none_suggests_nothing(client, ctx):
    ctx.classifier = FixedModel.routing_to("DLH")
    assert client.post(SUGGEST, json={"text": "sampah menumpuk"}).json == {"items": []}
    ctx.classifier = None
    assert client.post(SUGGEST, json={"text": "sampah menumpuk"}).json == {"items": []}


def test_a_failing_model_suggests_nothing_instead_of_a_500(client, ctx):
    class Broken(FixedModel):
        def predict(self, texts, k=3):
            raise RuntimeError("model file damaged")

    ctx.classifier = Broken([("pju", 1.0)], target="category")
    response = client.post(SUGGEST, json={"text": "lampu mati"})
    assert response.status_code == 200 and response.json == {"items": []}


@pytest.mark.parametrize(("body", "fields"), [
    ({"text": ""}, {"text"}),
    ({"text": "   \n  "}, {"text"}),
    ({"text": "lampu mati " * 1000}, {"text"}),  # 11 kB
    ({"text": "lampu\x00mati"}, {"text"}),
    ({"text": "lampu \ud800 mati"}, {"text"}),
    ({"text": 42}, {"text"}),
    ({"text": ["lampu"]}, {"text"}),
    ({}, {"text"}),
    ({"text": "lampu mati", "title": "x"}, {"title"}),
    (["lampu mati"], {"body"}),
    ("lampu mati", {"body"}),
])
def test_bad_suggestion_requests_are_400_naming_the_field(client, ctx, body, fields):
    ctx.classifier = CATEGORY_MODEL
    response = client.post(SUGGEST, json=body)
    assert response.status_code == 400, response.json
    assert response.json["error"]["code"] == "invalid_fields"
    assert set(response.json["error"]["fields"]) == fields


@pytest.mark.parametrize("raw", [b'{"text": "lampu \xff\xfe mati"}', b"\xff\xfe\x00{",
                                 b'{"text": "lampu', b"", b"null"])
def test_unreadable_suggestion_bodies_are_400(client, raw):
    response = client.post(SUGGEST, data=raw, content_type="application/json")
    assert response.status_code == 400 and response.json["error"]["code"] == "bad_json"


def test_suggestions_take_json_only_and_refuse_big_bodies(client):
    assert client.post(SUGGEST, data="text=lampu", content_type="text/plain").status_code == 415
    huge = client.post(SUGGEST, data=io.BytesIO(b'{"text": "' + b"a" * 70_000 + b'"}'),
                       content_type="application/json")
    assert huge.status_code == 413


def test_suggestions_are_rate_limited_like_other_public_reads(app, client, ctx):
    ctx.classifier = CATEGORY_MODEL
    app.config["LAPOR_API_READ_LIMIT"] = "2 per minute"
    codes = [client.post(SUGGEST, json={"text": "lampu mati"}).status_code for _ in range(3)]
    assert codes == [200, 200, 429]


# --- the staff view ---------------------------------------------------------------------


def test_the_staff_view_shows_the_category_code_and_name_and_sets_codes(client, ctx, make_key,
                                                                         file_to):
    number = file_to("DLH", category="sampah")
    headers = {"X-API-Key": make_key("33.76/DLH:queue.read,complaints.respond")}
    case = client.get(f"/api/v1/complaints/{number}/case", headers=headers)
    assert (case.json["category"], case.json["category_name"]) == (
        "sampah", "Sampah dan kebersihan")
    assert case.json["categories"][0] == {"code": "jalan",
                                          "name": "Jalan rusak dan perbaikan jalan"}
    assert len(case.json["categories"]) == len(categories.CODES)
    url = f"/api/v1/complaints/{number}/category"
    bad = client.post(url, json={"category": "Sampah"},
                      headers={**headers, "If-Match": case.headers["ETag"]})
    assert bad.status_code == 422 and set(bad.json["error"]["fields"]) == {"category"}
    done = client.post(url, json={"category": "pencemaran"},
                       headers={**headers, "If-Match": case.headers["ETag"]})
    assert done.status_code == 200, done.json
    assert (done.json["case"]["category"], done.json["case"]["category_name"]) == (
        "pencemaran", "Pencemaran dan sanitasi")
    with ctx.read() as session:
        assert session.scalar(select(Complaint.category)
                              .where(Complaint.tracking_number == number)) == "pencemaran"
    cleared = client.post(url, json={"category": ""},
                          headers={**headers, "If-Match": done.headers["ETag"]})
    assert cleared.status_code == 200 and cleared.json["case"]["category"] is None
    assert cleared.json["case"]["category_name"] is None
