"""Nothing per complaint reaches ``/data/``: a canary string in every text and contact
field of published complaints (one of them ``rahasia``) appears in no page or file, and
neither does any tracking number. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import select

from lapor_bridge.db.models import Complaint
from lapor_bridge.services.intake.submit import ContactInput
from tests.dashboard.conftest import wib

CANARY = "kanari7q3z"
PATHS = ("/data/", "/data/?lang=en", "/data/kamus", "/data/kamus?lang=en",
         "/data/pengaduan.csv", "/data/pengaduan.json", "/data/dcat.json",
         "/data/pengaduan.csv?tahun=2025&wilayah=33.76",
         "/data/pengaduan.json?tahun=2025&wilayah=33.76")


def test_no_complaint_text_reporter_field_or_number_reaches_open_data(ctx, client, desk):
    desk.at(wib(2025, 11, 3, 9))
    for index in range(6):
        desk.file(
            "DLH", title=f"Sampah {CANARY} menumpuk nomor {index}",
            description=f"Tumpukan sampah {CANARY} di pinggir jalan sudah berbau busuk.",
            rahasia=index == 0, anonim=index == 1,
            contact=ContactInput(name=f"Ibu {CANARY}", phone=f"0812777{index:05d}",
                                 email=f"{CANARY}{index}@example.org"))
    desk.at(wib(2025, 11, 20, 9)).refresh()
    with ctx.read() as session:
        numbers = list(session.scalars(select(Complaint.tracking_number)))
        assert session.scalar(select(Complaint.is_secret).where(
            Complaint.title.contains(f"{CANARY} menumpuk nomor 0")))

    document = client.get("/data/pengaduan.json").json
    assert [row["diterima"] for row in document["rows"]] == [6]   # the canaries are counted
    for path in PATHS:
        response = client.get(path)
        assert response.status_code == 200, path
        body = response.get_data(as_text=True).lower()
        assert CANARY not in body, path
        assert "0812777" not in body and "example.org" not in body, path
        assert not [number for number in numbers if number.lower() in body], path
