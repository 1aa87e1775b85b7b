"""The open dataset: per kab/kota × month × service category × agency, counts and
median working days, computed from ``complaint_cells`` and suppressed below ``min_count``.

A row is the complaints *received* in that month (WIB), as they stand at the last
metrics refresh. A row of fewer than ``min_count`` complaints is left out, and a
median taken over fewer than ``min_count`` durations is published empty, so that no
figure describes fewer than ``min_count`` complaints.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

import numpy as np
from sqlalchemy import select

from lapor_bridge.db.models import Agency, Region
from lapor_bridge.db.models_stats import ComplaintCell as C
from lapor_bridge.domain.categories import label as category_label
from lapor_bridge.domain.dashboard import group_percentiles
from lapor_bridge.services.context import ServiceContext
from lapor_bridge.services.dashboards.cells import RECORD, RESOLVED, STAGE_BITS, fetch_rows, unpack
from lapor_bridge.services.dashboards.refresh import last_refreshed
from lapor_bridge.services.errors import ValidationFailed
from lapor_bridge.translations import Message

MISSED = sum(missed for _, missed in STAGE_BITS.values())
YEAR = re.compile(r"\d{4}")


class DatasetRow(NamedTuple):
    """One published row; the field names are those of the data dictionary."""

    wilayah_kode: str
    wilayah_nama: str
    bulan: str
    kategori_kode: str
    kategori_nama: str
    instansi_kode: str
    instansi_nama: str
    diterima: int
    selesai: int
    selesai_tepat_waktu: int
    median_hari_tanggapan_pertama: float | None
    median_hari_penyelesaian: float | None


@dataclass(frozen=True)
class RowFilter:
    """Which rows a request wants: one year, one kab/kota (None: all)."""

    year: int | None = None
    region_code: str | None = None

    def keeps(self, row: DatasetRow) -> bool:
        """Whether ``row`` is wanted."""
        return ((self.year is None or row.bulan.startswith(f"{self.year:04d}-"))
                and (self.region_code is None or row.wilayah_kode == self.region_code))


@dataclass(frozen=True)
class OpenDataset:
    """One computation of the dataset: the rows, the kab/kota of the instance (code →
    name), when it was computed and how fresh the metrics were, and a fingerprint of
    all of it (for ETags)."""

    rows: tuple[DatasetRow, ...]
    regions: dict[str, str]
    min_count: int
    generated_at: datetime
    data_as_of: datetime | None
    fingerprint: str

    def select(self, wanted: RowFilter) -> list[DatasetRow]:
        """The rows ``wanted`` keeps, in the dataset's order."""
        return [row for row in self.rows if wanted.keeps(row)]

    @property
    def published_regions(self) -> dict[str, str]:
        """The kab/kota with at least one published row (code → name)."""
        codes = {row.wilayah_kode for row in self.rows}
        return {code: name for code, name in self.regions.items() if code in codes}

    @property
    def months(self) -> tuple[str, str] | None:
        """The first and last month with a published row (None: no rows)."""
        months = sorted({row.bulan for row in self.rows})
        return (months[0], months[-1]) if months else None


def build_dataset(ctx: ServiceContext, min_count: int) -> OpenDataset:
    """Compute the dataset from the cells of every kab/kota (one statement for the cells)."""
    generated_at = ctx.clock()
    with ctx.read() as session:
        regions = {row.id: (row.code, row.name) for row in session.execute(
            select(Region.id, Region.code, Region.name).where(Region.kind != "provinsi"))}
        agencies = {row.id: (row.code, row.name) for row in session.execute(
            select(Agency.id, Agency.code, Agency.name))}
        cells = fetch_rows(session, select(C.categories, C.records, C.region_id, C.month)
                           .join(Region, Region.id == C.region_id)
                           .where(Region.kind != "provinsi")
                           .order_by(C.region_id, C.month))
    rows = tuple(sorted(_published_rows(cells, regions, agencies, min_count),
                        key=lambda row: (row.wilayah_kode, row.bulan, row.kategori_kode,
                                         row.instansi_kode)))
    data_as_of = last_refreshed(ctx)
    kab_kota = dict(sorted(regions.values()))
    return OpenDataset(rows, kab_kota, min_count, generated_at, data_as_of,
                       _fingerprint(rows, min_count, generated_at, data_as_of))


