"""Service categories as training targets: the reviewed topic → category map of the
shared data, routing tables (category → agency), and category probabilities summed
per agency.

A category says what a complaint is about (``jalan``, ``pju``…), the same in every
region; each region sends categories to its own agencies through a routing table. The
category codes are those of ``lapor_bridge.domain.categories`` (this package imports
nothing from ``lapor_bridge``; a test keeps :data:`OTHER` and the map's codes on that
list).
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np

TOPIC_MAP = Path(__file__).with_name("topic_categories.csv")
OTHER = "lainnya"
TRIAGE = "TRIAGE"

TopicMap = dict[tuple[str, str], str]


def load_topic_map(path: str | Path = TOPIC_MAP) -> TopicMap:
    """Read a ``topic,unit_group,category`` CSV into ``{(topic, unit_group): category}``.

    ``unit_group`` is blank for a topic whose meaning does not depend on the unit that
    handled it; a non-blank one overrides the blank entry of the same topic.
    """
    mapping: TopicMap = {}
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = {"topic", "unit_group", "category"} - set(reader.fieldnames or ())
        if missing:
            raise ValueError(f"{path}: missing column(s) {sorted(missing)}")
        for line, row in enumerate(reader, start=2):
            key = (row["topic"].strip(), (row["unit_group"] or "").strip())
            category = (row["category"] or "").strip()
            if not category:
                raise ValueError(f"{path}:{line}: no category for topic {key[0]!r}")
            if key in mapping:
                raise ValueError(f"{path}:{line}: topic {key[0]!r} ({key[1]!r}) listed twice")
            mapping[key] = category
    return mapping


def category_of_topic(mapping: Mapping[tuple[str, str], str], topic: str,
                      unit_group: str = "") -> str | None:
    """The category of ``topic`` picked in a complaint handled by ``unit_group``:
    the ``(topic, unit_group)`` entry, else the topic's blank-unit entry, else None."""
    topic, unit_group = (topic or "").strip(), (unit_group or "").strip()
    found = mapping.get((topic, unit_group))
    return found if found is not None else mapping.get((topic, ""))


def topic_labeller(mapping: Mapping[tuple[str, str], str], topic_column: str = "topic",
                   unit_group_column: str = "unit_group") -> Callable[[Mapping[str, str]], str]:
    """A function CSV row → category (for :mod:`classifiers.standard_split`); a row whose
    topic has no category raises ``KeyError``."""
    def label(row: Mapping[str, str]) -> str:
        topic, unit_group = row.get(topic_column) or "", row.get(unit_group_column) or ""
        category = category_of_topic(mapping, topic, unit_group)
        if category is None:
            raise KeyError(f"topic {topic!r} (unit group {unit_group!r}) has no category")
        return category

    return label


def read_routing_table(path: str | Path) -> dict[str, str]:
    """Read a routing table CSV (columns ``category,agency``) into ``{category: agency}``.
    A category listed twice with different agencies is an error."""
    table: dict[str, str] = {}
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = {"category", "agency"} - set(reader.fieldnames or ())
        if missing:
            raise ValueError(f"{path}: missing column(s) {sorted(missing)}")
        for line, row in enumerate(reader, start=2):
            category, agency = (row["category"] or "").strip(), (row["agency"] or "").strip()
            if not category or not agency:
                continue
            if table.get(category, agency) != agency:
                raise ValueError(f"{path}:{line}: category {category!r} sent to two agencies")
            table[category] = agency
    return table


def majority_table(categories: Sequence[str], agencies: Sequence[str]) -> dict[str, str]:
    """Each category → the agency most of its rows went to (a "Surabaya-like" table
    learnt from labelled history, ties to the alphabetically first agency)."""
    counts: dict[str, Counter] = defaultdict(Counter)
    for category, agency in zip(categories, agencies, strict=True):
        counts[category][agency] += 1
    return {category: min(c, key=lambda agency: (-c[agency], agency))
            for category, c in sorted(counts.items())}


def categories_of_agencies(agencies: Iterable[str], table: Mapping[str, str]
                           ) -> tuple[dict[str, str], dict[str, list[str]]]:
    """For an agency-only history: which category each agency's complaints are about.

    Returns ``(known, ambiguous)``: ``known`` maps every agency the ``table`` sends
    exactly one category to onto that category; ``ambiguous`` maps every other agency
    onto the categories it takes (none, or two or more), for which a complaint's
    category cannot be told from its agency.
    """
    taken: dict[str, list[str]] = defaultdict(list)
    for category, agency in table.items():
        taken[agency].append(category)
    known, ambiguous = {}, {}
    for agency in sorted(set(agencies)):
        categories = sorted(taken.get(agency, ()))
        if len(categories) == 1:
            known[agency] = categories[0]
        else:
            ambiguous[agency] = categories
    return known, ambiguous


def agency_matrix(labels: Sequence[str], table: Mapping[str, str]
                  ) -> tuple[list[str], np.ndarray]:
    """``(agencies, M)``: the agencies of ``table`` reached by ``labels`` (plus
    :data:`TRIAGE` for labels the table does not map), and the 0/1 matrix (labels ×
    agencies) that sums category probabilities per agency: ``probabilities @ M``."""
    agency_of = [table.get(label, TRIAGE) for label in labels]
    agencies = sorted(set(agency_of))
    column = {agency: index for index, agency in enumerate(agencies)}
    matrix = np.zeros((len(labels), len(agencies)))
    for row, agency in enumerate(agency_of):
        matrix[row, column[agency]] = 1.0
    return agencies, matrix
