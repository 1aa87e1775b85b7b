"""The dataset's figures: worked out by hand, equal to an independent count of the same
complaints, and suppressed below ``min_count`` (rows left out, thin medians emptied).
Each test runs on SQLite and PostgreSQL."""

from __future__ import annotations

import statistics
from collections import defaultdict

import pytest
from sqlalchemy import select

from lapor_bridge.config import ConfigError, load_settings
from lapor_bridge.db.models import Agency, Complaint, Region
from lapor_bridge.db.models_stats import ComplaintMetrics
from lapor_bridge.domain.calendar import WIB
from lapor_bridge.domain.categories import label
from lapor_bridge.services.errors import ValidationFailed
from lapor_bridge.services.open_data.dataset import (
    DatasetRow,
    RowFilter,
    build_dataset,
    row_filter,
)
from lapor_bridge.services.open_data.dictionary import FIELD_NAMES, FIELDS
from lapor_bridge.services.workflow import set_category
from tests.dashboard.conftest import LOOKED_AT, wib

DLH_NAME = "Dinas Lingkungan Hidup Kota Tegal"


def test_december_by_hand(ctx, december):
    """Four DLH complaints of December 2025 (see the dashboard tests): three resolved in
    time after 1.25, 3.0 and 5.0 working days, first responses after 0.5, 2.0, 1.0."""
    (row,) = build_dataset(ctx, 3).rows
    assert row == DatasetRow("33.76", "Kota Tegal", "2025-12", "", "Tanpa kategori", "DLH",
                             DLH_NAME, 4, 3, 3, 1.0, 3.0)


def test_k_is_configurable_rows_and_medians_follow_it(ctx, december):
    (row,) = build_dataset(ctx, 4).rows                   # 4 complaints: the row stays,
    assert (row.diterima, row.median_hari_tanggapan_pertama,   # but 3 durations are
            row.median_hari_penyelesaian) == (4, None, None)   # fewer than k
    assert build_dataset(ctx, 5).rows == ()               # fewer than k: left out


def test_a_cell_of_four_is_left_out_and_a_cell_of_five_published(ctx, desk):
    desk.at(wib(2025, 11, 3, 9))
    for _ in range(4):
        desk.file("DLH")
    pupr = [desk.file("PUPR") for _ in range(5)]
    desk.at(wib(2025, 11, 4, 9))
    for number in pupr:
        desk.respond(number, "petugas.pupr")
    for number in pupr[:2]:                               # two resolved: a thin median
        desk.resolve(number, "petugas.pupr")
    desk.at(LOOKED_AT).refresh()
    (row,) = build_dataset(ctx, 5).rows
    assert (row.instansi_kode, row.diterima, row.selesai) == ("PUPR", 5, 2)
    assert row.median_hari_tanggapan_pertama == 1.0       # five responses, each one day
    assert row.median_hari_penyelesaian is None           # from two: not published
    assert [r.instansi_kode for r in build_dataset(ctx, 4).rows] == ["DLH", "PUPR"]


def test_figures_equal_an_independent_count(ctx, desk, other_province):
    """Two months, two kab/kota, categories and agencies, a late response; compared with
    a count straight from ``complaints`` and the metrics' durations and stage flags."""
    surabaya = {"region_code": "35.78", "kecamatan": "Genteng", "kelurahan": "Embong Kaliasin"}
    desk.at(wib(2025, 11, 3, 9))
    dlh = [desk.file("DLH") for _ in range(3)]
    pupr = [desk.file("PUPR") for _ in range(2)]
    for _ in range(2):
        desk.file("DLH", **surabaya)
    desk.at(wib(2025, 11, 4, 9))
    for number in dlh[:2]:
        set_category(ctx, desk.user("petugas.dlh"), number, "sampah")
    desk.respond(dlh[0])
    desk.at(wib(2025, 11, 12, 15)).respond(dlh[1])       # past the 5-day first response
    desk.respond(pupr[0], "petugas.pupr")
    desk.at(wib(2025, 11, 14, 10))
    for number in (dlh[0], dlh[1]):
        desk.resolve(number)
    desk.resolve(pupr[0], "petugas.pupr")
    desk.at(wib(2025, 12, 1, 8))
    december = [desk.file("DLH") for _ in range(2)] + [desk.file("DLH", **surabaya)]
    desk.at(wib(2025, 12, 2, 8)).respond(december[0])
    desk.at(LOOKED_AT).refresh()

    for k in (1, 2):
        rows = build_dataset(ctx, k).rows
        assert rows == independent_rows(ctx, k)
        assert len(rows) == {1: 6, 2: 4}[k]
    late = next(row for row in build_dataset(ctx, 1).rows if row.kategori_kode == "sampah")
    assert (late.selesai, late.selesai_tepat_waktu) == (2, 1)


