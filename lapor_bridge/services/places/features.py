"""Reading a boundary file: a GeoJSON FeatureCollection of kelurahan/desa polygons.

Property names differ by publisher (BIG/Geoportal ``KDEPUM``/``WADMKD``/``WADMKC``, BPS
``iddesa``/``nmdesa``/``nmkec``, a GIS office's ``kode_desa``/``desa``/``kecamatan``…);
each is looked up case-insensitively from a list of candidates the caller may replace.
Codes are normalised to the dotted Kemendagri form (``3376011001`` → ``33.76.01.1001``).

A file is refused whole (:class:`ValidationFailed`, key ``file``) when it is not a
FeatureCollection or when any feature's coordinates are not longitude/latitude WGS84
inside Indonesia (swapped axes, projected metres); a feature that is not a polygon, or
whose polygon cannot be repaired with ``shapely.make_valid``, is only set aside.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import shape

from lapor_bridge.services.errors import ValidationFailed
from lapor_bridge.services.places.coordinates import Axes, classify
from lapor_bridge.translations import Message

CODE_KEYS = ("KDEPUM", "kode_desa", "kode_kel", "kd_desa", "iddesa", "kode", "code")
NAME_KEYS = ("WADMKD", "NAMOBJ", "nama_desa", "nama_kel", "nmdesa", "desa", "kelurahan",
             "nama", "name")
KECAMATAN_KEYS = ("WADMKC", "kecamatan", "nama_kec", "nmkec")
REGION_KEYS = ("WADMKK", "kabupaten_kota", "kab_kota", "kabupaten", "kota", "nmkab")
LON_LAT_CRS = {"urn:ogc:def:crs:ogc:1.3:crs84", "urn:ogc:def:crs:epsg::4326", "epsg:4326",
               "crs84"}
POLYGONAL = {"Polygon", "MultiPolygon"}


@dataclass(frozen=True)
class PropertyKeys:
    """Which properties hold a feature's code, name, kecamatan and kab/kota, in order of
    preference (compared without regard to case)."""

    code: tuple[str, ...] = CODE_KEYS
    name: tuple[str, ...] = NAME_KEYS
    kecamatan: tuple[str, ...] = KECAMATAN_KEYS
    region: tuple[str, ...] = REGION_KEYS


@dataclass
class Feature:
    """One kelurahan/desa of the file; ``geometry`` is 2D and valid, or None (``problem``
    says why)."""

    number: int  # 1-based position in the file
    code: str | None
    name: str | None
    kecamatan: str | None
    region_name: str | None
    geometry: shapely.Geometry | None
    problem: str | None = None
    repaired: bool = False

    @property
    def label(self) -> str:
        """How a report names the feature: position, code, kecamatan / name."""
        place = " / ".join(part for part in (self.kecamatan, self.name) if part)
        return " ".join(part for part in (f"#{self.number}", self.code, place or "?") if part)


def read_features(text: str, keys: PropertyKeys = PropertyKeys()) -> list[Feature]:
    """The file's features with valid 2D geometries; raises ``ValidationFailed`` (key
    ``file``) when the file as a whole cannot be used."""
    try:
        document = json.loads(text)
    except ValueError as exc:
        raise _refused(Message("Berkas bukan JSON yang sah: {error}.", error=str(exc))) from exc
    if not (isinstance(document, dict) and document.get("type") == "FeatureCollection"
            and isinstance(document.get("features"), list)):
        raise _refused(Message("Berkas harus berupa GeoJSON FeatureCollection."))
    _check_crs(document.get("crs"))
    if not document["features"]:
        raise _refused(Message("Berkas tidak berisi fitur."))
    features = [_feature(number, raw, keys)
                for number, raw in enumerate(document["features"], start=1)]
    _check_axes([feature for feature in features if feature.geometry is not None])
    _repair([feature for feature in features if feature.geometry is not None])
    return features


def normalise_code(value: object) -> str | None:
    """A kelurahan/desa code in dotted Kemendagri form, or None when it is not one."""
    if value is None or isinstance(value, bool):
        return None
    digits = re.sub(r"\D", "", str(value))
    if len(digits) != 10:
        return None
    return f"{digits[:2]}.{digits[2:4]}.{digits[4:6]}.{digits[6:]}"


def _feature(number: int, raw: object, keys: PropertyKeys) -> Feature:
    raw = raw if isinstance(raw, dict) else {}
    properties = raw.get("properties") if isinstance(raw.get("properties"), dict) else {}
    lowered = {str(key).lower(): value for key, value in properties.items()}
    feature = Feature(number, normalise_code(_first(lowered, keys.code)),
                      _text(_first(lowered, keys.name)), _text(_first(lowered, keys.kecamatan)),
                      _text(_first(lowered, keys.region)), None)
    geometry = raw.get("geometry")
    if not isinstance(geometry, dict) or geometry.get("type") not in POLYGONAL:
        feature.problem = Message("bukan Polygon atau MultiPolygon")
        return feature
    try:
        feature.geometry = shapely.force_2d(shape(geometry))
    except (ValueError, TypeError, KeyError, IndexError, AttributeError,
            shapely.errors.ShapelyError):
        feature.problem = Message("koordinat poligon tidak terbaca")
    else:
        if feature.geometry.is_empty:
            feature.geometry, feature.problem = None, Message("poligon kosong")
    return feature


def _first(properties: dict, keys: tuple[str, ...]):
    for key in keys:
        value = properties.get(key.lower())
        if value not in (None, ""):
            return value
    return None


def _text(value) -> str | None:
    if value is None:
        return None
    return " ".join(str(value).split()) or None


def _check_crs(crs) -> None:
    if not isinstance(crs, dict):
        return
    name = str((crs.get("properties") or {}).get("name", ""))
    if name and name.lower() not in LON_LAT_CRS:
        raise _refused(Message(
            "Sistem koordinat {crs} tidak didukung; simpan berkas dalam bujur/lintang "
            "WGS84 (EPSG:4326).", crs=name))


def _check_axes(features: list[Feature]) -> None:
    """Every polygon must lie in Indonesia, longitude first; the first that does not
    refuses the file, with what it looks like."""
    if not features:
        return
    bounds = shapely.bounds(np.array([feature.geometry for feature in features]))
    for feature, box in zip(features, bounds, strict=True):
        axes = classify(*box)
        if axes is Axes.LON_LAT:
            continue
        if axes is Axes.SWAPPED:
            message = Message("Fitur {feature}: koordinat tampak tertukar (lintang dulu); "
                              "GeoJSON memakai urutan bujur, lintang.", feature=feature.label)
        elif axes is Axes.PROJECTED:
            message = Message("Fitur {feature}: koordinat tampak dalam meter (proyeksi "
                              "seperti UTM), bukan bujur/lintang WGS84; simpan ulang berkas "
                              "dalam EPSG:4326.", feature=feature.label)
        else:
            message = Message("Fitur {feature}: koordinat di luar wilayah Indonesia.",
                              feature=feature.label)
        raise _refused(message)


def _repair(features: list[Feature]) -> None:
    """Invalid polygons go through ``make_valid``; what is left of them must be polygonal."""
    geometries = np.array([feature.geometry for feature in features])
    for index in np.flatnonzero(~shapely.is_valid(geometries)):
        feature = features[index]
        parts = shapely.get_parts(shapely.make_valid(feature.geometry))
        polygons = parts[np.isin(shapely.get_type_id(parts), (3, 6))]  # Polygon, MultiPolygon
        repaired = shapely.union_all(polygons) if len(polygons) else None
        if repaired is None or repaired.is_empty or repaired.geom_type not in POLYGONAL:
            feature.geometry, feature.problem = None, Message(
                "geometri rusak dan tidak dapat diperbaiki")
        else:
            feature.geometry, feature.repaired = repaired, True


def _refused(message: str) -> ValidationFailed:
    return ValidationFailed({"file": message})
