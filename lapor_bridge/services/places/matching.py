"""Which kelurahan/desa of ours a boundary feature is: by code first, then by name.

A feature's Kemendagri code finds the place that has it. Without a known code, the
(kecamatan, kelurahan) names are compared normalised — case, spacing and punctuation
ignored, "Kelurahan"/"Desa"/"Kecamatan" prefixes dropped — within the kab/kota the
code names when there is one; a name shared by several places (no kecamatan in the
file, or the same names in two kab/kota) is narrowed by the file's kab/kota name, and
left unmatched when still ambiguous. A place matched by name learns the feature's code
(and its kecamatan the code's first three parts) unless it already has another.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from typing import NamedTuple

from lapor_bridge.services.places.features import Feature
from lapor_bridge.translations import Message

VILLAGE_PREFIX = re.compile(r"^(kelurahan|kel|desa|ds)\b")
DISTRICT_PREFIX = re.compile(r"^(kecamatan|kec)\b")
REGION_PREFIX = re.compile(r"^(kabupaten|kab)\b")


class PlaceRow(NamedTuple):
    """A kelurahan/desa of the import's scope, with its kecamatan and kab/kota."""

    village_id: int
    name: str
    code: str | None
    district_id: int
    district_name: str
    district_code: str | None
    region_code: str
    region_name: str

    @property
    def label(self) -> str:
        """How a report names the place."""
        return f"{self.region_name}: {self.district_name} / {self.name}"


def name_key(name: str | None, prefix: re.Pattern = VILLAGE_PREFIX) -> str:
    """``name`` for comparison: case folded, prefix dropped, only letters and digits."""
    text = unicodedata.normalize("NFKC", name or "").casefold()
    text = " ".join(re.sub(r"[\W_]+", " ", text).split())
    return re.sub(r"\s+", "", prefix.sub("", text))


class Matcher:
    """Finds the place of each feature among ``places`` and remembers codes learned."""

    def __init__(self, places: list[PlaceRow]) -> None:
        self.by_code = {place.code: place for place in places if place.code}
        self.by_names: dict[tuple[str, str], list[PlaceRow]] = defaultdict(list)
        self.by_name: dict[str, list[PlaceRow]] = defaultdict(list)
        for place in places:
            key = name_key(place.name)
            self.by_names[name_key(place.district_name, DISTRICT_PREFIX), key].append(place)
            self.by_name[key].append(place)
        self.village_codes: dict[int, str] = {}
        self.district_codes: dict[int, str] = {}

    def find(self, feature: Feature) -> tuple[PlaceRow | None, str]:
        """(place, "code" | "name"), or (None, why not)."""
        code = feature.code
        if code and code in self.by_code:
            return self.by_code[code], "code"
        if feature.kecamatan:
            candidates = self.by_names.get(
                (name_key(feature.kecamatan, DISTRICT_PREFIX), name_key(feature.name)), [])
        else:
            candidates = self.by_name.get(name_key(feature.name), [])
        if code:
            candidates = [place for place in candidates if place.region_code == code[:5]]
        if len(candidates) > 1 and feature.region_name:
            wanted = name_key(feature.region_name, REGION_PREFIX)
            candidates = [place for place in candidates
                          if name_key(place.region_name, REGION_PREFIX) == wanted]
        if not candidates:
            return None, Message("tidak ada kelurahan/desa dengan kode atau nama ini")
        if len(candidates) > 1:
            return None, Message("namanya cocok dengan {count} tempat; beri kode atau "
                                 "nama kecamatan", count=len(candidates))
        place = candidates[0]
        known = self.village_codes.get(place.village_id, place.code)
        if code and known and known != code:
            return None, Message("kodenya berbeda dengan kode tercatat {code}", code=known)
        if code:
            self._learn(place, code)
        return place, "name"

    def _learn(self, place: PlaceRow, code: str) -> None:
        if place.code is None:
            self.village_codes[place.village_id] = code
            self.by_code[code] = place
        if place.district_code is None:
            self.district_codes.setdefault(place.district_id, code[:8])
