"""The routing-table page /admin/rute: the regional admin sees every category and saves
the lines changed; others are refused; a refused save changes nothing."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from lapor_bridge.db.models import Agency, Region, RoutingRule, RoutingRuleChange, User
from lapor_bridge.domain import categories
from lapor_bridge.services.accounts import principal_of
from lapor_bridge.services.demo_history import seed_history
from lapor_bridge.services.errors import PermissionDenied
from lapor_bridge.services.intake.routing_table import set_rules
from lapor_bridge.services.intake.submit import ComplaintInput, submit_complaint
from tests.fakes import FixedModel

PAGE = "/admin/rute"
KOTA = "33.76"



def rule(ctx, category: str, region: str = KOTA) -> str | None:
    with ctx.read() as session:
        return session.scalar(
            select(Agency.code).join(RoutingRule, RoutingRule.agency_id == Agency.id)
            .join(Region, Region.id == RoutingRule.region_id)
            .where(Region.code == region, RoutingRule.category == category))


def audit(ctx, source: str = "page") -> list[tuple]:
    with ctx.read() as session:
        return [tuple(row) for row in session.execute(
            select(Region.code, RoutingRuleChange.category, RoutingRuleChange.old_agency_code,
                   RoutingRuleChange.new_agency_code, User.username, RoutingRuleChange.source)
            .join(Region, Region.id == RoutingRuleChange.region_id)
            .outerjoin(User, User.id == RoutingRuleChange.user_id)
            .where(RoutingRuleChange.source == source).order_by(RoutingRuleChange.id))]


def file(ctx, category: str | None):
    """A complaint whose resident picked ``category`` (the model suggests rubbish)."""
    ctx.classifier = FixedModel([("sampah", 0.9), ("jalan", 0.06), ("pju", 0.04)],
                                target="category")
    return submit_complaint(ctx, ComplaintInput(
        title="Lampu jalan mati", kecamatan="Tegal Barat", kelurahan="Kraton",
        description="Lampu jalan di depan rumah mati sejak tiga hari, malam gelap sekali.",
        category=category))


def page_form(page: str) -> dict[str, str]:
    """What a browser posts when nothing is touched: every line as the page shows it."""
    shown = dict(re.findall(r'name="was\.([a-z_]+)" value="([^"]*)"', page))
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    return {"csrf_token": token, **{f"was.{code}": value for code, value in shown.items()},
            **{f"agency.{code}": value for code, value in shown.items()}}


def test_regional_admin_sees_every_category_and_saves_a_change(ctx, client, login):
    before = file(ctx, "pju")  # also puts Kraton and the old table in the place memory
    assert (before.agency_code, before.route_reason) == ("DISHUB", "resident_category")
    login("admin.tegal")
    response = client.get(PAGE)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Kota Tegal" in page
    for group, members in categories.grouped():
        assert group.name in page
        for category in members:
            assert f'name="agency.{category.code}"' in page, category.code
            assert f'id="row-{category.code}"' in page
    assert "— verifikasi admin (triage) —" in page
    form = page_form(page)
    assert len([name for name in form if name.startswith("agency.")]) == len(categories.CODES)
    assert form["was.pju"] == "DISHUB"

    response = client.post(PAGE, data={**form, "agency.pju": "PUPR"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{PAGE}?wilayah={KOTA}")
    after = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "1 baris diubah." in after
    assert rule(ctx, "pju") == "PUPR"
    assert rule(ctx, "jalan") == "PUPR" and rule(ctx, "sampah") == "DLH"  # others kept
    assert audit(ctx) == [(KOTA, "pju", "DISHUB", "PUPR", "admin.tegal", "page")]
    changes = after.split('id="routing-changes"', 1)[1]
    assert "admin.tegal" in changes and "halaman ini" in changes and "WIB" in changes
    assert categories.label("pju") in changes

    complaint = file(ctx, "pju")  # the place memory was forgotten: the new table applies
    assert (complaint.agency_code, complaint.route_reason) == ("PUPR", "resident_category")


def test_a_line_set_to_triage_loses_its_rule(ctx, client, login, csrf):
    login("admin.tegal")
    response = client.post(PAGE, data={"csrf_token": csrf(PAGE), "agency.pemakaman": "",
                                       "was.pemakaman": "DLH"})
    assert response.status_code == 302
    assert rule(ctx, "pemakaman") is None
    assert audit(ctx) == [(KOTA, "pemakaman", "DLH", None, "admin.tegal", "page")]
    assert file(ctx, "pemakaman").agency_code == "TRIAGE"
    page = client.get(PAGE).get_data(as_text=True)
    assert "verifikasi admin (triage)" in page.split('id="routing-changes"', 1)[1]


def test_lines_not_changed_on_the_page_are_not_saved(ctx, client, login, csrf):
    """A page opened before another admin's save does not undo it."""
    login("admin.tegal")
    with ctx.read() as session:
        sysadmin = principal_of(session.scalar(select(User).where(User.username == "sysadmin")))
    assert set_rules(ctx, sysadmin, KOTA, {"taman": "PUPR"}) == 1
    stale = {"agency.taman": "DLH", "was.taman": "DLH", "agency.pju": "PUPR",
             "was.pju": "DISHUB"}
    response = client.post(PAGE, data={"csrf_token": csrf(PAGE), **stale})
    assert response.status_code == 302
    assert (rule(ctx, "taman"), rule(ctx, "pju")) == ("PUPR", "PUPR")


