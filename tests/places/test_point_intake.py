"""A point is enough: intake, API v1 and Open311 take the kelurahan from coordinates.

Inside the region → placed; outside → a clear refusal naming the kab/kota the point is
in; swapped latitude/longitude → a clear refusal; names the resident gave win over the
point. Both databases (``ctx``); Open311 through plain ``requests`` over real HTTP.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
import requests
from sqlalchemy import select

from lapor_bridge.db.models import Complaint, District, Village
from lapor_bridge.services.api_keys import Scope, create_key
from lapor_bridge.services.errors import ValidationFailed
from lapor_bridge.services.intake.submit import ComplaintInput, submit_complaint
from lapor_bridge.services.places.demo import load_demo_boundaries

PEKAUMAN = (-6.86944, 109.13106)   # Kel. Pekauman, Kec. Tegal Barat, Kota Tegal
BREBES = (-6.87616, 109.04394)     # Desa Brebes, Kabupaten Brebes (a neighbour)
SEA = (-6.70, 109.30)              # the Java Sea, no boundary near
TITLE = "Lampu jalan mati"
DESCRIPTION = "Lampu jalan di depan masjid mati sejak seminggu, gelap sekali malam hari."
BASE = "/open311/v2"


@pytest.fixture
def mapped(neighbours):
    """The demo boundaries, the neighbours' included (the ``ctx`` wipe removes them)."""
    load_demo_boundaries(neighbours)
    return neighbours


def place_of(ctx, tracking_number: str) -> tuple[str, str, float, float]:
    with ctx.read() as session:
        return tuple(session.execute(
            select(District.name, Village.name, Complaint.lat, Complaint.lon)
            .join(District, District.id == Complaint.district_id)
            .join(Village, Village.id == Complaint.village_id)
            .where(Complaint.tracking_number == tracking_number)).one())


def submit_at(ctx, lat, lon, **names):
    return submit_complaint(ctx, ComplaintInput(title=TITLE, description=DESCRIPTION,
                                                lat=lat, lon=lon, **names))


# --- the service ---------------------------------------------------------------------


def test_coordinates_alone_are_placed(mapped):
    result = submit_at(mapped, *PEKAUMAN)
    assert place_of(mapped, result.tracking_number) == ("Tegal Barat", "Pekauman", *PEKAUMAN)


def test_the_residents_own_kelurahan_wins_over_the_point(mapped):
    result = submit_at(mapped, *PEKAUMAN, kecamatan="Margadana", kelurahan="Krandon")
    assert place_of(mapped, result.tracking_number) == ("Margadana", "Krandon", *PEKAUMAN)


def test_a_kecamatan_alone_is_completed_by_the_point_when_they_agree(mapped):
    result = submit_at(mapped, *PEKAUMAN, kecamatan="tegal barat")
    assert place_of(mapped, result.tracking_number)[:2] == ("Tegal Barat", "Pekauman")
    with pytest.raises(ValidationFailed) as refused:
        submit_at(mapped, *PEKAUMAN, kecamatan="Margadana")
    assert set(refused.value.errors) == {"kelurahan"}


def test_a_point_in_a_neighbouring_region_names_it(mapped):
    with pytest.raises(ValidationFailed) as refused:
        submit_at(mapped, *BREBES)
    assert refused.value.errors == {"location": "Titik ini berada di Kabupaten Brebes, di "
                                                "luar wilayah layanan Kota Tegal."}


def test_a_point_far_from_every_boundary_is_refused_clearly(mapped):
    with pytest.raises(ValidationFailed) as refused:
        submit_at(mapped, *SEA)
    (message,) = refused.value.errors.values()
    assert "di luar wilayah layanan" in message and "Kota Tegal" in message


def test_swapped_coordinates_are_named_as_such(mapped):
    with pytest.raises(ValidationFailed) as refused:
        submit_at(mapped, PEKAUMAN[1], PEKAUMAN[0])
    assert list(refused.value.errors) == ["lat"]
    assert "tertukar" in refused.value.errors["lat"]


def test_without_place_and_point_the_old_rule_stands(mapped):
    with pytest.raises(ValidationFailed) as refused:
        submit_complaint(mapped, ComplaintInput(title=TITLE, description=DESCRIPTION))
    assert {"kecamatan", "kelurahan"} <= set(refused.value.errors)


# --- API v1 --------------------------------------------------------------------------


