"""Open311 GeoReport v2 conformance, written from the specification (JSON and XML)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest

BASE = "/open311/v2"
REGION = "33.76"
DESCRIPTION = "Air PDAM di rumah kami keruh dan berbau sejak tiga hari, tidak bisa dipakai."


def post(client, key, fmt="json", **fields):
    form = {"api_key": key, "service_code": "air_pdam", "description": DESCRIPTION,
            "attribute[kelurahan]": "Margadana/Krandon", **fields}
    return client.post(f"{BASE}/requests.{fmt}", data={k: v for k, v in form.items() if v})


def xml(response) -> ET.Element:
    assert response.content_type == "text/xml; charset=utf-8"
    assert response.data.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return ET.fromstring(response.data)


def test_discovery_names_the_specification_and_both_formats(client):
    body = client.get(f"{BASE}/discovery.json").json
    endpoint = body["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2") and endpoint["type"] == "production"
    assert set(endpoint["formats"]) == {"text/xml", "application/json"}
    root = xml(client.get(f"{BASE}/discovery.xml"))
    assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == [
        "text/xml", "application/json"]


def test_service_list_is_the_category_list_in_both_formats(client):
    from lapor_bridge.domain import categories

    services = client.get(f"{BASE}/services.json").json
    assert isinstance(services, list)
    assert [service["service_code"] for service in services] == list(categories.CODES)
    pju = next(service for service in services if service["service_code"] == "pju")
    assert set(pju) == {"service_code", "service_name", "description", "metadata", "type",
                        "keywords", "group"}
    assert pju["service_name"] == "Penerangan jalan umum (PJU)"
    assert pju["group"] == "Jalan, saluran dan prasarana"
    assert pju["description"] == categories.get("pju").description
    assert "lampu jalan mati" in pju["keywords"]
    assert pju["metadata"] is True and pju["type"] == "realtime"
    assert not {"PDAM", "PUPR", "TRIAGE"} & {service["service_code"] for service in services}
    root = xml(client.get(f"{BASE}/services.xml"))
    assert root.tag == "services" and len(root.findall("service")) == len(categories.CODES)
    assert root.find("service/metadata").text == "true"
    assert root.find("service/service_code").text == categories.CODES[0]


def test_service_definition_lists_every_kelurahan(client):
    definition = client.get(f"{BASE}/services/air_pdam.json").json
    assert definition["service_code"] == "air_pdam"
    attribute = definition["attributes"][0]
    assert attribute["code"] == "kelurahan" and attribute["datatype"] == "singlevaluelist"
    assert {"key": "Margadana/Krandon", "name": "Krandon, Kec. Margadana"} in attribute["values"]
    assert len(attribute["values"]) == 27
    root = xml(client.get(f"{BASE}/services/air_pdam.xml"))
    assert root.tag == "service_definition"
    assert len(root.findall("attributes/attribute/values/value")) == 27


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("code", ["NOPE", "PDAM"])  # agency codes are no service codes now
def test_unknown_service_definition_is_404_in_the_error_format(client, fmt, code):
    response = client.get(f"{BASE}/services/{code}.{fmt}")
    assert response.status_code == 404
    if fmt == "json":
        assert response.json[0]["code"] == 404 and code in response.json[0]["description"]
    else:
        error = xml(response).find("error")
        assert error.find("code").text == "404" and code in error.find("description").text


def test_unknown_jurisdiction_is_404_and_ours_is_accepted(client):
    assert client.get(f"{BASE}/services.json?jurisdiction_id=sfgov.org").status_code == 404
    assert client.get(f"{BASE}/services.json?jurisdiction_id={REGION}").status_code == 200
    assert client.get(f"{BASE}/services.json?jurisdiction_id=").status_code == 200


def test_unknown_resource_and_format_are_404_in_the_error_format(client):
    response = client.get(f"{BASE}/nothing.json")
    assert response.status_code == 404 and response.json[0]["code"] == 404
    assert xml(client.get(f"{BASE}/services.yaml")).tag == "errors"


def test_post_requires_a_valid_api_key_403(client, make_key):
    assert post(client, None).status_code == 403
    assert post(client, "lbk_aaaaaaaa_" + "x" * 43).status_code == 403
    revoked = post(client, make_key(revoked=True), fmt="xml")
    assert revoked.status_code == 403 and xml(revoked).find("error/code").text == "403"


def test_post_files_the_complaint_and_returns_its_id(client, make_key):
    response = post(client, make_key(), first_name="Ani", last_name="Wati",
                    phone="081234567890", lat="-6.87", long="109.12")
    assert response.status_code == 200
    (created,) = response.json
    assert set(created) == {"service_request_id", "service_notice"}
    view = client.get(f"/api/v1/complaints/{created['service_request_id']}").json
    assert view["kelurahan"] == "Krandon" and view["description"] == DESCRIPTION


def test_post_xml_and_location_from_address_string(client, make_key):
    response = post(client, make_key(), fmt="xml", **{
        "attribute[kelurahan]": None,
        "address_string": "Jl. Kapten Sudibyo 12, Kelurahan Krandon, Margadana"})
    assert response.status_code == 200
    number = xml(response).find("request/service_request_id").text
    assert client.get(f"/api/v1/complaints/{number}").json["kecamatan"] == "Margadana"


@pytest.mark.parametrize(
    ("fields", "status", "mentions"),
    [
        ({"service_code": None}, 400, "service_code"),
        ({"service_code": "NOPE"}, 400, "NOPE"),
        ({"service_code": "PDAM"}, 400, "PDAM"),
        ({"service_code": "TRIAGE"}, 400, "TRIAGE"),
        ({"service_code": "x" * 40}, 400, "service_code"),
        ({"attribute[kelurahan]": None}, 400, "Lokasi"),
        ({"attribute[kelurahan]": None, "lat": "-6.87"}, 400, "long"),
        ({"attribute[kelurahan]": None, "address_string": "dekat pasar"}, 400, "kelurahan"),
        ({"attribute[kelurahan]": "Margadana/Atlantis"}, 400, "Kelurahan"),
        ({"description": "pendek"}, 400, "description"),
        ({"description": "x" * 4001}, 400, "description"),
        ({"lat": "utara", "long": "109.1"}, 400, "lat"),
        ({"media_url": "javascript:alert(1)"}, 400, "media_url"),
        ({"jurisdiction_id": "sfgov.org"}, 404, "jurisdiction_id"),
    ],
)
def test_post_errors_follow_the_specification(client, make_key, fields, status, mentions):
    response = post(client, make_key(), **fields)
    assert response.status_code == status
    assert any(mentions in error["description"] for error in response.json)
    assert all(set(error) == {"code", "description"} for error in response.json)


def test_post_refuses_other_content_types_with_400(client, make_key):
    response = client.post(f"{BASE}/requests.json", json={"api_key": make_key()})
    assert response.status_code == 400 and response.json[0]["code"] == 415


def test_post_accepts_media_files_checked_by_content(client, make_key, tmp_path):
    import io

    from PIL import Image

    photo = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(photo, "PNG")
    key = make_key()
    form = {"api_key": key, "service_code": "air_pdam", "description": DESCRIPTION,
            "attribute[kelurahan]": "Margadana/Krandon"}
    ok = client.post(f"{BASE}/requests.json", content_type="multipart/form-data",
                     data={**form, "media": (io.BytesIO(photo.getvalue()), "foto.png")})
    assert ok.status_code == 200
    fake = client.post(f"{BASE}/requests.json", content_type="multipart/form-data",
                       data={**form, "media": (io.BytesIO(b"<?php echo 1;"), "foto.jpg")})
    assert fake.status_code == 400 and "media" in fake.json[0]["description"]


def test_get_request_by_id_in_both_formats(client, make_key):
    number = post(client, make_key()).json[0]["service_request_id"]
    (found,) = client.get(f"{BASE}/requests/{number}.json").json
    assert found["service_request_id"] == number and found["status"] == "open"
    assert found["agency_responsible"] == "Perumda Air Minum Tirta Bahari Kota Tegal"
    assert (found["service_code"], found["service_name"]) == (
        "air_pdam", "Air PDAM mati atau keruh")
    for name in ("requested_datetime", "updated_datetime", "expected_datetime"):
        moment = datetime.fromisoformat(found[name])
        assert moment.utcoffset() == timedelta(hours=7)
    assert datetime.fromisoformat(found["expected_datetime"]) > datetime.fromisoformat(
        found["requested_datetime"])
    assert found["address"] == "Kel. Krandon, Kec. Margadana, Kota Tegal"
    root = xml(client.get(f"{BASE}/requests/{number}.xml"))
    assert root.tag == "service_requests" and root.find("request/status").text == "open"
    assert client.get(f"{BASE}/requests/NOPE0000.json").status_code == 404


def test_secret_complaints_stay_out_of_lists_and_hide_their_text(client):
    secret = client.post("/api/v1/complaints", json={
        "title": "Rahasia", "description": DESCRIPTION, "kecamatan": "Margadana",
        "kelurahan": "Krandon", "rahasia": True}).json["tracking_number"]
    listed = {row["service_request_id"] for row in client.get(f"{BASE}/requests.json").json}
    assert secret not in listed
    (found,) = client.get(f"{BASE}/requests/{secret}.json").json
    assert found["description"] is None and found["address"] is None and found["lat"] is None
    assert found["service_code"] == "lainnya"  # what it is about stays hidden too


def test_get_requests_filters_and_default_window(client, ctx, make_key):
    key = make_key()
    now = datetime.now(UTC)
    ctx.clock = lambda: now - timedelta(days=100)
    old = post(client, key).json[0]["service_request_id"]
    ctx.clock = lambda: now
    recent = post(client, key, service_code="jalan").json[0]["service_request_id"]

    def ids(**query):
        response = client.get(f"{BASE}/requests.json", query_string=query)
        assert response.status_code == 200, response.json
        return [row["service_request_id"] for row in response.json]

    assert ids() == [recent]
    assert ids(service_request_id=f"{old},{recent.lower()}", status="closed") in (
        [recent, old], [old, recent])
    assert ids(start_date=(now - timedelta(days=120)).isoformat(),
               end_date=(now - timedelta(days=50)).isoformat()) == [old]
    assert ids(status="closed") == [] and ids(status="open,closed") == [recent]
    assert client.get(f"{BASE}/requests/{recent}.json").json[0]["service_code"] == "jalan"
    assert ids(service_code="jalan,XYZ") == [recent]
    assert ids(service_code="air_pdam,jalan", start_date=(now - timedelta(days=120)).isoformat(),
               end_date=(now - timedelta(days=50)).isoformat()) == [old]
    assert ids(service_code="XYZ") == [] and ids(service_code="PUPR") == []
    assert ids(service_code="lainnya") == []


@pytest.mark.parametrize(
    "query",
    [
        {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"},
        {"start_date": "2026-02-01T00:00:00Z", "end_date": "2026-01-01T00:00:00Z"},
        {"start_date": "2026-01-01T10:00:00"},
        {"end_date": "kemarin"},
        {"status": "pending"},
        {"updated_after": "1 Januari"},
    ],
)
def test_get_requests_refuses_bad_filters_with_400(client, query):
    response = client.get(f"{BASE}/requests.xml", query_string=query)
    assert response.status_code == 400 and xml(response).find("error/code").text == "400"


def test_get_requests_returns_at_most_the_limit(client, make_key, monkeypatch):
    from lapor_bridge.services import open311

    key = make_key()
    for _ in range(3):
        post(client, key)
    monkeypatch.setattr(open311, "MAX_REQUESTS", 2)
    assert len(client.get(f"{BASE}/requests.json").json) == 2


def test_updated_after_extension_lists_changes_oldest_first(client, ctx, make_key):
    key = make_key()
    now = datetime.now(UTC)
    ctx.clock = lambda: now - timedelta(days=200)
    very_old = post(client, key).json[0]["service_request_id"]
    ctx.clock = lambda: now
    first = post(client, key).json[0]["service_request_id"]
    second = post(client, key).json[0]["service_request_id"]
    rows = client.get(f"{BASE}/requests.json", query_string={
        "updated_after": (now - timedelta(days=365)).isoformat()}).json
    assert [row["service_request_id"] for row in rows] == [very_old, first, second]
    before = client.get(f"{BASE}/requests.json", query_string={
        "updated_before": (now - timedelta(days=100)).isoformat()}).json
    assert [row["service_request_id"] for row in before] == [very_old]


def test_tokens_are_never_issued_so_any_token_is_404(client):
    response = client.get(f"{BASE}/tokens/12345.xml")
    assert response.status_code == 404 and xml(response).find("error/code").text == "404"


# --- services are the service categories ------------------------------------------------


def filed(ctx, number: str):
    from sqlalchemy import select

    from lapor_bridge.db.models import Agency, Complaint

    with ctx.read() as session:
        return session.execute(
            select(Complaint.resident_category, Complaint.category, Complaint.route_reason,
                   Complaint.channel, Agency.code)
            .join(Agency, Agency.id == Complaint.agency_id)
            .where(Complaint.tracking_number == number)).one()


@pytest.mark.parametrize(("code", "agency", "reason"), [
    ("pju", "DISHUB", "resident_category"),
    ("ketenagakerjaan", "TRIAGE", "no_agency_for_category"),
])
def test_post_with_a_category_from_an_independent_http_client(served, ctx, make_key, code,
                                                              agency, reason):
    """A plain HTTP client (requests over a socket, not the test client) files by category;
    the region's routing table decides the agency."""
    import requests

    from lapor_bridge.domain import categories

    form = {"api_key": make_key(), "jurisdiction_id": REGION, "service_code": code,
            "description": DESCRIPTION, "attribute[kelurahan]": "Margadana/Krandon",
            "first_name": "Ani"}
    response = requests.post(f"{served}{BASE}/requests.json", data=form, timeout=30)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    (created,) = response.json()
    number = created["service_request_id"]
    assert filed(ctx, number) == (code, code, reason, "open311", agency)
    listed = requests.get(f"{served}{BASE}/requests/{number}.xml", timeout=30)
    root = ET.fromstring(listed.content)
    assert root.find("request/service_code").text == code
    assert root.find("request/service_name").text == categories.get(code).name


def test_post_with_lainnya_lets_the_model_decide(client, ctx, make_key):
    from tests.fakes import FixedModel

    ctx.classifier = FixedModel([("sampah", 0.9), ("drainase", 0.05), ("jalan", 0.05)],
                                target="category")
    number = post(client, make_key(), service_code="lainnya").json[0]["service_request_id"]
    assert filed(ctx, number) == ("lainnya", "sampah", "model_category", "open311", "DLH")
    assert client.get(f"{BASE}/requests/{number}.json").json[0]["service_code"] == "sampah"


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_service_code_in_a_post_is_400_in_the_error_format(served, make_key, fmt):
    import requests

    form = {"api_key": make_key(), "service_code": "PUPR", "description": DESCRIPTION,
            "attribute[kelurahan]": "Margadana/Krandon"}
    response = requests.post(f"{served}{BASE}/requests.{fmt}", data=form, timeout=30)
    assert response.status_code == 400
    if fmt == "json":
        (error,) = response.json()
        assert error["code"] == 400 and "PUPR" in error["description"]
    else:
        root = ET.fromstring(response.content)
        assert root.tag == "errors" and root.find("error/code").text == "400"
        assert "PUPR" in root.find("error/description").text

