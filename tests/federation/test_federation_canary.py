"""A canary in every reporter field and the text, at the member: after the push, no page,
export or open-data file of the province shows it, nor any reporter contact."""

from __future__ import annotations

import re

from sqlalchemy import select

from lapor_bridge.db.models import Complaint
from lapor_bridge.demo_region import DEMO_PASSWORD
from lapor_bridge.services.dashboards.refresh import refresh_metrics
from lapor_bridge.services.dashboards.tables import TABLES
from lapor_bridge.services.federation.push import push_changes
from lapor_bridge.services.intake.submit import ContactInput
from tests.conftest import csrf_token
from tests.sync.conftest import submit

CANARY = "KANARI9W4Z"
PHONE = "081377700099"


def _canaries(member) -> list[str]:
    contact = ContactInput(f"Ibu {CANARY}", PHONE, f"{CANARY.lower()}@contoh.id", 991122)
    return [submit(member, index, title=f"{label} {CANARY}", category=category,
                   description=f"{label} di dekat rumah {CANARY}, mohon segera ditangani.",
                   contact=contact, lat=-6.8712, lon=109.1255, **flags)
            for index, (label, category, flags) in enumerate((
                ("Jalan berlubang", "jalan", {"rahasia": True}),
                ("Sampah menumpuk", "sampah", {"anonim": True}),
                ("Lampu jalan mati", "pju", {}),
                ("Pungutan liar sekolah", "pungutan_sekolah", {"rahasia": True}),
                ("Air PDAM mati", "air_pdam", {}),
            ))]


def test_no_page_export_or_open_data_file_of_the_province_shows_the_canary(
        member, province, province_app):
    numbers = _canaries(member)
    assert push_changes(member).sent == len(numbers)
    refresh_metrics(province, full=True)
    with province.read() as session:
        held = set(session.scalars(select(Complaint.tracking_number)))
    assert held == set(numbers)  # the complaints are there, so the pages have them

    client = province_app.test_client()
    client.post("/masuk", data={"username": "koordinator.jateng", "password": DEMO_PASSWORD,
                                "csrf_token": csrf_token(client, "/masuk")})
    pages = ["/dasbor/", "/dasbor/peringkat", "/dasbor/terlambat", "/dasbor/sinkronisasi",
             *(f"/dasbor/ekspor/{name}.csv" for name in TABLES),
             *(f"/petugas/laporan/{number}" for number in numbers)]
    public = ["/data/", "/data/kamus", "/data/pengaduan.csv", "/data/pengaduan.json",
              "/data/dcat.json", *(f"/lacak/{number}" for number in numbers)]
    seen = 0
    for path in pages + public:
        response = (client if path in pages else province_app.test_client()).get(path)
        body = response.get_data(as_text=True)
        assert response.status_code in (200, 404), (path, response.status_code)
        seen += response.status_code == 200
        for secret in (CANARY, CANARY.lower(), PHONE, "-6.8712", "109.1255"):
            assert secret not in body, (path, secret)
        if path.startswith("/data/"):
            assert not any(number in body for number in numbers), path
    assert seen == len(pages) + 5  # every staff page and the open data; tracking is 404
    case = client.get(f"/petugas/laporan/{numbers[2]}").get_data(as_text=True)
    assert re.search(r"anggota federasi", case, re.IGNORECASE)
