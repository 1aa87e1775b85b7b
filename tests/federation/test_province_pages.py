"""The province's pages for federation members' complaints: a member's complaint opens
read-only (banner, link to the member, no action), the sync-health page lists the
members, and the coordinator's overview and overdue list count them with local ones.

The test database is the province here: members register for new kab/kota codes of
Jawa Tengah (33.01…) that hold no local complaints, and their records are ingested as
a push would store them.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from lapor_bridge.db.models import (
    Complaint,
    ComplaintEvent,
    User,
)
from lapor_bridge.db.models_federation import FederatedComplaint
from lapor_bridge.services.accounts import principal_of
from lapor_bridge.services.dashboards.refresh import refresh_metrics
from lapor_bridge.services.dashboards.scope import ScopeRequest
from lapor_bridge.services.dashboards.sync import sync_overview
from lapor_bridge.services.federation.ingest import ingest
from lapor_bridge.services.federation.members import Member, add_member, authenticate, remove_member
from lapor_bridge.services.federation.state import DRIFT_COUNTS, record_drift
from lapor_bridge.services.intake.submit import ComplaintInput, submit_complaint
from tests.fakes import FixedModel

CILACAP = ("33.01", "Kabupaten Cilacap")
BANYUMAS = ("33.02", "Kabupaten Banyumas")
PURBALINGGA = ("33.03", "Kabupaten Purbalingga")
NOW = datetime(2025, 12, 1, 2, 0, tzinfo=UTC)  # Monday 09:00 WIB
TARGETS = {"dispose_days": 3, "first_response_days": 5, "auto_close_days": 10,
           "completion_days": 60}


def register(ctx, region=CILACAP, name: str | None = None) -> Member:
    """Register a member for ``region`` (named after it) and authenticate it."""
    name = name or region[1]
    slug = name.split()[-1].lower()
    _, key = add_member(ctx, name, [region], f"https://lapor.{slug}kab.go.id")
    return authenticate(ctx, key)


def push(ctx, member: Member, records: list[dict], at: datetime = NOW) -> None:
    """Ingest ``records`` as ``member`` at ``at``; every one must be stored or updated."""
    ctx.clock = lambda: at
    outcomes = ingest(ctx, member, records)
    assert {outcome.result for outcome in outcomes} <= {"stored", "updated"}, outcomes


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def member_record(number: str, created: datetime, *, region=CILACAP, status: str = "disposed",
                  due: datetime | None = None, responded: datetime | None = None,
                  triage: bool = False, version: int = 1, breached: bool = False,
                  lapor_id: str | None = None, changed: datetime | None = None,
                  kecamatan: str = "Majenang", kelurahan: str = "Jenang") -> dict:
    """A member's record as ``record.build_records`` makes it: filed at ``created``,
    disposed five minutes later to the member's PUPR (or held by its triage desk),
    answered at ``responded`` if given; ``due`` is the member's stored due time."""
    slug = region[1].split()[-1]
    code, name = ("ADMIN", f"Bagian Pengaduan {region[1]}") if triage else (
        "PUPR", f"Dinas PUPR {region[1]}")
    disposed = None if triage else created + timedelta(minutes=5)
    history = [{"kind": "submitted", "actor_type": "resident", "from_status": None,
                "to_status": "submitted", "agency_code": code, "agency_name": name,
                "at": iso(created)}]
    if disposed:
        history.append({"kind": "disposed", "actor_type": "system", "from_status": "submitted",
                        "to_status": "disposed", "agency_code": code, "agency_name": name,
                        "at": iso(disposed)})
    if responded:
        history.append({"kind": "responded", "actor_type": "officer", "from_status": "disposed",
                        "to_status": "responded", "agency_code": code, "agency_name": name,
                        "at": iso(responded)})
    return {
        "tracking_number": number, "version": version,
        "changed_at": iso(changed or responded or disposed or created),
        "region_code": region[0], "region_name": region[1],
        "kecamatan": kecamatan, "kelurahan": kelurahan, "category": "jalan",
        "agency_code": code, "agency_name": name, "agency_is_triage": triage,
        "channel": "web", "rahasia": False, "status": status,
        "created_at": iso(created), "disposed_at": iso(disposed),
        "first_disposed_at": iso(disposed), "first_response_at": iso(responded),
        "last_response_at": iso(responded), "closed_at": None, "sla_due_at": iso(due),
        "pauses": [], "sla_stage": "dispose" if triage else
        "auto_close" if responded else "first_response",
        "sla_breached": breached, "sla_targets": dict(TARGETS), "escalation_level": 0,
        "lapor_id": lapor_id,
        "url": f"https://lapor.{slug.lower()}kab.go.id/petugas/laporan/{number}",
        "history": history,
    }


