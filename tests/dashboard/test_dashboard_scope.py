"""Scope of the dashboards: a coordinator of one province never sees another's data,
on the pages or in the exports; admins see their kab/kota, officers their agency."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from lapor_bridge.db.models import Agency
from tests.dashboard.conftest import wib

PAGES = ["/dasbor/", "/dasbor/peringkat", "/dasbor/terlambat", "/dasbor/sinkronisasi"]
EXPORTS = [f"/dasbor/ekspor/{name}.{fmt}" for name in (
    "ringkasan", "tren", "kategori", "sebaran", "liga-instansi", "liga-wilayah", "terlambat",
    "sinkron") for fmt in ("csv", "xlsx")]


@pytest.fixture
def two_provinces(ctx, desk, other_province):
    """One overdue complaint in Kota Tegal (Jawa Tengah), one in Kota Surabaya (Jawa Timur)."""
    desk.at(wib(2025, 11, 3, 9))
    tegal = desk.file("DLH")
    pupr = desk.file("PUPR", title="Jalan berlubang besar di depan pasar")
    surabaya = desk.file("DLH", region_code="35.78", kecamatan="Genteng",
                         kelurahan="Embong Kaliasin", title="Sampah di Jalan Embong Kaliasin")
    desk.at(wib(2025, 12, 1, 9)).refresh()
    with ctx.read() as session:
        ids = dict(session.execute(select(Agency.name, Agency.id)).all())
    return {"tegal": tegal, "pupr": pupr, "surabaya": surabaya,
            "surabaya_dlh": ids["DLH Kota Surabaya"]}


def rows_of(response) -> list[list[str]]:
    """The cells of a CSV or XLSX export as text."""
    if response.mimetype == "text/csv":
        return list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    return [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]


def text_of(response) -> str:
    if response.mimetype in ("text/csv", "application/vnd.openxmlformats-officedocument"
                                          ".spreadsheetml.sheet"):
        return "\n".join(",".join(row) for row in rows_of(response))
    return response.get_data(as_text=True)


def test_each_coordinator_sees_only_their_province(client, login, two_provinces):
    numbers = two_provinces
    for user, mine, theirs, city, other_city in (
            ("koordinator.jateng", numbers["tegal"], numbers["surabaya"], "Kota Tegal",
             "Kota Surabaya"),
            ("koordinator.jatim", numbers["surabaya"], numbers["tegal"], "Kota Surabaya",
             "Kota Tegal")):
        login(user)
        for path in PAGES + EXPORTS:
            response = client.get(f"{path}?periode=2025-11")
            assert response.status_code == 200, (user, path)
            body = text_of(response)
            assert theirs not in body and other_city not in body, (user, path)
        assert mine in text_of(client.get("/dasbor/terlambat"))
        assert city in text_of(client.get("/dasbor/ekspor/liga-wilayah.csv?periode=2025-11"))


def test_picking_outside_the_reach_is_not_found(client, login, two_provinces):
    login("koordinator.jateng")
    for query in ("wilayah=35.78", "provinsi=35", f"instansi={two_provinces['surabaya_dlh']}"):
        for path in ("/dasbor/", "/dasbor/terlambat", "/dasbor/ekspor/terlambat.csv",
                     "/dasbor/ekspor/ringkasan.xlsx"):
            assert client.get(f"{path}?{query}").status_code == 404, (path, query)


def test_overview_figures_follow_the_scope(client, login, two_provinces):
    login("sysadmin")
    everything = client.get("/dasbor/?periode=2025-11").get_data(as_text=True)
    assert 'id="n-received">3<' in everything
    east = client.get("/dasbor/?periode=2025-11&provinsi=35").get_data(as_text=True)
    assert 'id="n-received">1<' in east
    login("admin.tegal")
    assert 'id="n-received">2<' in client.get("/dasbor/?periode=2025-11").get_data(as_text=True)
    assert client.get("/dasbor/?wilayah=35.78").status_code == 404


def test_officers_see_their_own_agency_only(client, login, two_provinces):
    login("petugas.dlh")
    page = client.get("/dasbor/?periode=2025-11").get_data(as_text=True)
    assert 'id="n-received">1<' in page
    overdue = client.get("/dasbor/terlambat").get_data(as_text=True)
    assert two_provinces["tegal"] in overdue and two_provinces["pupr"] not in overdue
    exported = text_of(client.get("/dasbor/ekspor/terlambat.xlsx"))
    assert two_provinces["tegal"] in exported and two_provinces["pupr"] not in exported
    for path in ("/dasbor/peringkat", "/dasbor/sinkronisasi", "/dasbor/ekspor/liga-instansi.csv",
                 "/dasbor/ekspor/sinkron.xlsx"):
        assert client.get(path).status_code == 403, path


def test_anonymous_visitors_go_to_the_login(client):
    for path in PAGES + EXPORTS[:2]:
        response = client.get(path)
        assert response.status_code == 302 and "/masuk" in response.headers["Location"]


def test_exports_neutralise_formulas_and_keep_the_sort(client, login, desk, two_provinces):
    desk.at(wib(2025, 11, 3, 9))
    desk.file("DLH", title="=HYPERLINK(\"http://evil\")")
    desk.at(wib(2025, 12, 1, 9))
    login("admin.tegal")
    for fmt in ("csv", "xlsx"):
        rows = rows_of(client.get(f"/dasbor/ekspor/terlambat.{fmt}?urut=instansi"))
        assert rows[0][:2] == ["Nomor", "Judul"]
        assert len(rows) == 4
        titles = [row[1] for row in rows[1:]]
        assert "'=HYPERLINK(\"http://evil\")" in titles
        agencies = [row[3] for row in rows[1:]]
        assert agencies == sorted(agencies)
