"""The map pages: who may open them, what they carry, and the public page in a browser."""

from __future__ import annotations

import pytest

from lapor_bridge.services.places.demo import load_demo_boundaries


@pytest.fixture
def boundaries(ctx):
    """The demo kelurahan polygons (wiped after each test by ``ctx``)."""
    load_demo_boundaries(ctx)


def test_public_map_page_is_open_and_script_free(client, boundaries):
    response = client.get("/peta")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="map"' in page and 'data-kind="public"' in page
    assert "vendor/leaflet/leaflet.js" in page and "/static/maps.js" in page
    assert "<script>" not in page  # CSP script-src 'self': no inline script
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_boundaries_geojson_is_the_base_map(client, boundaries):
    body = client.get("/peta/batas.geojson?bbox=109.08,-6.90,109.18,-6.84&limit=5").get_json()
    assert body["type"] == "FeatureCollection"
    assert len(body["features"]) == 5 and body["next"]
    assert body["features"][0]["geometry"]["type"] in ("Polygon", "MultiPolygon")


@pytest.mark.parametrize("path", [
    "/petugas/peta", "/petugas/peta/laporan.geojson?bbox=109.1,-6.9,109.2,-6.8",
    "/dasbor/peta", "/dasbor/peta/kelurahan.geojson"])
def test_residents_cannot_reach_staff_maps(client, path):
    response = client.get(path)
    assert response.status_code == 302 and "/masuk" in response.headers["Location"]


def test_coordinator_gets_the_choropleth_not_the_queue_map(client, login, boundaries):
    login("koordinator.jateng")
    assert client.get("/petugas/peta").status_code == 403
    page = client.get("/dasbor/peta?periode=30h")
    assert page.status_code == 200 and 'data-kind="coordinator"' in page.get_data(as_text=True)
    assert client.get("/dasbor/peta?periode=bukan").status_code == 400
    assert client.get("/dasbor/peta?instansi=999999").status_code == 404


def test_officer_gets_the_queue_map_not_the_choropleth(client, login, boundaries):
    login("petugas.pupr")
    assert client.get("/dasbor/peta").status_code == 403
    page = client.get("/petugas/peta")
    assert page.status_code == 200 and 'data-kind="officer"' in page.get_data(as_text=True)


def test_regional_admin_gets_both(client, login, boundaries):
    login("admin.tegal")
    assert client.get("/petugas/peta").status_code == 200
    assert client.get("/dasbor/peta").status_code == 200


@pytest.mark.browser
def test_public_map_renders_at_phone_size(browser_page, live_server, boundaries, artifacts):
    page = browser_page
    errors = []
    page.on("console", lambda message: errors.append(message.text)
            if message.type == "error" and "favicon" not in (message.location or {}).get(
                "url", "") else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_server}/peta")
    page.wait_for_selector("#map.leaflet-container")
    page.wait_for_selector("#map path.leaflet-interactive, #map canvas")
    page.screenshot(path=str(artifacts / "maps-public-360.png"))
    assert page.locator("#map").bounding_box()["width"] <= 360
    assert errors == []