def row_filter(dataset: OpenDataset, year: str | None, region_code: str | None) -> RowFilter:
    """The filter of ``?tahun=`` and ``?wilayah=``; refuses a malformed year or a code that
    is no kab/kota of this instance."""
    errors = {}
    if year is not None and not YEAR.fullmatch(year):
        errors["tahun"] = Message("Tahun harus empat angka, misalnya 2025.")
    if region_code is not None and region_code not in dataset.regions:
        errors["wilayah"] = Message(
            "Kode wilayah tidak dikenal; gunakan kode kabupaten/kota yang tercantum di /data/.")
    if errors:
        raise ValidationFailed(errors)
    return RowFilter(int(year) if year is not None else None, region_code)


def _published_rows(cells: list[tuple], regions: dict, agencies: dict, min_count: int):
    """The published rows of the fetched cells: grouped by cell (kab/kota and month),
    agency and category; rows under ``min_count`` left out, thin medians emptied."""
    names: dict[str, int] = {}
    records, cell, category = unpack(cells, 1, RECORD, names)
    agency = records["agency"].astype(np.int64)
    # One int64 key per (cell, agency, category): np.unique on it is ~20× faster than on
    # the three columns (axis=1) at a million complaints.
    agency_span, category_span = int(agency.max(initial=0)) + 1, len(names) or 1
    keys, group = np.unique((cell * agency_span + agency) * category_span + category,
                            return_inverse=True)
    group, size = group.reshape(-1), len(keys)
    key_cell, rest = np.divmod(keys, agency_span * category_span)
    key_agency, key_category = np.divmod(rest, category_span)
    flags = records["flags"]
    resolved = (flags & RESOLVED) != 0
    counts = [np.bincount(group, minlength=size),
              np.bincount(group, weights=resolved, minlength=size),
              np.bincount(group, weights=resolved & ((flags & MISSED) == 0), minlength=size)]
    medians = [_medians(records[column], group, size, min_count)
               for column in ("first_response", "resolution")]
    codes = list(names)
    for index in np.flatnonzero(counts[0] >= min_count):
        cell_index, agency_id, category_index = (
            int(column[index]) for column in (key_cell, key_agency, key_category))
        region_code, region_name = regions[cells[cell_index][2]]
        agency_code, agency_name = agencies[agency_id]
        category_code = codes[category_index]
        yield DatasetRow(
            region_code, region_name, cells[cell_index][3].strftime("%Y-%m"), category_code,
            category_label(category_code), agency_code, agency_name,
            *(int(count[index]) for count in counts),
            *(median[index] for median in medians))


def _medians(values: np.ndarray, group: np.ndarray, size: int,
             min_count: int) -> list[float | None]:
    """Per group the median of the values present, to two decimals; None when fewer than
    ``min_count`` are present."""
    present = ~np.isnan(values)
    (table,) = group_percentiles(values[present], [(group[present], size)], (0.5,))
    enough = np.bincount(group[present], minlength=size) >= min_count
    return [round(float(median), 2) if ok else None
            for median, ok in zip(table[0], enough, strict=True)]


def _fingerprint(rows: tuple[DatasetRow, ...], min_count: int, generated_at: datetime,
                 data_as_of: datetime | None) -> str:
    """A digest of everything a response is made of."""
    text = json.dumps([min_count, generated_at.isoformat(),
                       data_as_of.isoformat() if data_as_of else None, rows])
    return hashlib.sha256(text.encode()).hexdigest()
