"""Every staff route, walked as every role: 200 in scope, 403 for a wrong role, 404 out of scope.

Complaints outside a person's scope answer 404 (their existence must not leak);
a route the role may never use answers 403; anonymous visitors go to the login.
"""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import select

from lapor_bridge.db.models import Agency, Attachment, User
from lapor_bridge.demo_region import AGENCIES
from lapor_bridge.services.intake.submit import ComplaintInput, submit_complaint
from lapor_bridge.services.uploads import UploadedFile
from tests.fakes import FixedModel

OFFICERS = [f"petugas.{code.lower()}" for code, _, triage in AGENCIES if not triage]
USERS = [None, *OFFICERS, "admin.tegal", "koordinator.jateng", "sysadmin"]
ROLE = {**{name: "officer" for name in OFFICERS}, "admin.tegal": "regional_admin",
        "koordinator.jateng": "coordinator", "sysadmin": "sysadmin"}



def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, "PNG")
    return buffer.getvalue()


def file(ctx, code, score=0.99):
    ctx.classifier = FixedModel.routing_to(code, score)
    return submit_complaint(ctx, ComplaintInput(
        title="Sampah menumpuk", kecamatan="Tegal Barat", kelurahan="Kraton",
        description="Sampah menumpuk di tepi jalan sejak minggu lalu dan berbau.",
        photos=(UploadedFile("foto.png", png()),))).tracking_number


def in_scope_of_dlh(user):
    return user in ("petugas.dlh", "admin.tegal", "koordinator.jateng", "sysadmin")


def expected_get(route, user):
    if user is None:
        return 302
    role = ROLE[user]
    kind, target = route
    if kind == "queue":
        return 200 if role in ("officer", "regional_admin") else 403
    if kind == "triage":
        return 200 if role == "regional_admin" else 403
    if kind == "oversight":
        return 200 if role in ("coordinator", "regional_admin", "sysadmin") else 403
    if kind == "templates":
        return 200 if role in ("officer", "regional_admin", "sysadmin") else 403
    if kind == "admin":
        return 200 if role == "sysadmin" else 403
    if kind == "routing":  # the routing table: admins edit, coordinators look
        return 200 if role in ("regional_admin", "coordinator", "sysadmin") else 403
    if kind in ("case", "attachment"):
        if target == "dlh":
            return 200 if in_scope_of_dlh(user) else 404
        return 200 if role in ("regional_admin", "coordinator", "sysadmin") else 404
    raise AssertionError(kind)


def expected_post(route, user):
    if user is None:
        return 302
    role = ROLE[user]
    kind = route[0]
    if kind == "note":
        if role == "coordinator":
            return 403
        return 302 if in_scope_of_dlh(user) else 404
    if kind == "template":
        return 403 if role == "coordinator" else 422
    if kind == "admin":
        return 302 if role == "sysadmin" else 403
    if kind == "routing":
        return 302 if role in ("regional_admin", "sysadmin") else 403
    raise AssertionError(kind)


@pytest.mark.parametrize("user", USERS, ids=lambda user: user or "anonymous")
def test_every_staff_route_as_every_role(ctx, client, login, csrf, user):
    dlh = file(ctx, "DLH")
    triaged = file(ctx, "DLH", score=0.1)
    with ctx.read() as session:
        photo_id = session.scalar(select(Attachment.id).order_by(Attachment.id))
        dinsos_id = session.scalar(select(Agency.id).where(Agency.code == "DINSOS"))
        koordinator_id = session.scalar(select(User.id).where(
            User.username == "koordinator.jateng"))
    if user is not None:
        assert login(user).status_code == 302
    get_routes = {
        ("queue", None): "/petugas/",
        ("queue", "all"): "/petugas/?tampil=semua",
        ("triage", None): "/verifikasi/",
        ("oversight", None): "/pantau/",
        ("oversight", "late"): "/pantau/?terlambat=1",
        ("templates", None): "/petugas/templat",
        ("admin", "users"): "/admin/pengguna",
        ("admin", "agencies"): "/admin/instansi",
        ("admin", "settings"): "/admin/pengaturan",
        ("routing", None): "/admin/rute",
        ("case", "dlh"): f"/petugas/laporan/{dlh}",
        ("case", "triage"): f"/petugas/laporan/{triaged}",
        ("attachment", "dlh"): f"/petugas/lampiran/{photo_id}",
    }
    seen = {}
    for route, path in get_routes.items():
        seen[path] = client.get(path).status_code
    assert seen == {path: expected_get(route, user) for route, path in get_routes.items()}

    token = csrf("/masuk")
    post_routes = {
        ("note", None): (f"/petugas/laporan/{dlh}/catatan", {"note": "cek lokasi"}),
        ("note", "category"): (f"/petugas/laporan/{dlh}/kategori", {"category": "sampah"}),
        ("template", None): ("/petugas/templat", {"agency_id": "0", "title": "", "body": ""}),
        ("admin", "agency"): (f"/admin/instansi/{dinsos_id}",
                              {"name": "Dinas Sosial Kota Tegal", "active": "1"}),
        ("admin", "user"): (f"/admin/pengguna/{koordinator_id}/aktif", {"active": "1"}),
        ("admin", "email"): (f"/admin/pengguna/{koordinator_id}/email", {"email": ""}),
        ("routing", None): ("/admin/rute", {"agency.pju": "DISHUB", "was.pju": "DISHUB"}),
    }
    seen = {}
    for route, (path, data) in post_routes.items():
        seen[path] = client.post(path, data={**data, "csrf_token": token}).status_code
    assert seen == {path: expected_post(route, user) for route, (path, _) in post_routes.items()}


def test_an_officer_cannot_act_on_another_agencys_complaint_by_url(ctx, client, login, csrf):
    dlh = file(ctx, "DLH")
    login("petugas.dinkes")
    for slug in ("ambil", "tindak-lanjut", "alihkan", "selesaikan", "disposisi", "arsipkan"):
        response = client.post(f"/petugas/laporan/{dlh}/{slug}",
                               data={"csrf_token": csrf("/petugas/"), "text": "x" * 20})
        assert response.status_code == 404, slug
    assert client.post(f"/petugas/laporan/{dlh}/ambil").status_code == 400  # no CSRF token
