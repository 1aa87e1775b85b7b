"""The topic → category map of the shared data, routing tables and sums per agency."""

import csv
from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import f1_score

from classifiers.categories import (
    OTHER,
    TOPIC_MAP,
    TRIAGE,
    agency_matrix,
    categories_of_agencies,
    category_of_topic,
    load_topic_map,
    majority_table,
    read_routing_table,
    topic_labeller,
)
from classifiers.standard_split import standard_split
from lapor_bridge.domain import categories as domain

DATA = (
    Path(__file__).resolve().parents[2].parent / "shared" / "data" / "surabaya_complaints_2022.csv"
)
SKIP = f"real-data topic map test skipped: {DATA} is absent"


def _write(path, header, rows):
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def test_every_category_of_the_map_is_on_the_list():
    mapping = load_topic_map()
    assert set(mapping.values()) <= set(domain.CODES)
    assert OTHER == domain.OTHER
    # every code is used but water bills and floods proper, which Surabaya's topics do not
    # name apart (under "Pelayanan PDAM" and waterlogging): the map is not a few buckets
    assert set(domain.CODES) - set(mapping.values()) == {"tagihan_air", "banjir"}


def test_catch_all_topics_are_other_and_the_empty_topic_depends_on_the_unit():
    mapping = load_topic_map()
    for topic in ("Permasalahan Kewilayahan Kelurahan", "Permasalahan Kewilayahan Kecamatan",
                  "Surat Masuk Untuk Walikota"):
        assert category_of_topic(mapping, topic) == OTHER
    assert category_of_topic(mapping, "", "Satuan Polisi Pamong Praja") == "ketertiban"
    assert category_of_topic(mapping, "", "Dinas Lingkungan Hidup") == "pju"
    assert category_of_topic(mapping, "", "a unit never seen") == OTHER
    # by meaning, not by the agency that handled it
    assert category_of_topic(mapping, "Beasiswa Mahasiswa") == "beasiswa"
    assert category_of_topic(mapping, "Informasi Program Indonesia Pintar (PIP/KIP) SD") == (
        "bantuan_siswa")
    assert category_of_topic(mapping, "PBG (Persetujuan Bangunan Gedung)") == "izin_bangunan"
    assert category_of_topic(mapping, "Monitoring Berkas UPTSA") == "perizinan"


def test_lookup_prefers_the_unit_group_entry(tmp_path):
    path = _write(tmp_path / "map.csv", ("topic", "unit_group", "category"), [
        ("Non Teknis", "", "lainnya"),
        ("Non Teknis", "Dinas Sumber Daya Air", "jalan"),
        ("PJU", "", "pju"),
    ])
    mapping = load_topic_map(path)
    assert category_of_topic(mapping, "Non Teknis", "Dinas Sumber Daya Air") == "jalan"
    assert category_of_topic(mapping, "Non Teknis", "Dinas Sosial") == "lainnya"
    assert category_of_topic(mapping, " PJU ", "Dinas Perhubungan") == "pju"
    assert category_of_topic(mapping, "Topik baru") is None
    label = topic_labeller(mapping)
    assert label({"topic": "Non Teknis", "unit_group": "Dinas Sumber Daya Air"}) == "jalan"
    with pytest.raises(KeyError, match="Topik baru"):
        label({"topic": "Topik baru", "unit_group": ""})


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([("A", "", "jalan"), ("A", "", "pju")], "twice"),
        ([("A", "", "")], "no category"),
    ],
)
def test_a_bad_map_is_refused(tmp_path, rows, message):
    path = _write(tmp_path / "map.csv", ("topic", "unit_group", "category"), rows)
    with pytest.raises(ValueError, match=message):
        load_topic_map(path)


def test_map_file_has_its_three_columns_and_no_duplicate_rows():
    with TOPIC_MAP.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        assert next(reader) == ["topic", "unit_group", "category"]
        keys = [(topic, unit_group) for topic, unit_group, _ in reader]
    assert len(keys) == len(set(keys)) > 300


def test_routing_table_and_agencies_with_one_category(tmp_path):
    path = _write(tmp_path / "table.csv", ("category", "agency"), [
        ("jalan", "PUPR"), ("drainase", "PUPR"), ("air_pdam", "PDAM"), ("pju", "DISHUB"),
        ("", "X"),
    ])
    table = read_routing_table(path)
    assert table == {"jalan": "PUPR", "drainase": "PUPR", "air_pdam": "PDAM", "pju": "DISHUB"}
    known, ambiguous = categories_of_agencies(["PDAM", "PUPR", "DISHUB", "DLH", "PDAM"], table)
    assert known == {"DISHUB": "pju", "PDAM": "air_pdam"}
    assert ambiguous == {"DLH": [], "PUPR": ["drainase", "jalan"]}
    _write(path, ("category", "agency"), [("jalan", "PUPR"), ("jalan", "DISHUB")])
    with pytest.raises(ValueError, match="two agencies"):
        read_routing_table(path)


def test_category_probabilities_are_summed_per_agency_in_a_batch():
    table = {"jalan": "PUPR", "drainase": "PUPR", "pju": "DISHUB"}
    agencies, matrix = agency_matrix(["drainase", "jalan", "lainnya", "pju"], table)
    assert agencies == ["DISHUB", "PUPR", TRIAGE]
    probabilities = np.array([[0.25, 0.3, 0.1, 0.35]])
    assert (probabilities @ matrix)[0].tolist() == pytest.approx([0.35, 0.55, 0.1])


def test_majority_table():
    table = majority_table(["jalan", "jalan", "jalan", "pju", "pju"],
                           ["PUPR", "PUPR", "LAINNYA", "DISHUB", "DLH"])
    assert table == {"jalan": "PUPR", "pju": "DISHUB"}  # a tie goes to the first name


def test_every_topic_of_the_shared_data_has_a_category():
    if not DATA.is_file():
        pytest.skip(SKIP)
    mapping = load_topic_map()
    with DATA.open(newline="", encoding="utf-8") as handle:
        unmapped = {(row["topic"], row["unit_group"]) for row in csv.DictReader(handle)
                    if category_of_topic(mapping, row["topic"], row["unit_group"]) is None}
    assert not unmapped, f"topics without a category: {sorted(unmapped)[:10]}"


def test_confirmed_categories_route_to_the_right_agency():
    """The map's agency consistency: a Surabaya-like table (each category → the majority
    opd of its training rows) sends the test rows' true categories to their agency."""
    if not DATA.is_file():
        pytest.skip(SKIP)
    categories = standard_split(DATA, label_of=topic_labeller(load_topic_map()))
    agencies = standard_split(DATA)
    assert categories.test_texts == agencies.test_texts
    table = majority_table(categories.train_labels, agencies.train_labels)
    routed = [table.get(category, TRIAGE) for category in categories.test_labels]
    accuracy = float(np.mean(np.array(routed) == np.array(agencies.test_labels)))
    macro_f1 = f1_score(agencies.test_labels, routed, average="macro",
                        labels=sorted(set(agencies.test_labels)))
    assert accuracy >= 0.97, f"confirmed-category agency accuracy {accuracy:.4f} < 0.97"
    assert macro_f1 >= 0.95, f"confirmed-category agency macro-F1 {macro_f1:.4f} < 0.95"
