"""The demo region: Kota Tegal, Provinsi Jawa Tengah, with its OPD and wilayah."""

from __future__ import annotations

from lapor_bridge.domain.routing import STANDARD_TABLE

PROVINCE = ("33", "Provinsi Jawa Tengah", "provinsi")
REGION = ("33.76", "Kota Tegal", "kota")

KECAMATAN = {
    "Tegal Barat": [
        "Debong Lor", "Kemandungan", "Kraton", "Muarareja", "Pekauman",
        "Pesurungan Kidul", "Tegalsari",
    ],
    "Tegal Timur": ["Kejambon", "Mangkukusuman", "Mintaragen", "Panggung", "Slerok"],
    "Tegal Selatan": [
        "Bandung", "Debong Kidul", "Debong Kulon", "Debong Tengah", "Kalinyamat Wetan",
        "Keturen", "Randugunting", "Tunon",
    ],
    "Margadana": [
        "Cabawan", "Kaligangsa", "Kalinyamat Kulon", "Krandon", "Margadana",
        "Pesurungan Lor", "Sumurpanggang",
    ],
}

# (code, name, is_triage)
AGENCIES = [
    ("PUPR", "Dinas Pekerjaan Umum dan Penataan Ruang Kota Tegal", False),
    ("DINKES", "Dinas Kesehatan Kota Tegal", False),
    ("DISDIK", "Dinas Pendidikan dan Kebudayaan Kota Tegal", False),
    ("DISDUKCAPIL", "Dinas Kependudukan dan Pencatatan Sipil Kota Tegal", False),
    ("DLH", "Dinas Lingkungan Hidup Kota Tegal", False),
    ("DISHUB", "Dinas Perhubungan Kota Tegal", False),
    ("SATPOLPP", "Satuan Polisi Pamong Praja Kota Tegal", False),
    ("PDAM", "Perumda Air Minum Tirta Bahari Kota Tegal", False),
    ("DINSOS", "Dinas Sosial Kota Tegal", False),
    ("DPMPTSP", "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu Kota Tegal", False),
    ("TRIAGE", "Antrean Verifikasi Admin Kota Tegal", True),
]

# The city's routing table: the standard split (street lights to Dishub, as in the
# starter data); the two neighbours differ (demo_neighbours.ROUTING).
ROUTING = STANDARD_TABLE

# SP4N-LAPOR! instansi ids of the agencies (the simulator's seeded master list; a real
# deployment maps its own on the admin page). TRIAGE is the Pemkot level.
LAPOR_INSTITUTIONS = {
    "PUPR": "1002", "DLH": "1003", "DINKES": "1004", "DISDIK": "1005", "DISHUB": "1006",
    "DISDUKCAPIL": "1007", "DINSOS": "1008", "SATPOLPP": "1010", "DPMPTSP": "1013",
    "PDAM": "1018", "TRIAGE": "1001",
}

DEMO_PASSWORD = "tegal-demo"  # noqa: S105 - documented demo login, seeded only by seed-demo

# Canned follow-ups seeded for every agency (title, body); officers edit them later.
RESPONSE_TEMPLATES = [
    ("Diterima dan dijadwalkan",
     "Terima kasih atas laporan Anda. Laporan sudah kami terima dan petugas kami akan "
     "meninjau lokasi dalam waktu dekat. Perkembangannya kami sampaikan di sini."),
    ("Sudah ditangani",
     "Terima kasih. Keluhan Anda sudah kami tindak lanjuti di lapangan. Bila masalahnya "
     "masih terjadi, silakan tanggapi laporan ini."),
    ("Mohon keterangan tambahan",
     "Mohon kirimkan alamat lengkap atau patokan lokasi serta foto terbaru agar petugas "
     "kami dapat menindaklanjuti."),
]