def api_post(client, **fields):
    return client.post("/api/v1/complaints",
                       json={"title": TITLE, "description": DESCRIPTION, **fields})


def test_api_v1_places_a_point(client, mapped):
    response = api_post(client, lat=PEKAUMAN[0], lon=PEKAUMAN[1])
    assert response.status_code == 201, response.json
    number = response.json["tracking_number"]
    assert place_of(mapped, number)[:2] == ("Tegal Barat", "Pekauman")
    view = client.get(f"/api/v1/complaints/{number}").json
    assert (view["kecamatan"], view["kelurahan"]) == ("Tegal Barat", "Pekauman")


def test_api_v1_multipart_with_a_point_and_the_residents_names(client, mapped):
    response = client.post("/api/v1/complaints", data={
        "title": TITLE, "description": DESCRIPTION, "lat": str(PEKAUMAN[0]),
        "lon": str(PEKAUMAN[1]), "kecamatan": "Margadana", "kelurahan": "Krandon"},
        content_type="multipart/form-data")
    assert response.status_code == 201, response.json
    assert place_of(mapped, response.json["tracking_number"])[:2] == ("Margadana", "Krandon")


@pytest.mark.parametrize(("point", "field", "words"), [
    (BREBES, "location", "Kabupaten Brebes, di luar wilayah layanan Kota Tegal"),
    ((PEKAUMAN[1], PEKAUMAN[0]), "lat", "tertukar"),
])
def test_api_v1_refuses_a_point_outside_with_422_naming_why(client, mapped, point, field,
                                                             words):
    response = api_post(client, lat=point[0], lon=point[1])
    assert response.status_code == 422
    error = response.json["error"]
    assert error["code"] == "invalid_fields" and list(error["fields"]) == [field]
    assert words in error["fields"][field]


def test_api_v1_without_place_or_point_still_asks_for_the_kelurahan(client, mapped):
    response = api_post(client)
    assert response.status_code == 422
    assert {"kecamatan", "kelurahan"} <= set(response.json["error"]["fields"])


def test_openapi_says_a_point_may_replace_the_names(client):
    body = client.get("/api/v1/openapi.json").json
    schema = body["components"]["schemas"] if "components" in body else {}
    text = str(body)
    assert "wajib kecuali lat dan lon dikirim" in text
    required = [item.get("required", []) for item in schema.values()]
    assert not any({"title", "kecamatan"} <= set(names) for names in required)


# --- Open311 over HTTP, as a FixMyStreet-style app sends it -----------------------------


@pytest.fixture
def open311_key(mapped):
    key, _ = create_key(mapped, "fixmystreet-like app", Scope.parse("33.76:complaints.create"),
                        "1000 per minute")
    return key


def open311_post(served, key, fmt="json", **fields):
    form = {"api_key": key, "jurisdiction_id": "33.76", "service_code": "pju",
            "description": DESCRIPTION, "first_name": "Ani", **fields}
    return requests.post(f"{served}{BASE}/requests.{fmt}", data=form, timeout=30)


def test_open311_lat_long_alone_is_placed(served, mapped, open311_key):
    response = open311_post(served, open311_key, lat=str(PEKAUMAN[0]), long=str(PEKAUMAN[1]))
    assert response.status_code == 200, response.text
    (created,) = response.json()
    number = created["service_request_id"]
    assert place_of(mapped, number) == ("Tegal Barat", "Pekauman", *PEKAUMAN)
    (shown,) = requests.get(f"{served}{BASE}/requests/{number}.json", timeout=30).json()
    assert shown["address"].startswith("Kel. Pekauman, Kec. Tegal Barat")
    assert (shown["lat"], shown["long"]) == PEKAUMAN


def test_open311_named_kelurahan_wins_over_the_point(served, mapped, open311_key):
    response = open311_post(served, open311_key, lat=str(PEKAUMAN[0]), long=str(PEKAUMAN[1]),
                            **{"attribute[kelurahan]": "Margadana/Krandon"})
    assert response.status_code == 200, response.text
    number = response.json()[0]["service_request_id"]
    assert place_of(mapped, number)[:2] == ("Margadana", "Krandon")


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_open311_point_in_another_region_is_400_naming_it(served, mapped, open311_key, fmt):
    response = open311_post(served, open311_key, fmt, lat=str(BREBES[0]), long=str(BREBES[1]))
    assert response.status_code == 400
    if fmt == "json":
        (error,) = response.json()
        code, description = error["code"], error["description"]
    else:
        root = ET.fromstring(response.content)
        code, description = int(root.find("error/code").text), root.find(
            "error/description").text
    assert code == 400
    assert description == ("lat: Titik ini berada di Kabupaten Brebes, di luar wilayah "
                           "layanan Kota Tegal.")