def file_local(ctx, at: datetime, code: str = "PUPR") -> str:
    """A Kota Tegal complaint filed at ``at`` and routed to ``code``; its number."""
    ctx.clock = lambda: at
    ctx.classifier = FixedModel.routing_to(code)
    return submit_complaint(ctx, ComplaintInput(
        title="Jalan berlubang di depan pasar", kecamatan="Tegal Barat", kelurahan="Kraton",
        description="Lubang besar di jalan depan pasar membahayakan pengendara motor.",
    )).tracking_number


def main_of(page: str) -> str:
    """The page's own content (the header holds the logout form)."""
    return page.split("<main>", 1)[1]


@pytest.fixture
def cilacap_case(ctx, extra_places):
    """One overdue complaint of member Kabupaten Cilacap, with a LAPOR! id, breached."""
    member = register(ctx)
    created = NOW - timedelta(days=20)
    push(ctx, member, [member_record("CLP00001", created, due=NOW - timedelta(days=12),
                                     breached=True, lapor_id="LPR-778899")],
         at=NOW - timedelta(minutes=3))
    ctx.clock = lambda: NOW
    return "CLP00001"


def test_coordinator_reads_a_member_complaint_with_its_link_and_no_action(
        client, login, cilacap_case):
    login("koordinator.jateng")
    response = client.get(f"/petugas/laporan/{cilacap_case}")
    assert response.status_code == 200
    page = main_of(response.get_data(as_text=True))
    assert ("Laporan dari anggota federasi Kabupaten Cilacap — hanya baca di provinsi"
            in page)
    assert re.search(r'id="member-name">Kabupaten Cilacap<', page)
    assert 'id="member-received">01-12-2025 08:57 WIB<' in page  # pushed 3 minutes ago
    assert re.search(r'id="member-sla">terlewati<', page)
    assert 'id="member-lapor-id">LPR-778899<' in page
    link = re.search(r'<a href="([^"]+)" rel="noopener"[^>]*id="member-link">([^<]+)</a>', page)
    assert link.groups() == ("https://lapor.cilacapkab.go.id/petugas/laporan/CLP00001",
                             "Buka di instansi Kabupaten Cilacap")
    assert "<form" not in page and "<button" not in page
    assert "Pelapor" not in page and "Ditangani oleh" not in page


def test_sysadmin_gets_no_action_on_a_member_complaint_but_keeps_them_on_local_ones(
        ctx, client, login, cilacap_case):
    local = file_local(ctx, NOW - timedelta(days=1))
    ctx.clock = lambda: NOW
    login("sysadmin")
    member_page = main_of(client.get(f"/petugas/laporan/{cilacap_case}").get_data(as_text=True))
    assert "hanya baca di provinsi" in member_page
    assert "<form" not in member_page and "<button" not in member_page
    local_page = main_of(client.get(f"/petugas/laporan/{local}").get_data(as_text=True))
    assert "hanya baca di provinsi" not in local_page
    assert f"/petugas/laporan/{local}/catatan" in local_page and "<button" in local_page


def test_a_member_link_that_is_not_http_is_not_shown(ctx, client, login, cilacap_case):
    with ctx.transaction() as session:
        session.execute(update(FederatedComplaint).values(url="javascript:alert(1)"))
    login("koordinator.jateng")
    page = main_of(client.get(f"/petugas/laporan/{cilacap_case}").get_data(as_text=True))
    assert "hanya baca di provinsi" in page
    assert "javascript:" not in page and 'id="member-link"' not in page


def _state(ctx, number: str):
    with ctx.read() as session:
        complaint = session.scalar(select(Complaint).where(Complaint.tracking_number == number))
        events = session.scalar(select(func.count()).select_from(ComplaintEvent).where(
            ComplaintEvent.complaint_id == complaint.id))
        return (complaint.status, complaint.claimed_by_id, complaint.category,
                complaint.version, events)