def independent_rows(ctx, k: int) -> tuple[DatasetRow, ...]:
    """The dataset worked out from ``complaints`` (groups, counts) and ``complaint_metrics``
    (durations, stage flags) in plain Python."""
    with ctx.read() as session:
        found = session.execute(
            select(Region.code, Region.name, Complaint.created_at, Complaint.category,
                   Agency.code, Agency.name, Complaint.status, ComplaintMetrics)
            .join(Region, Region.id == Complaint.region_id)
            .join(Agency, Agency.id == Complaint.agency_id)
            .join(ComplaintMetrics, ComplaintMetrics.complaint_id == Complaint.id)).all()
    groups = defaultdict(list)
    for region, region_name, created, category, agency, agency_name, status, metrics in found:
        month = created.astimezone(WIB).strftime("%Y-%m")
        groups[(region, region_name, month, category or "", agency, agency_name)].append(
            (status, metrics))
    rows = []
    for (region, region_name, month, category, agency, agency_name), members in groups.items():
        if len(members) < k:
            continue
        resolved = [m for status, m in members if status in ("resolved", "auto_closed")]
        in_time = [m for m in resolved
                   if False not in (m.dispose_met, m.response_met, m.completion_met)]
        responses = [m.first_response_days for _, m in members
                     if m.first_response_days is not None]
        rows.append(DatasetRow(region, region_name, month, category, label(category), agency,
                               agency_name, len(members), len(resolved), len(in_time),
                               median(responses, k),
                               median([m.resolution_days for m in resolved], k)))
    return tuple(sorted(rows, key=lambda row: (row.wilayah_kode, row.bulan, row.kategori_kode,
                                              row.instansi_kode)))


def median(values: list[float], k: int) -> float | None:
    return round(statistics.median(values), 2) if len(values) >= k else None


def test_filters_keep_a_year_and_a_kab_kota(ctx, december):
    dataset = build_dataset(ctx, 1)
    assert len(dataset.select(row_filter(dataset, "2025", "33.76"))) == 1
    assert dataset.select(row_filter(dataset, "2026", None)) == []
    assert dataset.select(RowFilter()) == list(dataset.rows)
    for year, region, field in (("25", None, "tahun"), ("2025x", None, "tahun"),
                                (None, "33", "wilayah"), (None, "99.99", "wilayah")):
        with pytest.raises(ValidationFailed) as refused:
            row_filter(dataset, year, region)
        assert set(refused.value.errors) == {field}


@pytest.mark.parametrize("value", [0, -3])
def test_min_count_below_one_is_a_config_error(value):
    with pytest.raises(ConfigError, match="min_count"):
        load_settings(environ={}, overrides={"open_data.min_count": value})


def test_open_data_settings_come_from_the_environment():
    settings = load_settings(environ={"LAPOR_BRIDGE_OPEN_DATA__MIN_COUNT": "10",
                                      "LAPOR_BRIDGE_OPEN_DATA__CACHE_SECONDS": "60"})
    assert (settings.open_data.min_count, settings.open_data.cache_seconds) == (10, 60.0)
    with pytest.raises(ConfigError, match="cache_seconds"):
        load_settings(environ={}, overrides={"open_data.cache_seconds": -1})


def test_the_dictionary_describes_every_field_of_a_row_in_order():
    assert DatasetRow._fields == FIELD_NAMES
    assert all(field.type and field.meaning for field in FIELDS)
