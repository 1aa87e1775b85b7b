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


def _complaints_at_a_kelurahan_middle(ctx, count_by_agency: dict[str, int], **fixed):
    """Open complaints at the middle of the first demo kelurahan (by id), for the given
    agencies of Kota Tegal; returns ``(lat, lon, village name, tracking numbers)``."""
    from datetime import timedelta

    import shapely
    from sqlalchemy import select

    from lapor_bridge.db.models import Agency, Complaint, District, Region, Village
    from lapor_bridge.db.models_places import VillageBoundary

    with ctx.transaction() as session:
        village_id, wkb = session.execute(
            select(VillageBoundary.village_id, VillageBoundary.geometry)
            .join(Village, Village.id == VillageBoundary.village_id)
            .join(District, District.id == Village.district_id)
            .join(Region, Region.id == District.region_id).where(Region.code == "33.76")
            .order_by(VillageBoundary.village_id)).first()
        point = shapely.point_on_surface(shapely.from_wkb(wkb))
        name = session.get(Village, village_id).name
        region = session.scalar(select(Region).where(Region.code == "33.76"))
        numbers = []
        for code, count in count_by_agency.items():
            agency_id = session.scalar(select(Agency.id).where(
                Agency.code == code, Agency.region_id == region.id))
            for number in range(count):
                tracking = f"PETA{code}{number:03d}"
                session.add(Complaint(**{
                    "tracking_number": tracking, "reporter_key_hash": "0" * 64,
                    "region_id": region.id, "title": f"Jalan berlubang {number}",
                    "description": "Lubang besar", "channel": "web", "lat": point.y,
                    "lon": point.x, "village_id": village_id, "category": "jalan",
                    "agency_id": agency_id, "status": "in_progress",
                    "sla_due_at": ctx.clock() - timedelta(days=1),
                    "created_at": ctx.clock() - timedelta(days=1)} | fixed))
                numbers.append(tracking)
    return point.y, point.x, name, numbers


def _browser_log_in(page, live_server, username):
    page.goto(f"{live_server}/masuk")
    page.fill("#username", username)
    page.fill("#password", "tegal-demo")
    page.click("button[type=submit]")


def _watch_errors(page):
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text)
            if message.type == "error" and "favicon" not in (message.location or {}).get(
                "url", "") else None)
    return errors


@pytest.mark.browser
def test_officer_map_opens_a_queued_complaint(browser_page, live_server, ctx, boundaries,
                                              artifacts):
    """The officer's map, at a tablet's size: the overdue complaint is drawn at its
    place; its popup names it and leads to the case page."""
    lat, lon, _, numbers = _complaints_at_a_kelurahan_middle(ctx, {"PUPR": 1, "DLH": 1})
    page = browser_page
    errors = _watch_errors(page)
    page.set_viewport_size({"width": 800, "height": 900})
    _browser_log_in(page, live_server, "petugas.pupr")
    with page.expect_response(lambda r: "/petugas/peta/laporan.geojson" in r.url) as layer:
        page.goto(f"{live_server}/petugas/peta?lat={lat}&lon={lon}")
    shown = [f["properties"]["tracking_number"] for f in layer.value.json()["features"]]
    assert shown == [numbers[0]]  # the DLH complaint is another queue's
    assert layer.value.json()["features"][0]["properties"]["sla_state"] == "overdue"
    box = page.locator("#map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert numbers[0] in popup.inner_text() and "WIB" in popup.inner_text()
    page.screenshot(path=str(artifacts / "maps-officer-800.png"))
    popup.locator("a").click()
    page.wait_for_url(f"**/{numbers[0]}*")
    assert errors == []


@pytest.mark.browser
def test_coordinator_map_colours_kelurahan_and_switches_measure(browser_page, live_server,
                                                                ctx, boundaries, artifacts):
    """The choropleth: the kelurahan's count arrives, the legend scales to it and follows
    the measure, and complaints off the map are said."""
    _, _, name, _ = _complaints_at_a_kelurahan_middle(ctx, {"PUPR": 3, "DLH": 2})
    _complaints_at_a_kelurahan_middle(ctx, {"DINSOS": 1}, village_id=None,
                                      tracking_number="PETATANPA01")
    page = browser_page
    errors = _watch_errors(page)
    page.set_viewport_size({"width": 1100, "height": 900})
    _browser_log_in(page, live_server, "koordinator.jateng")
    with page.expect_response(lambda r: "/dasbor/peta/kelurahan.geojson" in r.url) as layer:
        page.goto(f"{live_server}/dasbor/peta?periode=30h&wilayah=33.76")
    counted = {f["properties"]["name"]: f["properties"]["count"]
               for f in layer.value.json()["features"]}
    assert counted[name] == 5 and sum(counted.values()) == 5
    page.wait_for_selector("#map-legend li")
    page.wait_for_selector("#map canvas")
    legend = page.locator("#map-legend")
    assert legend.locator("li").count() == 5 and "≥ 4" in legend.inner_text()
    assert "1 laporan tidak tampil" in page.locator("#map-status").inner_text()
    page.select_option("#map-measure", "overdue_share")
    assert "≥ 75%" in legend.inner_text()
    page.screenshot(path=str(artifacts / "maps-coordinator-1100.png"))
    assert errors == []
