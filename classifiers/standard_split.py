"""The standard split of a dated complaint CSV (see ``../shared/data/README.md``).

Repeated texts are dropped (the first kept); rows dated on or after ``test_from``
form the test set, all others (undated ones included) the training set. For
choices made during development, :func:`validation_split` carves a later-dated
validation set out of the training set so that the test set is looked at once.

Labels are a column of the file (``label_column``), or computed from the whole row
(``label_of``: e.g. the category of the row's topic, see
:func:`classifiers.categories.topic_labeller`). Splitting the same file twice with
different labels gives the same rows in the same order.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

LabelOf = Callable[[Mapping[str, str]], str]

TEST_FROM = "2022-10-01"
VALIDATION_FROM = "2022-08-01"


@dataclass(frozen=True)
class Split:
    """Texts and labels of a training and an evaluation part."""

    train_texts: list[str]
    train_labels: list[str]
    test_texts: list[str]
    test_labels: list[str]


def _dated_rows(
    path: Path, text_column: str, label_column: str, label_of: LabelOf | None
) -> list[tuple[str, str, str]]:
    seen: set[str] = set()
    rows = []
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            text = row[text_column]
            if text in seen:
                continue
            seen.add(text)
            label = label_of(row) if label_of is not None else row[label_column]
            rows.append((row.get("date") or "", text, label))
    return rows


def _split_by_date(rows: list[tuple[str, str, str]], start: str, end: str | None) -> Split:
    def held(date: str) -> bool:
        return bool(date) and date >= start and (end is None or date < end)

    train = [(text, label) for date, text, label in rows if not held(date)]
    test = [(text, label) for date, text, label in rows if held(date)]
    return Split(
        [text for text, _ in train],
        [label for _, label in train],
        [text for text, _ in test],
        [label for _, label in test],
    )


def standard_split(
    path: str | Path,
    text_column: str = "text",
    label_column: str = "opd",
    *,
    label_of: LabelOf | None = None,
) -> Split:
    """Deduplicate, then test = rows dated ``TEST_FROM`` or later, train = the rest."""
    rows = _dated_rows(Path(path), text_column, label_column, label_of)
    return _split_by_date(rows, TEST_FROM, None)


def validation_split(
    path: str | Path,
    text_column: str = "text",
    label_column: str = "opd",
    *,
    label_of: LabelOf | None = None,
) -> Split:
    """The standard training set split again: rows dated from ``VALIDATION_FROM`` up
    to ``TEST_FROM`` are the validation part. The test set is not included."""
    rows = _dated_rows(Path(path), text_column, label_column, label_of)
    rows = [row for row in rows if not (row[0] and row[0] >= TEST_FROM)]
    return _split_by_date(rows, VALIDATION_FROM, TEST_FROM)
