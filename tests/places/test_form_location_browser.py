"""The form's place picker in a real browser at phone size (Chromium through Playwright,
geolocation granted): "Gunakan lokasi saya" and the map's pin fill kecamatan and
kelurahan, the resident can still change them, and the complaint is stored there;
without JavaScript the selects work as before. Screenshots land in ``test-artifacts/``."""

from __future__ import annotations

import pytest
import shapely
from shapely.geometry import Point, shape
from sqlalchemy import select

from lapor_bridge.db.models import Complaint, District, Village
from lapor_bridge.services.places.demo import load_demo_boundaries
from tests.conftest import PHONE

PEKAUMAN = {"latitude": -6.86944, "longitude": 109.13106}
BREBES = {"latitude": -6.87616, "longitude": 109.04394}
TITLE = "Saluran air tersumbat"
DESCRIPTION = "Saluran di depan rumah tersumbat sampah, air meluap ke jalan kalau hujan."

pytestmark = pytest.mark.browser


@pytest.fixture
def mapped(ctx):
    """The demo boundaries (the ``ctx`` wipe removes them after each test)."""
    load_demo_boundaries(ctx)
    return ctx


def stored_place(ctx, number: str) -> tuple:
    with ctx.read() as session:
        return tuple(session.execute(
            select(District.name, Village.name, Complaint.lat, Complaint.lon)
            .join(District, District.id == Complaint.district_id)
            .join(Village, Village.id == Complaint.village_id)
            .where(Complaint.tracking_number == number)).one())


def write(page) -> None:
    page.fill("#title", TITLE)
    page.fill("#description", DESCRIPTION)


def send(page) -> str:
    from playwright.sync_api import expect

    page.locator("button[type=submit]").tap()
    expect(page.locator("#tracking-number")).to_be_visible()
    return page.locator("#tracking-number").inner_text()


def inner_points(page, live_server) -> dict[str, tuple[int, dict]]:
    """Kelurahan → (position of its path on the map, its feature) for those whose box
    centre lies well inside the polygon (so tapping the path's box centre hits it)."""
    collection = page.request.get(f"{live_server}/lokasi/batas.geojson").json()
    found = {}
    for number, feature in enumerate(collection["features"]):
        polygon = shape(feature["geometry"])
        minx, miny, maxx, maxy = polygon.bounds
        centre = Point((minx + maxx) / 2, (miny + maxy) / 2)
        if shapely.contains(polygon.buffer(-0.001), centre):
            found[feature["properties"]["kelurahan"]] = (number, feature)
    return found


def box_centre(page, number: int) -> tuple[float, float]:
    box = page.locator("#location-map path.leaflet-interactive").nth(number).bounding_box()
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def test_use_my_location_fills_the_selects_and_files_there(mapped, live_server, phone,
                                                           artifacts):
    from playwright.sync_api import expect

    page = phone(where=PEKAUMAN)
    page.goto(f"{live_server}/")
    write(page)
    button = page.locator("#use-location")
    expect(button).to_have_text("Gunakan lokasi saya")
    assert button.bounding_box()["height"] >= 40  # a big button, easy to tap
    button.tap()
    expect(page.locator("#kecamatan")).to_have_value("Tegal Barat")
    expect(page.locator("#kelurahan")).to_have_value("Pekauman")
    expect(page.locator("#location-status")).to_contain_text("Kelurahan Pekauman")
    expect(page.locator("#location-map .leaflet-marker-icon")).to_have_count(1)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=artifacts / "form-location-geolocation.png", full_page=True)
    number = send(page)
    assert stored_place(mapped, number) == ("Tegal Barat", "Pekauman", -6.86944, 109.13106)


