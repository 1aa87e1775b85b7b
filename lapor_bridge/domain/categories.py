"""Complaint categories: a small fixed list of sub-topics per agency.

A complaint's ``category`` says what it is about inside its agency's domain
("Jalan rusak" at PUPR, "Sampah" at DLH). It comes from outside the classifier:
the demo history draws it from this list; intake leaves it empty until an officer
picks one on the complaint page (a move to another agency clears it), and dashboards
show an empty one as :data:`UNCATEGORISED`.
"""

from __future__ import annotations

UNCATEGORISED = "Tanpa kategori"

CATEGORIES: dict[str, tuple[str, ...]] = {
    "PUPR": ("Jalan rusak", "Drainase dan saluran", "Penerangan jalan umum", "Jembatan"),
    "DLH": ("Sampah", "Pencemaran", "Pohon dan taman"),
    "DINSOS": ("Bantuan sosial", "Data DTKS", "Orang terlantar"),
    "DISHUB": ("Parkir", "Lampu lalu lintas", "Angkutan umum"),
    "DISDUKCAPIL": ("KTP elektronik", "Kartu keluarga", "Akta"),
    "DINKES": ("Puskesmas", "BPJS Kesehatan", "Demam berdarah"),
    "DISDIK": ("PPDB", "Sekolah", "Pungutan sekolah"),
    "PDAM": ("Air mati", "Kebocoran pipa", "Tagihan air"),
    "SATPOLPP": ("PKL", "Bangunan liar", "Ketertiban umum"),
    "DPMPTSP": ("Perizinan usaha", "PBG/IMB"),
}


def categories_of(agency_code: str) -> tuple[str, ...]:
    """The categories an agency files its complaints under (none for triage and others)."""
    return CATEGORIES.get(agency_code, ())


def label(category: str | None) -> str:
    """The category as shown: itself, or :data:`UNCATEGORISED` when empty."""
    return category or UNCATEGORISED