def test_every_write_on_a_member_complaint_is_refused(ctx, client, login, csrf,
                                                      cilacap_case):
    before = _state(ctx, cilacap_case)
    login("sysadmin")
    token = csrf("/dasbor/")
    base = f"/petugas/laporan/{cilacap_case}"
    for slug, form in (("ambil", {}), ("catatan", {"note": "Catatan uji dari provinsi"}),
                       ("kategori", {"category": "sampah"}), ("verifikasi", {}),
                       ("tolak", {"reason": "Bukan wewenang provinsi"})):
        response = client.post(f"{base}/{slug}", data={"csrf_token": token, **form})
        assert response.status_code == 302, slug
        followed = client.get(response.headers["Location"]).get_data(as_text=True)
        assert "milik instansi anggota federasi dan hanya dapat dibaca di sini" in followed, slug
    # Refused before it is even checked (the service validates input first): a 403 page.
    response = client.post(f"{base}/catatan", data={"csrf_token": token, "note": ""})
    assert response.status_code == 403
    assert 'id="read-only-refusal"' in response.get_data(as_text=True)
    login("koordinator.jateng")
    token = csrf("/dasbor/")
    assert client.post(f"{base}/ambil", data={"csrf_token": token}).status_code == 403
    assert _state(ctx, cilacap_case) == before


@pytest.fixture
def three_members(ctx, extra_places):
    """Cilacap (fresh push, in step), Banyumas (removed, records kept), Purbalingga (no
    push for an hour, two records missing, one ahead, one its outbox gave up on)."""
    created = NOW - timedelta(days=2)
    cilacap, banyumas, purbalingga = (register(ctx, region)
                                      for region in (CILACAP, BANYUMAS, PURBALINGGA))
    push(ctx, cilacap, [member_record(f"CLP0000{i}", created, changed=NOW - timedelta(seconds=90))
                        for i in (1, 2)], at=NOW - timedelta(seconds=30))
    push(ctx, banyumas, [member_record("BMS00001", created, region=BANYUMAS)],
         at=NOW - timedelta(days=1))
    push(ctx, purbalingga, [member_record("PBG00001", created, region=PURBALINGGA,
                                          changed=NOW - timedelta(hours=2))],
         at=NOW - timedelta(hours=1))
    drift = dict.fromkeys(DRIFT_COUNTS, 0)
    ctx.clock = lambda: NOW - timedelta(minutes=5)
    record_drift(ctx, cilacap, {**drift, "local": 2, "province": 2})
    record_drift(ctx, purbalingga, {**drift, "local": 3, "province": 2, "missing": 2,
                                    "ahead": 1, "dead": 1,
                                    "examples": {"missing": ["PBG00002", "PBG00003"]}})
    ctx.clock = lambda: NOW - timedelta(hours=3)
    remove_member(ctx, BANYUMAS[1])
    ctx.clock = lambda: NOW


def _person(ctx, username: str):
    with ctx.read() as session:
        return principal_of(session.scalar(select(User).where(User.username == username)))


def test_sync_overview_counts_each_member(ctx, three_members):
    view = sync_overview(ctx, _person(ctx, "koordinator.jateng"), ScopeRequest())
    members = {member.name: member for member in view.members}
    assert list(members) == ["Kabupaten Cilacap", "Kabupaten Purbalingga",
                             "Kabupaten Banyumas"]  # active first
    cilacap, purbalingga, banyumas = members.values()
    assert (cilacap.active, cilacap.records, cilacap.lag_seconds, cilacap.drift,
            cilacap.stale, cilacap.warnings) == (True, 2, 60.0, 0, False, ())
    assert cilacap.last_push_at == NOW - timedelta(seconds=30)
    assert (purbalingga.missing, purbalingga.behind, purbalingga.ahead, purbalingga.extra,
            purbalingga.dead, purbalingga.drift) == (2, 0, 1, 0, 1, 3)
    assert purbalingga.stale and purbalingga.lag_seconds == 3600.0
    assert purbalingga.warnings == ("kiriman terlambat", "ada selisih", "ada kiriman gagal")
    assert (banyumas.active, banyumas.removed_at, banyumas.records, banyumas.stale,
            banyumas.drift) == (False, NOW - timedelta(hours=3), 1, False, None)
    # Member kab/kota have no SP4N-LAPOR! queue here; Kota Tegal keeps its row.
    assert [row.region for row in view.regions] == ["Kota Tegal"]
    narrowed = sync_overview(ctx, _person(ctx, "sysadmin"), ScopeRequest(region="33.02"))
    assert [member.name for member in narrowed.members] == ["Kabupaten Banyumas"]
    admin = sync_overview(ctx, _person(ctx, "admin.tegal"), ScopeRequest())
    assert admin.members == ()


