"""The dataset as files: CSV (UTF-8, header row, no BOM) and JSON with its metadata."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import datetime

from lapor_bridge.config import OpenDataSettings
from lapor_bridge.domain.calendar import WIB
from lapor_bridge.services.open_data.dataset import DatasetRow, OpenDataset, RowFilter
from lapor_bridge.services.open_data.dictionary import FIELD_NAMES


def to_csv(rows: Sequence[DatasetRow]) -> bytes:
    """The rows under a header of the field names; an empty median is an empty cell."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(FIELD_NAMES)
    writer.writerows(["" if value is None else value for value in row] for row in rows)
    return buffer.getvalue().encode("utf-8")


def to_document(dataset: OpenDataset, rows: Sequence[DatasetRow], wanted: RowFilter,
                settings: OpenDataSettings, dictionary_url: str) -> dict:
    """The JSON document: metadata, the filter applied, then the rows as objects."""
    return {
        "title": settings.title,
        "publisher": settings.publisher,
        "licence": settings.licence,
        "licence_url": settings.licence_url,
        "dictionary": dictionary_url,
        "generated_at": wib_iso(dataset.generated_at),
        "data_as_of": wib_iso(dataset.data_as_of),
        "min_count": dataset.min_count,
        "filters": {"tahun": wanted.year, "wilayah": wanted.region_code},
        "fields": list(FIELD_NAMES),
        "row_count": len(rows),
        "rows": [row._asdict() for row in rows],
    }


def wib_iso(moment: datetime | None) -> str | None:
    """``moment`` as ISO 8601 in WIB, to the second (None stays None)."""
    return moment.astimezone(WIB).isoformat(timespec="seconds") if moment else None
