"""Dashboard tables as files: CSV (stdlib) and XLSX (openpyxl).

Cells that a spreadsheet would read as a formula (starting with ``=``, ``+``,
``-``, ``@``) are prefixed with an apostrophe when they are text, so a complaint
title cannot run anything in the reader's spreadsheet.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from lapor_bridge.domain.calendar import WIB

FORMATS = {"csv": "text/csv; charset=utf-8",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Table:
    """A titled table: header names and rows of plain values."""

    name: str
    title: str
    headers: Sequence[str]
    rows: Sequence[Sequence[object]]


def render(table: Table, file_format: str) -> bytes:
    """The table as ``csv`` (UTF-8 with BOM, for spreadsheet programs) or ``xlsx`` bytes."""
    if file_format == "csv":
        return to_csv(table)
    if file_format == "xlsx":
        return to_xlsx(table)
    raise ValueError(f"unknown export format {file_format!r}")


def to_csv(table: Table) -> bytes:
    """CSV bytes with a header row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(table.headers)
    writer.writerows([[_csv_cell(value) for value in row] for row in table.rows])
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(table: Table) -> bytes:
    """XLSX bytes: one sheet, a bold header row, dates and numbers as such."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    sheet = book.create_sheet(table.title[:31])
    bold = Font(bold=True)
    header = []
    for name in table.headers:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in table.rows:
        sheet.append([_xlsx_cell(value) for value in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _safe_text(value: str) -> str:
    return f"'{value}" if value.startswith(_FORMULA_START) else value


def _csv_cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(WIB).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, float):
        return round(value, 3)
    return _safe_text(value) if isinstance(value, str) else value


def _xlsx_cell(value: object) -> object:
    if isinstance(value, datetime):
        return value.astimezone(WIB).replace(tzinfo=None)
    if isinstance(value, date | int | float) or value is None:
        return value
    return _safe_text(str(value))
