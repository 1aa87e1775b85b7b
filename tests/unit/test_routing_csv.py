"""``routing_table.parse_csv``: the CSV of ``lapor-bridge routing import``."""

from __future__ import annotations

import pytest

from lapor_bridge.services.errors import ValidationFailed
from lapor_bridge.services.intake.routing_table import parse_csv


def test_lines_become_category_to_agency_with_empty_as_triage():
    text = "category,agency\njalan,PUPR\npju, DISHUB \n\nsampah,\n lainnya ,\n"
    assert parse_csv(text) == {"jalan": "PUPR", "pju": "DISHUB", "sampah": None,
                               "lainnya": None}


def test_crlf_line_ends_a_missing_agency_cell_and_extra_columns_are_read():
    assert parse_csv("category,agency,catatan\r\njalan,PUPR,jalan rusak\r\npju\r\n") == {
        "jalan": "PUPR", "pju": None}


def test_a_byte_order_mark_is_ignored():
    assert parse_csv("\ufeffcategory,agency\njalan,PUPR\n") == {"jalan": "PUPR"}


def test_a_header_only_file_changes_nothing():
    assert parse_csv("category,agency\n") == {}


@pytest.mark.parametrize("text", [
    "", "\n", "kategori,instansi\njalan,PUPR\n", "agency,category\nPUPR,jalan\n",
    "category\njalan\n",
])
def test_another_header_is_refused(text):
    with pytest.raises(ValidationFailed) as refused:
        parse_csv(text)
    assert "category,agency" in refused.value.errors["csv"]


@pytest.mark.parametrize(("text", "line"), [
    ("category,agency\njalan,PUPR\npju,DISHUB\njalan,DLH\n", 4),
    ("category,agency\njalan,PUPR\n ,DLH\n", 3),
])
def test_a_repeated_or_empty_category_is_refused_with_its_line(text, line):
    with pytest.raises(ValidationFailed) as refused:
        parse_csv(text)
    assert f"Baris {line}:" in refused.value.errors["csv"]
