"""Every dashboard table as a plain :class:`~lapor_bridge.services.exports.Table`.

The exports call the same services as the pages, with the same scope request, so a
file never holds more than the page would show.
"""

from __future__ import annotations

from collections.abc import Callable

from lapor_bridge.domain.dashboard import LeagueRow, Period
from lapor_bridge.services.accounts import Principal
from lapor_bridge.services.context import ServiceContext
from lapor_bridge.services.dashboards.overdue import EXPORT_LIMIT, overdue_page
from lapor_bridge.services.dashboards.overview import League, Overview, league, overview
from lapor_bridge.services.dashboards.scope import ScopeRequest
from lapor_bridge.services.dashboards.sync import sync_overview
from lapor_bridge.services.errors import NotFound
from lapor_bridge.services.exports import Table

TABLES = {
    "ringkasan": "Ringkasan",
    "tren": "Tren mingguan",
    "kategori": "Kategori teratas",
    "sebaran": "Sebaran waktu penyelesaian",
    "liga-instansi": "Peringkat instansi",
    "liga-wilayah": "Peringkat kabupaten-kota",
    "terlambat": "Laporan terlambat",
    "sinkron": "Kesehatan sinkronisasi",
    "anggota": "Anggota federasi",
}


def export_table(ctx: ServiceContext, principal: Principal, name: str, wanted: ScopeRequest,
                 period: Period, sort: str = "terlambat") -> Table:
    """The table ``name`` for this scope and period; NotFound for an unknown name."""
    builders: dict[str, Callable[[], Table]] = {
        "ringkasan": lambda: summary_table(overview(ctx, principal, wanted, period)),
        "tren": lambda: trend_table(overview(ctx, principal, wanted, period)),
        "kategori": lambda: category_table(overview(ctx, principal, wanted, period)),
        "sebaran": lambda: histogram_table(overview(ctx, principal, wanted, period)),
        "liga-instansi": lambda: league_table(league(ctx, principal, wanted, period), "agencies"),
        "liga-wilayah": lambda: league_table(league(ctx, principal, wanted, period), "regions"),
        "terlambat": lambda: overdue_table(ctx, principal, wanted, sort),
        "sinkron": lambda: sync_table(ctx, principal, wanted),
        "anggota": lambda: member_table(ctx, principal, wanted),
    }
    if name not in builders:
        raise NotFound(f"Tabel {name} tidak ada.")
    return builders[name]()


def summary_table(view: Overview) -> Table:
    """The overview's headline figures, one per row."""
    rows: list[list[object]] = [
        ["Cakupan", view.scope.label], ["Periode", view.period.label],
        ["Laporan masuk", view.received], ["Selesai", view.resolved],
        ["Masih terbuka", view.open], ["Terlambat", view.overdue],
        ["Median tanggapan pertama (hari kerja)", view.first_response.median],
        ["P90 tanggapan pertama (hari kerja)", view.first_response.p90],
        ["Median penyelesaian (hari kerja)", view.resolution.median],
        ["P90 penyelesaian (hari kerja)", view.resolution.p90],
        ["Porsi dialihkan (salah rute)", view.rerouted_share],
        ["Porsi lewat verifikasi admin", view.triaged_share],
    ]
    rows += [[f"Kepatuhan SLA: {stage}", compliance.rate] for stage, compliance in view.compliance]
    return Table("ringkasan", TABLES["ringkasan"], ["Ukuran", "Nilai"], rows)


def trend_table(view: Overview) -> Table:
    """Weekly arrivals, closings and backlog."""
    return Table("tren", TABLES["tren"],
                 ["Minggu mulai", "Masuk", "Ditutup", "Terbuka akhir minggu"],
                 [[p.week_start, p.received, p.closed, p.backlog] for p in view.trend])


def category_table(view: Overview) -> Table:
    """The top categories with their share."""
    return Table("kategori", TABLES["kategori"], ["Kategori", "Jumlah", "Porsi"],
                 [list(row) for row in view.categories])


def histogram_table(view: Overview) -> Table:
    """Resolved complaints per resolution-time bucket."""
    return Table("sebaran", TABLES["sebaran"], ["Hari kerja", "Jumlah"],
                 [list(row) for row in view.histogram])


def league_table(view: League, which: str) -> Table:
    """The agency or kab/kota league table."""
    rows: tuple[LeagueRow, ...] = getattr(view, which)
    name = "liga-instansi" if which == "agencies" else "liga-wilayah"
    return Table(name, TABLES[name], [
        "Peringkat", "Nama", "Laporan masuk", "Kepatuhan SLA", "Median penyelesaian (hari kerja)",
        "Perubahan kepatuhan", "Perubahan median"],
        [[row.rank, row.name, row.received, row.compliance.rate, row.median_resolution,
          row.compliance_change, row.median_change] for row in rows])


def overdue_table(ctx: ServiceContext, principal: Principal, wanted: ScopeRequest,
                  sort: str) -> Table:
    """Every overdue complaint in scope (up to the export limit)."""
    page = overdue_page(ctx, principal, wanted, sort, 1, EXPORT_LIMIT)
    return Table("terlambat", TABLES["terlambat"], [
        "Nomor", "Judul", "Kabupaten/kota", "Instansi", "Ditangani oleh", "Kategori", "Tahap",
        "Tenggat", "Terlambat (hari kerja)", "Eskalasi"],
        [[i.tracking_number, i.title, i.region, i.agency, i.holder, i.category, i.stage,
          i.due_at, i.over_days, i.escalation_level] for i in page.items])


def sync_table(ctx: ServiceContext, principal: Principal, wanted: ScopeRequest) -> Table:
    """Sync health per kab/kota."""
    view = sync_overview(ctx, principal, wanted)
    return Table("sinkron", TABLES["sinkron"], [
        "Kabupaten/kota", "Belum terkirim", "Gagal", "Tertua belum terkirim", "Jenis galat",
        "Tertaut LAPOR!", "Masih dipantau", "Selisih (laporan penyelarasan terakhir)"],
        [[r.region, r.pending, r.dead, r.oldest_unsent_at,
          "; ".join(f"{kind} ({count})" for kind, count in r.errors), r.linked, r.open_links,
          r.drift] for r in view.regions])


def member_table(ctx: ServiceContext, principal: Principal, wanted: ScopeRequest) -> Table:
    """The federation members in scope, as the sync page shows them."""
    view = sync_overview(ctx, principal, wanted)
    return Table("anggota", TABLES["anggota"], [
        "Anggota", "Kabupaten/kota", "Status", "Dicabut pada", "Catatan disimpan",
        "Kiriman terakhir", "Jeda (detik)", "Selisih diperiksa", "Hilang", "Tertinggal",
        "Lebih baru", "Berlebih", "Gagal kirim", "Peringatan"],
        [[m.name, ", ".join(m.regions), "aktif" if m.active else "dicabut", m.removed_at,
          m.records, m.last_push_at,
          None if m.lag_seconds is None else round(m.lag_seconds, 1), m.drift_checked_at,
          m.missing, m.behind, m.ahead, m.extra, m.dead, "; ".join(m.warnings)]
         for m in view.members])