def test_open311_swapped_lat_long_is_400_saying_so(served, mapped, open311_key):
    response = open311_post(served, open311_key, lat=str(PEKAUMAN[1]), long=str(PEKAUMAN[0]))
    assert response.status_code == 400
    (error,) = response.json()
    assert error["description"].startswith("lat: Lintang dan bujur tampak tertukar")


def test_open311_without_any_location_still_asks_for_one(served, mapped, open311_key):
    response = open311_post(served, open311_key, address_string="Jalan Merpati 3")
    assert response.status_code == 400
    (error,) = response.json()
    assert "Lokasi harus menyebut kelurahan" in error["description"]


# --- the form's JSON endpoints (the map and "Gunakan lokasi saya" use them) -----------


def ask(client, body, token: str | None = None):
    headers = {"X-CSRFToken": token} if token else {}
    return client.post("/lokasi/cari", json=body, headers=headers)


def test_the_form_asks_which_kelurahan_a_point_is(client, mapped):
    from tests.conftest import csrf_token

    token = csrf_token(client, "/")
    found = ask(client, {"lat": PEKAUMAN[0], "lon": PEKAUMAN[1]}, token)
    assert found.status_code == 200
    assert found.json == {"kecamatan": "Tegal Barat", "kelurahan": "Pekauman",
                          "region_name": "Kota Tegal"}
    outside = ask(client, {"lat": BREBES[0], "lon": BREBES[1]}, token)
    assert outside.status_code == 422
    assert outside.json["error"]["message"] == ("Titik ini berada di Kabupaten Brebes, di "
                                                "luar wilayah layanan Kota Tegal.")
    for body in ({"lat": "x", "lon": 1}, {"lat": True, "lon": 109.1}, [1, 2], {}):
        refused = ask(client, body, token)
        assert refused.status_code == 400 and refused.json["error"]["code"] == "invalid_request"
    swapped = ask(client, {"lat": PEKAUMAN[1], "lon": PEKAUMAN[0]}, token)
    assert swapped.status_code == 422 and "tertukar" in swapped.json["error"]["message"]
    unread = client.post("/lokasi/cari", data="{", content_type="application/json",
                         headers={"X-CSRFToken": token})
    assert unread.status_code == 400


def test_the_point_lookup_needs_the_pages_csrf_token_and_answers_json(client, mapped):
    response = ask(client, {"lat": PEKAUMAN[0], "lon": PEKAUMAN[1]})
    assert response.status_code == 400 and response.is_json
    big = client.post("/lokasi/cari", data="x" * 5000, content_type="application/json")
    assert big.status_code in (400, 413) and big.is_json


def test_the_boundaries_are_served_as_cacheable_geojson(client, mapped):
    response = client.get("/lokasi/batas.geojson")
    assert response.status_code == 200
    assert response.mimetype == "application/geo+json"
    assert "max-age" in response.headers["Cache-Control"]
    features = response.json["features"]
    assert len(features) == 27  # Kota Tegal's kelurahan only
    assert {"kecamatan": "Tegal Barat", "kelurahan": "Pekauman"} in [
        feature["properties"] for feature in features]
    again = client.get("/lokasi/batas.geojson",
                       headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_a_tile_server_is_offered_to_the_map_and_allowed_by_the_page(ctx):
    from dataclasses import replace

    from lapor_bridge.services.context import ServiceContext
    from lapor_bridge.web import create_app

    tiles = "https://{s}.tile.example.id/{z}/{x}/{y}.png"
    settings = replace(ctx.settings, app=replace(ctx.settings.app, map_tile_url=tiles))
    app = create_app(context=ServiceContext(settings, ctx.session_factory, ctx.classifier))
    page = app.test_client().get("/")
    assert f'data-tile-url="{tiles}"' in page.get_data(as_text=True)
    assert "img-src 'self' data: https://*.tile.example.id;" in page.headers[
        "Content-Security-Policy"]
    plain = create_app(context=ctx).test_client().get("/")
    assert "img-src 'self' data:;" in plain.headers["Content-Security-Policy"]
