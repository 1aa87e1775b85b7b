"""The "done when" flow in a real browser: take, answer, forward and resolve complaints.

A demo officer (petugas.dlh) works three complaints in Chromium; each step must
show in the complaint's history and on the public tracking page, and the queue
must show working-day due dates in WIB.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from lapor_bridge.domain.calendar import WIB
from lapor_bridge.services.intake.submit import ComplaintInput, submit_complaint
from lapor_bridge.services.seed import seed_demo
from tests.fakes import FixedModel

# Thursday 27 March 2025, before Idul Fitri: five working days end on Monday 14 April.
FILED = datetime(2025, 3, 27, 10, tzinfo=WIB)
LOOKED_AT = datetime(2025, 4, 9, 9, tzinfo=WIB)


@pytest.mark.browser
def test_officer_takes_answers_forwards_and_resolves_in_the_browser(ctx, live_server,
                                                                     browser_page, artifacts):
    from playwright.sync_api import expect

    seed_demo(ctx)
    ctx.clock = lambda: FILED
    ctx.classifier = FixedModel([("DLH", 0.95), ("PUPR", 0.03)])
    numbers = [
        submit_complaint(ctx, ComplaintInput(
            title=title, kecamatan="Tegal Timur", kelurahan="Panggung",
            description=f"{title}: sudah lebih dari seminggu, mohon segera ditangani.",
        )).tracking_number
        for title in ("Sampah menumpuk di pasar", "Got mampet di gang", "Bau limbah pabrik")
    ]
    ctx.clock = lambda: LOOKED_AT
    answered, forwarded, resolved = numbers
    page = browser_page
    page.goto(f"{live_server}/masuk")
    page.fill("#username", "petugas.dlh")
    page.fill("#password", "tegal-demo")
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_contain_text("Dinas Lingkungan Hidup")
    for number in numbers:
        row = page.locator("tr", has_text=number)
        expect(row).to_contain_text("14-04-2025 23:59 WIB")
        expect(row).to_contain_text("sisa 3,6 hari kerja")
    page.screenshot(path=str(artifacts / "officer-queue.png"), full_page=True)

    def open_case(number):
        page.goto(f"{live_server}/petugas/")
        page.click(f"text={number}")
        expect(page.locator("#tracking-number")).to_have_text(number)

    # 1. take the complaint, answer it with a canned response
    open_case(answered)
    page.click("text=Ambil laporan ini")
    expect(page.locator("#claimed-by")).to_have_text("Petugas DLH")
    page.click("text=Diterima dan dijadwalkan")
    expect(page.locator("#text")).to_have_value(
        "Terima kasih atas laporan Anda. Laporan sudah kami terima dan petugas kami akan "
        "meninjau lokasi dalam waktu dekat. Perkembangannya kami sampaikan di sini.")
    page.click("text=Kirim tindak lanjut")
    expect(page.locator("#status")).to_have_text("Ditindaklanjuti oleh Instansi")
    expect(page.locator("#history")).to_contain_text("Tindak lanjut dari instansi")

    # 2. forward one to another agency as "bukan wewenang"
    open_case(forwarded)
    page.select_option("#transfer-agency", "PUPR")
    page.fill("#transfer-reason", "Saluran drainase jalan adalah wewenang PUPR.")
    page.click("text=Alihkan (bukan wewenang)")
    expect(page.locator(".flash")).to_contain_text("dialihkan ke Dinas Pekerjaan Umum")

    # 3. answer and resolve the third
    open_case(resolved)
    page.fill("#text", "Petugas sudah memeriksa pabrik dan memberi teguran tertulis.")
    page.click("text=Kirim tindak lanjut")
    page.click("text=Tandai selesai")
    expect(page.locator("#status")).to_have_text("Selesai")
    expect(page.locator("#history")).to_contain_text("Laporan selesai")
    page.screenshot(path=str(artifacts / "officer-case-resolved.png"), full_page=True)

    # every step is visible to the public, without the officer's name
    page.goto(f"{live_server}/lacak/{answered}")
    expect(page.locator("#history")).to_contain_text("Tindak lanjut dari instansi")
    expect(page.locator("#history")).to_contain_text("petugas kami akan meninjau lokasi")
    page.goto(f"{live_server}/lacak/{forwarded}")
    expect(page.locator("#agency")).to_contain_text("Pekerjaan Umum")
    expect(page.locator("#history")).to_contain_text("Dialihkan ke instansi lain")
    page.goto(f"{live_server}/lacak/{resolved}")
    expect(page.locator("#status")).to_have_text("Selesai")
    expect(page.locator("#history")).to_contain_text("teguran tertulis")
    expect(page.locator("body")).not_to_contain_text("Petugas DLH")
    page.screenshot(path=str(artifacts / "public-tracking-resolved.png"), full_page=True)
