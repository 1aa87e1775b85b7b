"""The dashboards in Chromium, as each role: open, change scope and period, follow an
overdue complaint, download an export. Screenshots land in ``test-artifacts/``."""

from __future__ import annotations

import csv
import io

import pytest

from lapor_bridge.services.demo_history import seed_history
from tests.dashboard.conftest import wib

NOW = wib(2025, 9, 15, 10)


@pytest.fixture
def history(ctx, desk, extra_places):
    """Two months of demo history, and one complaint nobody answered (overdue)."""
    desk.at(NOW)
    seed_history(ctx, 2)
    desk.at(wib(2025, 8, 20, 9))
    number = desk.file("DLH", title="Sampah tidak diangkut dua minggu")
    desk.at(NOW).refresh()
    return number


@pytest.mark.browser
def test_every_role_uses_the_dashboard(live_server, browser_page, artifacts, history):
    from playwright.sync_api import expect

    page = browser_page

    def log_in(username):
        page.goto(f"{live_server}/masuk")
        page.fill("#username", username)
        page.fill("#password", "tegal-demo")
        page.click("button[type=submit]")
        page.goto(f"{live_server}/dasbor/")
        expect(page.locator("#headline")).to_be_visible()

    def log_out():
        page.click("text=Keluar")

    # coordinator: whole province, then one kab/kota and a quarter
    log_in("koordinator.jateng")
    expect(page.locator("h1")).to_contain_text("Provinsi Jawa Tengah")
    expect(page.locator("#chart-trend polyline")).to_have_count(3)
    expect(page.locator("#chart-histogram rect").first).to_be_attached()
    province_total = int(page.locator("#n-received").inner_text())
    page.screenshot(path=str(artifacts / "dashboard-overview.png"), full_page=True)
    page.select_option("#f-wilayah", "33.76")
    page.select_option("#f-periode", "2025-Q3")
    page.click("text=Terapkan")
    expect(page.locator("h1")).to_contain_text("Kota Tegal")
    assert 0 < int(page.locator("#n-received").inner_text()) < province_total
    page.click("nav.tabs >> text=Peringkat")
    expect(page.locator("#league-agencies tbody tr").first).to_be_visible()
    expect(page.locator("#chart-agencies rect").first).to_be_attached()
    page.click("nav.tabs >> text=Terlambat")
    expect(page.locator("#overdue")).to_contain_text(history)
    page.click(f"#overdue >> text={history}")
    expect(page.locator("#tracking-number")).to_have_text(history)
    page.go_back()
    with page.expect_download() as download:
        page.click("#export-terlambat-csv")
    content = download.value.path().read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(content)))
    assert rows[0][0] == "Nomor" and history in {row[0] for row in rows[1:]}
    with page.expect_download() as download:
        page.click("#export-terlambat-xlsx")
    assert download.value.suggested_filename.endswith(".xlsx")
    log_out()

    # regional admin: their kab/kota only, no kab/kota picker
    log_in("admin.tegal")
    expect(page.locator("h1")).to_contain_text("Kota Tegal")
    expect(page.locator("#f-wilayah")).to_have_count(0)
    page.click("nav.tabs >> text=Sinkronisasi LAPOR!")
    expect(page.locator("#sync")).to_contain_text("Kota Tegal")
    log_out()

    # system admin: everything, can narrow to one kab/kota
    log_in("sysadmin")
    expect(page.locator("h1")).to_contain_text("Semua wilayah")
    page.select_option("#f-wilayah", "33.29")
    page.click("text=Terapkan")
    expect(page.locator("h1")).to_contain_text("Kabupaten Brebes")
    log_out()

    # officer: their agency's overview and overdue list, no league table
    log_in("petugas.dlh")
    expect(page.locator("h1")).to_contain_text("Dinas Lingkungan Hidup Kota Tegal")
    expect(page.locator("nav.tabs >> text=Peringkat")).to_have_count(0)
    page.click("nav.tabs >> text=Terlambat")
    expect(page.locator("#overdue")).to_contain_text(history)
    page.screenshot(path=str(artifacts / "dashboard-officer-overdue.png"), full_page=True)