def _member_row(page: str, name: str) -> str:
    rows = re.findall(r'<tr id="member-\d+"[^>]*>.*?</tr>', page, re.S)
    (row,) = [row for row in rows if f"<td>{name}</td>" in row]
    return row


def test_sync_page_shows_members_their_state_and_warnings(client, login, three_members):
    for username in ("koordinator.jateng", "sysadmin"):
        login(username)
        page = client.get("/dasbor/sinkronisasi").get_data(as_text=True)
        assert 'id="members">Anggota federasi<' in page, username
        assert "lebih lama dari 3 menit (tiga kali jadwal kirim)" in page  # 3 × 60 s
        cilacap = _member_row(page, "Kabupaten Cilacap")
        assert "aktif" in cilacap and "<td>2</td>" in cilacap and "60 detik" in cilacap
        assert "selaras" in cilacap and "sla-late" not in cilacap and "⚠" not in cilacap
        purbalingga = _member_row(page, "Kabupaten Purbalingga")
        assert 'class="sla-late"' in purbalingga and "60 menit" in purbalingga
        assert "⚠ kiriman terlambat" in purbalingga and "⚠ ada selisih" in purbalingga
        assert "hilang 2 · tertinggal 0 · lebih baru 1 · berlebih 0" in purbalingga
        assert "gagal kirim 1" in purbalingga and "⚠ ada kiriman gagal" in purbalingga
        banyumas = _member_row(page, "Kabupaten Banyumas")
        assert "dicabut" in banyumas and "01-12-2025 06:00 WIB" in banyumas
        assert "data tetap disimpan" in banyumas and "<td>1</td>" in banyumas
        assert "belum diperiksa" in banyumas and "sla-late" not in banyumas


def test_member_export_follows_the_page(client, login, three_members):
    login("koordinator.jateng")
    rows = list(csv.reader(io.StringIO(
        client.get("/dasbor/ekspor/anggota.csv").get_data().decode("utf-8-sig"))))
    assert rows[0][:3] == ["Anggota", "Kabupaten/kota", "Status"]
    by_name = {row[0]: row for row in rows[1:]}
    assert set(by_name) == {"Kabupaten Cilacap", "Kabupaten Purbalingga", "Kabupaten Banyumas"}
    assert by_name["Kabupaten Banyumas"][2] == "dicabut"
    assert by_name["Kabupaten Purbalingga"][-1] == (
        "kiriman terlambat; ada selisih; ada kiriman gagal")
    assert by_name["Kabupaten Cilacap"][4] == "2" and by_name["Kabupaten Cilacap"][-1] == ""
    assert client.get("/dasbor/ekspor/anggota.xlsx").status_code == 200


def test_officers_never_see_members_and_admins_get_no_member_section(client, login,
                                                                     three_members):
    login("petugas.pupr")
    for path in ("/dasbor/sinkronisasi", "/dasbor/ekspor/anggota.csv"):
        assert client.get(path).status_code == 403, path
    login("admin.tegal")
    page = client.get("/dasbor/sinkronisasi").get_data(as_text=True)
    assert "Anggota federasi" not in page and "Kabupaten Cilacap" not in page


def test_no_member_section_without_members(client, login):
    login("koordinator.jateng")
    page = client.get("/dasbor/sinkronisasi").get_data(as_text=True)
    assert 'id="sync"' in page and "Anggota federasi" not in page


def test_coordinator_overview_and_overdue_list_count_member_and_local_complaints(
        ctx, client, login, extra_places):
    locals_ = [file_local(ctx, datetime(2025, 11, 3, 2, tzinfo=UTC), code)
               for code in ("PUPR", "DLH")]
    member = register(ctx)
    created = datetime(2025, 11, 4, 2, tzinfo=UTC)
    push(ctx, member, [member_record("CLP00001", created, due=created + timedelta(days=7),
                                     breached=True)])
    refresh_metrics(ctx)
    login("koordinator.jateng")
    page = client.get("/dasbor/?periode=2025-11").get_data(as_text=True)
    assert 'id="n-received">3<' in page
    only = client.get("/dasbor/?periode=2025-11&wilayah=33.01").get_data(as_text=True)
    assert 'id="n-received">1<' in only
    overdue = client.get("/dasbor/terlambat").get_data(as_text=True)
    assert 'id="overdue-total">3<' in overdue
    for number in [*locals_, "CLP00001"]:
        assert f"/petugas/laporan/{number}" in overdue, number
    assert "Kabupaten Cilacap" in overdue and "Kota Tegal" in overdue
    assert client.get("/petugas/laporan/CLP00001").status_code == 200
