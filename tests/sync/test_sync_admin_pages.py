"""Admin pages: instansi mapping, dead letters with retry (CSRF), sync health."""

import re

import pytest
from sqlalchemy import select, update

from lapor_bridge.db.models import Agency, OutboxMessage, Region
from lapor_bridge.db.models_sync import LaporInstitution
from tests.sync.conftest import submit


@pytest.fixture
def institutions(ctx):
    with ctx.transaction() as session:
        session.add_all([LaporInstitution(id=1002, name="Dinas PUPR Kota Tegal", active=True),
                         LaporInstitution(id=1003, name="Dinas LH Kota Tegal", active=True)])


@pytest.fixture
def pupr(ctx):
    with ctx.read() as session:
        agency = session.scalar(select(Agency).join(Region).where(
            Agency.code == "PUPR", Region.code == "33.76"))  # the neighbours have one too
    yield agency
    with ctx.transaction() as session:
        session.get(Agency, agency.id).lapor_institution_id = agency.lapor_institution_id


def token(page):
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_only_admins_reach_the_sync_pages(client, login):
    assert client.get("/admin/lapor/instansi").status_code == 302
    login("petugas.pupr")
    for path in ("/admin/lapor/instansi", "/admin/lapor/gagal", "/admin/lapor/kesehatan"):
        assert client.get(path).status_code == 403


def test_mapping_shows_unmapped_agencies_and_saves_a_choice(ctx, client, login, institutions,
                                                           pupr):
    with ctx.transaction() as session:
        session.execute(update(Agency).where(Agency.id == pupr.id)
                        .values(lapor_institution_id=None))
    login("admin.tegal")
    page = client.get("/admin/lapor/instansi").get_data(as_text=True)
    assert "1 instansi daerah belum dipetakan" in page and "PUPR — Dinas Pekerjaan" in page
    form = {"agency_id": pupr.id, "institution_id": "1002", "csrf_token": token(page)}
    assert client.post("/admin/lapor/instansi", data={**form, "csrf_token": "x"}).status_code \
        == 400
    assert client.post("/admin/lapor/instansi", data={**form, "institution_id": "9999"},
                       follow_redirects=True).get_data(as_text=True).count("tidak dikenal") == 1
    client.post("/admin/lapor/instansi", data=form)
    with ctx.read() as session:
        assert session.get(Agency, pupr.id).lapor_institution_id == "1002"
    assert "instansi daerah belum dipetakan" not in client.get("/admin/lapor/instansi").get_data(
        as_text=True)


def test_a_dead_letter_is_listed_and_can_be_retried(ctx, client, login):
    number = submit(ctx, 1)
    with ctx.transaction() as session:
        session.execute(update(OutboxMessage).values(
            state="dead", attempts=8, last_error="LaporServerError: HTTP 500"))
    login("admin.tegal")
    page = client.get("/admin/lapor/gagal").get_data(as_text=True)
    assert number in page and "HTTP 500" in page
    (row_id,) = re.findall(r"/admin/lapor/gagal/(\d+)/ulang", page)
    client.post(f"/admin/lapor/gagal/{row_id}/ulang", data={"csrf_token": token(page)})
    with ctx.read() as session:
        row = session.get(OutboxMessage, int(row_id))
    assert (row.state, row.attempts) == ("pending", 0) and "admin.tegal" in row.last_error
    health = client.get("/admin/lapor/kesehatan").get_data(as_text=True)
    assert "Kota Tegal" in health and "lapor-push" in health and "dicoba ulang" in health