def test_a_tap_on_the_map_and_a_dragged_pin_choose_the_kelurahan(mapped, live_server, phone,
                                                                 artifacts):
    from playwright.sync_api import expect

    page = phone()
    page.goto(f"{live_server}/")
    write(page)
    paths = page.locator("#location-map path.leaflet-interactive")
    expect(paths).to_have_count(27)  # Kota Tegal's kelurahan are the base map
    inside = inner_points(page, live_server)
    page.locator("#location-map").scroll_into_view_if_needed()
    (first, first_feature), (second, second_feature) = list(inside.values())[:2]
    page.mouse.click(*box_centre(page, first))
    expect(page.locator("#kelurahan")).to_have_value(first_feature["properties"]["kelurahan"])
    expect(page.locator("#kecamatan")).to_have_value(first_feature["properties"]["kecamatan"])

    # drag the pin (held by its middle; its tip is the point) onto the second kelurahan
    icon = page.locator("#location-map .leaflet-marker-icon").bounding_box()
    tip = (icon["x"] + icon["width"] / 2, icon["y"] + icon["height"])
    grip = (tip[0], tip[1] - icon["height"] / 2)
    target = box_centre(page, second)
    page.mouse.move(*grip)
    page.mouse.down()
    for step in range(1, 11):
        page.mouse.move(grip[0] + (target[0] - tip[0]) * step / 10,
                        grip[1] + (target[1] - tip[1]) * step / 10)
    page.mouse.up()
    second_name = second_feature["properties"]["kelurahan"]
    expect(page.locator("#kelurahan")).to_have_value(second_name)
    expect(page.locator("#location-status")).to_contain_text(f"Kelurahan {second_name}")
    page.screenshot(path=artifacts / "form-location-pin.png", full_page=True)
    lat, lon = (float(page.locator(f"#{name}").input_value()) for name in ("lat", "lon"))
    assert shape(second_feature["geometry"]).contains(Point(lon, lat))
    number = send(page)
    assert stored_place(mapped, number)[:2] == (second_feature["properties"]["kecamatan"],
                                                second_name)


def test_the_resident_can_change_what_the_map_chose(mapped, live_server, phone):
    from playwright.sync_api import expect

    page = phone(where=PEKAUMAN)
    page.goto(f"{live_server}/")
    write(page)
    page.locator("#use-location").tap()
    expect(page.locator("#kelurahan")).to_have_value("Pekauman")
    page.select_option("#kecamatan", "Margadana")
    page.select_option("#kelurahan", "Krandon")
    number = send(page)
    assert stored_place(mapped, number) == ("Margadana", "Krandon", -6.86944, 109.13106)


def test_a_location_outside_the_region_says_where_it_is(neighbours, live_server, phone):
    from playwright.sync_api import expect

    load_demo_boundaries(neighbours)
    page = phone(where=BREBES)
    page.goto(f"{live_server}/")
    page.locator("#use-location").tap()
    expect(page.locator("#location-status")).to_contain_text(
        "Titik ini berada di Kabupaten Brebes, di luar wilayah layanan Kota Tegal.")
    expect(page.locator("#kelurahan")).to_have_value("")
    assert page.locator("#lat").input_value() == ""


def test_without_javascript_the_selects_work_as_before(mapped, live_server, phone, artifacts):
    from playwright.sync_api import expect

    page = phone(javascript=False)
    page.goto(f"{live_server}/")
    expect(page.locator("#location-picker")).to_be_hidden()
    write(page)
    page.select_option("#kecamatan", "Tegal Timur")
    page.select_option("#kelurahan", "Slerok")
    page.screenshot(path=artifacts / "form-location-nojs.png", full_page=True)
    page.locator("button[type=submit]").tap()
    expect(page.locator("#tracking-number")).to_be_visible()
    number = page.locator("#tracking-number").inner_text()
    with mapped.read() as session:
        complaint = session.scalar(select(Complaint).where(Complaint.tracking_number == number))
        assert complaint.lat is None and complaint.lon is None
    assert stored_place(mapped, number)[:2] == ("Tegal Timur", "Slerok")
