"""``/data/`` over HTTP: the pages, CSV and JSON with the same rows, filters and their
400s, ETag/304 and Cache-Control, the DCAT catalogue whose addresses resolve, the
rate limit. Each test runs on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
from urllib.parse import urlsplit

import pytest

from lapor_bridge.services.open_data.dictionary import FIELD_NAMES, FIELDS
from tests.dashboard.conftest import wib

SURABAYA = {"region_code": "35.78", "kecamatan": "Genteng", "kelurahan": "Embong Kaliasin"}


@pytest.fixture
def two_years(ctx, desk, other_province):
    """Five DLH complaints in Kota Tegal in December 2025 and January 2026, and five in
    Kota Surabaya in January 2026: three rows at the default k = 5."""
    for moment, fields in ((wib(2025, 12, 1, 9), {}), (wib(2026, 1, 5, 9), {}),
                           (wib(2026, 1, 6, 9), SURABAYA)):
        desk.at(moment)
        for _ in range(5):
            desk.file("DLH", **fields)
    desk.at(wib(2026, 1, 20, 9)).refresh()


def csv_rows(response) -> list[dict]:
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/csv"
    text = response.get_data().decode("utf-8")
    assert not text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_and_json_carry_the_same_rows(client, two_years):
    table = csv_rows(client.get("/data/pengaduan.csv"))
    document = client.get("/data/pengaduan.json").json
    assert len(table) == document["row_count"] == 3
    assert list(table[0]) == list(FIELD_NAMES) == document["fields"]
    assert table == [{name: "" if value is None else str(value) for name, value in row.items()}
                     for row in document["rows"]]
    assert document["rows"][0]["diterima"] == 5
    assert document["min_count"] == 5 and document["licence"] == "CC BY 4.0"
    assert document["generated_at"] == document["data_as_of"] == "2026-01-20T09:00:00+07:00"
    assert document["dictionary"] == "http://localhost/data/kamus"


@pytest.mark.parametrize(("query", "expected"), [
    ("", [("33.76", "2025-12"), ("33.76", "2026-01"), ("35.78", "2026-01")]),
    ("?tahun=2026", [("33.76", "2026-01"), ("35.78", "2026-01")]),
    ("?wilayah=35.78", [("35.78", "2026-01")]),
    ("?tahun=2025&wilayah=33.76", [("33.76", "2025-12")]),
    ("?tahun=2024", []),
])
def test_filters_pick_rows(client, two_years, query, expected):
    table = csv_rows(client.get(f"/data/pengaduan.csv{query}"))
    assert [(row["wilayah_kode"], row["bulan"]) for row in table] == expected
    document = client.get(f"/data/pengaduan.json{query}").json
    assert [(row["wilayah_kode"], row["bulan"]) for row in document["rows"]] == expected


@pytest.mark.parametrize(("query", "field"), [
    ("tahun=dua", "tahun"), ("tahun=20261", "tahun"), ("tahun=-1", "tahun"),
    ("wilayah=33", "wilayah"), ("wilayah=99.99", "wilayah"), ("wilayah=%00", "wilayah"),
])
def test_bad_filters_answer_400_with_the_reason(client, two_years, query, field):
    for path in ("/data/pengaduan.csv", "/data/pengaduan.json"):
        response = client.get(f"{path}?{query}")
        assert response.status_code == 400
        error = response.json["error"]
        assert error["code"] == "invalid_filter" and list(error["fields"]) == [field]


def test_etag_gives_304_and_cache_control_is_public(client, two_years):
    for path in ("/data/pengaduan.csv", "/data/pengaduan.json", "/data/dcat.json", "/data/",
                 "/data/kamus"):
        first = client.get(path)
        etag = first.headers["ETag"]
        assert first.status_code == 200 and etag
        assert first.cache_control.public and first.cache_control.max_age == 600
        again = client.get(path, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.get_data() == b""
        assert again.headers["ETag"] == etag
        assert client.get(path, headers={"If-None-Match": '"older"'}).status_code == 200
    plain, filtered = (client.get(f"/data/pengaduan.csv{query}").headers["ETag"]
                       for query in ("", "?tahun=2026"))
    assert plain != filtered


def test_a_new_computation_with_new_figures_gets_a_new_etag(open_app, desk, two_years):
    client = open_app(cache_seconds=0).test_client()
    before = client.get("/data/pengaduan.csv")
    number = desk.at(wib(2026, 1, 21, 9)).file("DLH")
    desk.respond(number)
    desk.resolve(number)
    desk.refresh()
    after = client.get("/data/pengaduan.csv", headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200 and after.headers["ETag"] != before.headers["ETag"]
    assert after.get_data() != before.get_data()


def test_pages_are_private_for_a_logged_in_user(client, login, two_years):
    login("koordinator.jateng")
    page = client.get("/data/")
    assert page.status_code == 200
    assert page.cache_control.private and not page.cache_control.public
    assert client.get("/data/pengaduan.csv").cache_control.public


def test_files_may_be_read_from_any_origin(client, two_years):
    for path in ("/data/pengaduan.csv", "/data/pengaduan.json", "/data/dcat.json"):
        assert client.get(path).headers["Access-Control-Allow-Origin"] == "*"


def test_dcat_catalogue_has_the_harvested_keys_and_its_addresses_resolve(client, two_years):
    catalog = client.get("/data/dcat.json").json
    assert catalog["conformsTo"] == "https://project-open-data.cio.gov/v1.1/schema"
    assert catalog["@id"] == "http://localhost/data/dcat.json"
    (dataset,) = catalog["dataset"]
    assert {"title", "description", "keyword", "modified", "publisher", "contactPoint",
            "identifier", "accessLevel", "license", "spatial", "temporal", "distribution",
            "describedBy", "landingPage"} <= set(dataset)
    assert dataset["accessLevel"] == "public"
    assert dataset["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert dataset["temporal"] == "2025-12-01/2026-01-31"
    assert dataset["spatial"] == "33.76 Kota Tegal; 35.78 Kota Surabaya"
    assert dataset["modified"] == "2026-01-20T09:00:00+07:00"
    assert dataset["contactPoint"]["hasEmail"].startswith("mailto:")
    types = {item["mediaType"]: item["downloadURL"] for item in dataset["distribution"]}
    assert set(types) == {"text/csv", "application/json"}
    for url, media_type in ((dataset["landingPage"], "text/html"),
                            (dataset["describedBy"], "text/html"),
                            (dataset["identifier"], "text/html"),
                            *((url, kind) for kind, url in types.items())):
        parts = urlsplit(url)
        assert (parts.scheme, parts.netloc) == ("http", "localhost"), url
        answer = client.get(parts.path)
        assert answer.status_code == 200 and answer.mimetype == media_type, url


def test_catalogue_addresses_follow_the_request_host(client, two_years):
    catalog = client.get("/data/dcat.json", base_url="https://data.tegalkota.go.id").json
    urls = [catalog["@id"], *(item["downloadURL"] for item in catalog["dataset"][0][
        "distribution"])]
    assert all(url.startswith("https://data.tegalkota.go.id/data/") for url in urls)


def test_landing_page_links_the_files_regions_and_rule(client, two_years):
    page = client.get("/data/").get_data(as_text=True)
    for text in ('href="/data/pengaduan.csv"', 'href="/data/pengaduan.json"',
                 'href="/data/dcat.json"', 'href="/data/kamus"', "Kota Surabaya", "CC BY 4.0",
                 "kurang dari 5 laporan", "20-01-2026 09:00 WIB"):
        assert text in page, text


def test_dictionary_lists_every_field_in_both_languages(client, two_years):
    page = client.get("/data/kamus").get_data(as_text=True)
    assert all(f'id="kolom-{field.name}"' in page for field in FIELDS)
    assert "hari kerja" in page and "3 hari kerja" in page
    english = client.get("/data/kamus?lang=en").get_data(as_text=True)
    assert all(f'id="kolom-{field.name}"' in english for field in FIELDS)
    assert 'lang="en"' in english


def test_an_empty_instance_publishes_an_empty_dataset(client):
    assert csv_rows(client.get("/data/pengaduan.csv")) == []
    assert client.get("/data/pengaduan.json").json["rows"] == []
    assert "temporal" not in client.get("/data/dcat.json").json["dataset"][0]
    assert client.get("/data/").status_code == 200


def test_requests_are_rate_limited_per_address(open_app):
    client = open_app(rate_limit="3 per minute").test_client()
    answers = [client.get("/data/pengaduan.csv").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    other = client.get("/data/pengaduan.csv", environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code == 200

