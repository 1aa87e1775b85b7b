"""The category picker in a real browser at phone size (Chromium through Playwright):
suggestions appear while the resident types, one tap confirms, the whole list searches,
and without JavaScript the plain select still files the category. Screenshots land in
``test-artifacts/``."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lapor_bridge.db.models import Complaint
from tests.conftest import PHONE
from tests.fakes import FixedModel

TITLE = "Lampu jalan mati"
DESCRIPTION = "Lampu PJU di Jl. Werkudoro mati sudah dua minggu, jalan gelap dan rawan."


def stored(ctx, number: str) -> Complaint:
    with ctx.read() as session:
        return session.scalar(select(Complaint).where(Complaint.tracking_number == number))


def street_light_model() -> FixedModel:
    return FixedModel([("pju", 0.71), ("lalu_lintas", 0.14), ("lainnya", 0.08), ("jalan", 0.05),
                       ("sampah", 0.02)], target="category", version="kategori-uji")


def fill_place(page) -> None:
    page.select_option("#kecamatan", "Tegal Timur")
    page.select_option("#kelurahan", "Slerok")


def send(page) -> str:
    from playwright.sync_api import expect

    page.locator("button[type=submit]").tap()
    expect(page.locator("#tracking-number")).to_be_visible()
    return page.locator("#tracking-number").inner_text()


def assert_fits_the_phone(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


@pytest.mark.browser
def test_typing_shows_suggestions_and_one_tap_files_the_category(
        ctx, live_server, phone, artifacts):
    from playwright.sync_api import expect

    ctx.classifier = street_light_model()
    page = phone()
    page.goto(f"{live_server}/")
    expect(page.locator("#category")).to_be_hidden()  # the script replaced the select
    expect(page.locator("#category-status")).to_contain_text("saran kategori muncul di sini")
    page.locator("#title").press_sequentially(TITLE, delay=15)
    page.locator("#description").press_sequentially(DESCRIPTION[:40], delay=15)
    suggested = page.locator("#category-suggestions .choice")
    expect(suggested).to_have_count(3)
    expect(suggested).to_have_text(["Penerangan jalan umum (PJU)",
                                    "Rambu, marka dan lampu lalu lintas",
                                    "Jalan rusak dan perbaikan jalan"])
    expect(page.locator("#category-status")).to_have_text("Ketuk kategori yang paling sesuai:")
    for button in suggested.all():  # big tap targets, full width on a phone
        box = button.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 0.75 * PHONE["width"]
    assert_fits_the_phone(page)

    # a tap confirms; another tap changes it
    suggested.nth(2).tap()
    expect(suggested.nth(2)).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#category-value")).to_have_value("jalan")
    suggested.nth(0).tap()
    expect(suggested.nth(0)).to_have_attribute("aria-pressed", "true")
    expect(suggested.nth(2)).to_have_attribute("aria-pressed", "false")
    expect(page.locator("#category-value")).to_have_value("pju")
    expect(page.locator("#category-chosen")).to_have_text(
        "Kategori dipilih: Penerangan jalan umum (PJU)")
    page.locator("#description").press_sequentially(DESCRIPTION[40:], delay=5)
    expect(page.locator("#category-value")).to_have_value("pju")  # typing on keeps it
    page.locator("#category-field").scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "category-suggestions-phone.png"))
    page.screenshot(path=str(artifacts / "category-form-phone-full.png"), full_page=True)

    fill_place(page)
    number = send(page)
    expect(page.locator("#category-name")).to_have_text(
        "Kategori: Penerangan jalan umum (PJU)")
    row = stored(ctx, number)
    assert (row.resident_category, row.category, row.route_reason) == (
        "pju", "pju", "resident_category")


@pytest.mark.browser
def test_the_whole_list_searches_as_you_type_and_files_the_pick(
        ctx, live_server, phone, artifacts):
    from playwright.sync_api import expect

    ctx.classifier = FixedModel.routing_to("DLH")  # an agency model: no suggestions
    page = phone()
    page.goto(f"{live_server}/")
    page.fill("#title", "Sampah menumpuk di gang")
    page.fill("#description", "Sampah rumah tangga tidak diangkut sejak seminggu, bau sekali.")
    expect(page.locator("#category-status")).to_contain_text("Belum ada saran")
    expect(page.locator("#category-suggestions .choice")).to_have_count(0)

    more = page.locator("#category-more")
    more.tap()
    expect(more).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#category-list")).to_be_visible()
    expect(page.locator("#category-search")).to_be_focused()
    page.locator("#category-search").press_sequentially("sampah", delay=20)
    visible = page.locator("#category-list .choice:visible")
    expect(visible).to_have_text(["Sampah dan kebersihan"])
    expect(page.locator("#category-list .category-group:visible")).to_have_count(1)
    page.screenshot(path=str(artifacts / "category-list-search-phone.png"))
    page.locator("#category-search").fill("zzz tidak ada")
    expect(page.locator("#category-nothing")).to_be_visible()
    page.locator("#category-search").fill("SAMPAH")
    visible.first.tap()
    expect(page.locator("#category-list")).to_be_hidden()
    expect(more).to_have_attribute("aria-expanded", "false")
    expect(page.locator("#category-chosen")).to_have_text(
        "Kategori dipilih: Sampah dan kebersihan")
    expect(page.locator("#category-value")).to_have_value("sampah")

    fill_place(page)
    number = send(page)
    row = stored(ctx, number)
    assert (row.resident_category, row.category) == ("sampah", "sampah")


@pytest.mark.browser
def test_not_sure_and_the_choice_kept_after_an_error(ctx, live_server, phone):
    from playwright.sync_api import expect

    ctx.classifier = street_light_model()
    page = phone()
    page.goto(f"{live_server}/")
    page.fill("#title", TITLE)
    page.fill("#description", "terlalu pendek")  # under 20 characters: refused
    page.locator("#category-other").tap()
    expect(page.locator("#category-other")).to_have_attribute("aria-pressed", "true")
    page.locator("#category-more").tap()
    page.locator("#category-list .choice[data-code=pohon]").tap()
    expect(page.locator("#category-other")).to_have_attribute("aria-pressed", "false")
    fill_place(page)
    page.locator("button[type=submit]").tap()
    expect(page.locator("#description-error")).to_contain_text("Uraian terlalu pendek")
    expect(page.locator("#category-value")).to_have_value("pohon")
    expect(page.locator("#category-chosen")).to_have_text(
        "Kategori dipilih: Pohon tumbang dan pemangkasan pohon")
    expect(page.locator("#category-suggestions .choice")).to_have_count(3)  # asked again
    page.fill("#description", DESCRIPTION)
    page.locator("#category-other").tap()
    number = send(page)
    row = stored(ctx, number)
    assert row.resident_category == "lainnya" and row.category == "pju"


@pytest.mark.browser
def test_without_javascript_the_plain_select_files_the_category(ctx, live_server, phone,
                                                                 artifacts):
    from playwright.sync_api import expect

    ctx.classifier = street_light_model()
    page = phone(javascript=False)
    page.goto(f"{live_server}/")
    expect(page.locator("#category")).to_be_visible()
    expect(page.locator("#category-picker")).to_be_hidden()
    expect(page.locator("#category option:checked")).to_have_text("Lainnya / tidak tahu")
    page.fill("#title", "Pohon tumbang menutup jalan")
    page.fill("#description", "Pohon besar tumbang setelah hujan deras dan menutup separuh jalan.")
    page.select_option("#category", "pohon")
    fill_place(page)
    assert_fits_the_phone(page)
    page.screenshot(path=str(artifacts / "category-form-phone-no-js.png"), full_page=True)
    number = send(page)
    row = stored(ctx, number)
    assert (row.resident_category, row.category) == ("pohon", "pohon")
