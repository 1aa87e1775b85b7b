"""The OpenAPI document: generated from the declarations, covering every route, readable."""

from __future__ import annotations

import re

from lapor_bridge.web import api
from lapor_bridge.web.schema import Field, object_schema, parse_body


def test_document_is_openapi_3_1_and_lists_every_declared_operation(client):
    doc = client.get("/api/v1/openapi.json").json
    assert doc["openapi"] == "3.1.0"
    ids = {op["operationId"] for methods in doc["paths"].values() for op in methods.values()}
    assert {"createComplaint", "listComplaints", "getComplaint", "healthz", "open311Requests",
            "open311CreateRequest", "open311Token", "open311Discovery"} <= ids
    create = doc["paths"]["/api/v1/complaints"]["post"]
    assert set(create["requestBody"]["content"]) == {"application/json", "multipart/form-data"}
    assert create["requestBody"]["content"]["multipart/form-data"]["schema"]["properties"][
        "photo"]["items"]["format"] == "binary"


def test_every_api_and_open311_route_is_documented(app):
    doc_paths = {re.sub(r"\{[^}]+\}", "{}", path) for path in
                 app.test_client().get("/api/v1/openapi.json").json["paths"]}
    for rule in app.url_map.iter_rules():
        path = re.sub(r"<[^>]+>", "{}", rule.rule)
        if rule.rule.startswith(("/api/v1/openapi", "/api/v1/docs")):
            continue
        if rule.rule.startswith(("/api/", "/open311/", "/healthz")):
            json_path = path.replace(".{}", ".json")
            assert json_path in doc_paths, f"{rule.rule} is not in the OpenAPI document"


def test_request_schema_and_validator_come_from_the_same_fields():
    schema = object_schema(api.COMPLAINT_FIELDS)
    assert schema["properties"]["title"]["maxLength"] == 150
    assert schema["required"] == ["title", "description"]  # places may come from lat/lon
    assert schema["additionalProperties"] is False
    _, errors = parse_body({"title": "x" * 151}, api.COMPLAINT_FIELDS)
    assert "maksimal 150" in errors["title"]


def test_nullable_and_nested_fields_map_to_json_schema():
    fields = (Field("when", str, nullable=True, format="date-time"),
              Field("tags", list, item=str),
              Field("owner", dict, nested=(Field("name", str, required=True),)))
    schema = object_schema(fields)
    assert schema["properties"]["when"]["type"] == ["string", "null"]
    assert schema["properties"]["tags"] == {"type": "array", "items": {"type": "string"}}
    assert schema["properties"]["owner"]["required"] == ["name"]


def test_reference_page_renders_every_operation_without_external_assets(client):
    page = client.get("/api/v1/docs")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.content_type.startswith("text/html")
    for operation_id in ("createComplaint", "open311Requests", "open311ServiceDefinition"):
        assert f'id="{operation_id}"' in html
    assert "contact.phone" in html and "maks 150 karakter" in html
    assert not re.search(r'(src|href)="(https?:)?//', html)
