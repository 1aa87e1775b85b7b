"""Two neighbours of the demo region for the dashboards' history: Kabupaten Tegal and Brebes.

BPS codes and a few real kecamatan with some of their kelurahan/desa each (not
complete lists). Agencies follow the demo region's codes; the names are the usual
nomenclature, not checked one by one against each Perda.
"""

from __future__ import annotations

from lapor_bridge import demo_region
from lapor_bridge.domain.routing import STANDARD_TABLE

# (code, name, kind) -> {kecamatan: [kelurahan/desa, ...]}
REGIONS = {
    ("33.28", "Kabupaten Tegal", "kabupaten"): {
        "Slawi": ["Slawi Kulon", "Slawi Wetan", "Procot", "Kagok", "Kalisapu", "Pakembaran"],
        "Adiwerna": ["Adiwerna", "Ujungrusi", "Pagiyanten", "Kalimati", "Lemahduwur"],
        "Talang": ["Talang", "Pesayangan", "Kajen", "Pegirikan", "Tegalwangi"],
    },
    ("33.29", "Kabupaten Brebes", "kabupaten"): {
        "Brebes": ["Brebes", "Pasarbatang", "Limbangan Wetan", "Gandasuli", "Pulosari",
                   "Randusanga Wetan"],
        "Bumiayu": ["Bumiayu", "Kalierang", "Kalinusu", "Adisana", "Penggarutan"],
        "Wanasari": ["Wanasari", "Siasem", "Dumeling", "Klampis", "Jagalempeni"],
    },
}

# Their own agencies besides the demo region's codes: (code, name, is_triage).
EXTRA_AGENCIES = {
    "33.29": [("DPRKP", "Dinas Perumahan Rakyat dan Kawasan Permukiman Kabupaten Brebes",
               False)],
}

# Their routing tables split the work differently from the city's (demo_region.ROUTING):
# street lights are public works' in both kabupaten, and Brebes gives parks, cemeteries
# and housing to its housing and settlements office.
ROUTING = {
    "33.28": {**STANDARD_TABLE, "pju": "PUPR"},
    "33.29": {**STANDARD_TABLE, "pju": "PUPR", "taman": "DPRKP", "pemakaman": "DPRKP",
              "rumah_layak": "DPRKP"},
}

# Regional admins of the neighbours (username per region code); password as the demo's.
ADMINS = {"33.28": "admin.kabtegal", "33.29": "admin.brebes"}


def agencies(region_code: str, region_name: str) -> list[tuple[str, str, bool]]:
    """(code, name, is_triage) of a neighbour's agencies, named after its region."""
    found = []
    for code, name, is_triage in demo_region.AGENCIES:
        if code == "PDAM":
            name = f"Perumda Air Minum {region_name}"
        elif is_triage:
            name = f"Antrean Verifikasi Admin {region_name}"
        else:
            name = name.replace("Kota Tegal", region_name)
        found.append((code, name, is_triage))
    return found + EXTRA_AGENCIES.get(region_code, [])