def test_an_unknown_agency_is_refused_and_nothing_changes(ctx, client, login, csrf):
    login("admin.tegal")
    response = client.post(PAGE, data={
        "csrf_token": csrf(PAGE), "agency.jalan": "DLH", "was.jalan": "PUPR",
        "agency.pju": "TIDAKADA", "was.pju": "DISHUB"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Tidak ada yang disimpan" in page and "TIDAKADA" in page
    assert (rule(ctx, "jalan"), rule(ctx, "pju")) == ("PUPR", "DISHUB")
    assert audit(ctx) == []


def test_a_post_without_csrf_token_is_refused(ctx, client, login):
    login("admin.tegal")
    response = client.post(PAGE, data={"agency.pju": "PUPR", "was.pju": "DISHUB"})
    assert response.status_code == 400
    assert rule(ctx, "pju") == "DISHUB"
    assert audit(ctx) == []


def test_another_regions_admin_cannot_edit_kota_tegal(ctx, client, login, csrf, extra_places):
    seed_history(ctx, 0)  # the neighbour regions and their admins, no complaints
    login("admin.kabtegal")
    own = client.get(PAGE)
    assert own.status_code == 200
    assert "Tabel rute Kabupaten Tegal" in own.get_data(as_text=True)
    assert client.get(f"{PAGE}?wilayah={KOTA}").status_code == 404
    response = client.post(f"{PAGE}?wilayah={KOTA}", data={
        "csrf_token": csrf(PAGE), "agency.pju": "PUPR", "was.pju": "DISHUB"})
    assert response.status_code == 404
    assert rule(ctx, "pju") == "DISHUB"
    with ctx.read() as session:
        kabtegal = principal_of(session.scalar(
            select(User).where(User.username == "admin.kabtegal")))
    with pytest.raises(PermissionDenied):
        set_rules(ctx, kabtegal, KOTA, {"pju": "PUPR"})
    assert rule(ctx, "pju") == "DISHUB"
    assert audit(ctx) == []


def test_sysadmin_picks_a_region(ctx, client, login, csrf, extra_places):
    seed_history(ctx, 0)
    login("sysadmin")
    page = client.get(f"{PAGE}?wilayah=33.28").get_data(as_text=True)
    assert 'name="wilayah"' in page and "Tabel rute Kabupaten Tegal" in page
    assert rule(ctx, "pju", "33.28") == "PUPR"
    response = client.post(f"{PAGE}?wilayah=33.28", data={
        "csrf_token": csrf(PAGE), "agency.pju": "DISHUB", "was.pju": "PUPR"})
    assert response.status_code == 302
    assert (rule(ctx, "pju", "33.28"), rule(ctx, "pju")) == ("DISHUB", "DISHUB")
    assert audit(ctx) == [("33.28", "pju", "PUPR", "DISHUB", "sysadmin", "page")]
    assert client.get(f"{PAGE}?wilayah=99.99").status_code == 404


def test_officer_is_refused_and_coordinator_only_looks(ctx, client, login, csrf):
    login("petugas.dishub")
    assert client.get(PAGE).status_code == 403
    token = csrf("/petugas/")
    assert client.post(PAGE, data={"csrf_token": token, "agency.pju": "PUPR",
                                   "was.pju": "DISHUB"}).status_code == 403
    client.post("/keluar", data={"csrf_token": token})
    login("koordinator.jateng")
    response = client.get(PAGE)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Kota Tegal" in page and "hanya untuk melihat" in page
    assert 'name="agency.' not in page and "Dinas Perhubungan" in page
    assert client.post(PAGE, data={"csrf_token": csrf("/pantau/"), "agency.pju": "PUPR",
                                   "was.pju": "DISHUB"}).status_code == 403
    assert rule(ctx, "pju") == "DISHUB"
    assert audit(ctx) == []


def test_anonymous_visitors_go_to_the_login(client):
    response = client.get(PAGE)
    assert response.status_code == 302 and "/masuk" in response.headers["Location"]


def test_the_admin_nav_links_the_page(client, login):
    login("sysadmin")
    assert f'href="{PAGE}"' in client.get("/admin/instansi").get_data(as_text=True)


def test_the_page_in_english(client, login):
    login("admin.tegal")
    response = client.get(f"{PAGE}?lang=en")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Roads, drains and infrastructure" in page and "Street lights" in page
