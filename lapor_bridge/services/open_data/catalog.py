"""The dataset's metadata as a DCAT-US 1.1 / Project Open Data ``data.json`` catalogue:
the shape CKAN's DCAT and data.json harvesters read (Satu Data Indonesia portals run
CKAN). One dataset, two distributions (CSV, JSON), the dictionary as ``describedBy``.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass

from lapor_bridge.config import OpenDataSettings
from lapor_bridge.services.open_data.dataset import OpenDataset
from lapor_bridge.services.open_data.files import wib_iso

SCHEMA = "https://project-open-data.cio.gov/v1.1/schema"
DESCRIPTION = (
    "Jumlah pengaduan masyarakat yang diterima dan diselesaikan, jumlah yang selesai "
    "tepat waktu (SLA), serta median hari kerja sampai tanggapan pertama dan sampai "
    "selesai, per kabupaten/kota, bulan, kategori layanan dan instansi. Angka yang "
    "dihitung dari kurang dari {min_count} laporan tidak diterbitkan.")
KEYWORDS = ("pengaduan", "layanan publik", "SP4N-LAPOR!", "SLA", "satu data")


@dataclass(frozen=True)
class CatalogUrls:
    """Absolute addresses of the catalogue, the landing page, dictionary and files."""

    catalog: str
    landing: str
    dictionary: str
    csv: str
    json: str


def dcat_catalog(dataset: OpenDataset, settings: OpenDataSettings, urls: CatalogUrls) -> dict:
    """The ``data.json`` catalogue describing the dataset."""
    entry = {
        "@type": "dcat:Dataset",
        "title": settings.title,
        "description": DESCRIPTION.format(min_count=dataset.min_count),
        "keyword": list(KEYWORDS),
        "modified": wib_iso(dataset.data_as_of or dataset.generated_at),
        "publisher": {"@type": "org:Organization", "name": settings.publisher},
        "contactPoint": {"@type": "vcard:Contact", "fn": settings.contact_name,
                         "hasEmail": f"mailto:{settings.contact_email}"},
        "identifier": urls.landing,
        "accessLevel": "public",
        "license": settings.licence_url,
        "spatial": "; ".join(f"{code} {name}"
                             for code, name in dataset.published_regions.items()),
        "language": ["id"],
        "landingPage": urls.landing,
        "describedBy": urls.dictionary,
        "describedByType": "text/html",
        "distribution": [
            _distribution("CSV", urls.csv, "text/csv", urls.dictionary),
            _distribution("JSON", urls.json, "application/json", urls.dictionary),
        ],
    }
    if temporal := _temporal(dataset):
        entry["temporal"] = temporal
    return {
        "@context": f"{SCHEMA}/catalog.jsonld",
        "@id": urls.catalog,
        "@type": "dcat:Catalog",
        "conformsTo": SCHEMA,
        "describedBy": f"{SCHEMA}/catalog.json",
        "dataset": [entry],
    }


def _distribution(name: str, url: str, media_type: str, dictionary: str) -> dict:
    return {"@type": "dcat:Distribution", "title": name, "format": name,
            "mediaType": media_type, "downloadURL": url, "describedBy": dictionary,
            "describedByType": "text/html"}


def _temporal(dataset: OpenDataset) -> str | None:
    """``first-day/last-day`` of the published months (ISO 8601 interval)."""
    if dataset.months is None:
        return None
    first, last = dataset.months
    year, month = (int(part) for part in last.split("-"))
    return f"{first}-01/{last}-{calendar.monthrange(year, month)[1]:02d}"
