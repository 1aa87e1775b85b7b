"""Find an open complaint that a new report probably repeats: recent and open, and either
alike in the same kelurahan or of the same category close by.

Cheap on purpose: one indexed query for the kelurahan's recent open complaints, then
a token Jaccard similarity in Python; when the report has a map point and a category,
one more query for the same category's recent open complaints in a latitude/longitude
box around the point, then the exact (haversine) distance in Python. ``rahasia``
complaints are never offered, nor a federation member's (held here without text; the
resident cannot follow it here).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from lapor_bridge.db.models import Complaint, District, Region, Village
from lapor_bridge.domain.status import OPEN_VALUES, Status
from lapor_bridge.services.context import ServiceContext
from lapor_bridge.services.scope import local_only

CANDIDATE_LIMIT = 200
MIN_TOKEN_LENGTH = 3
STOPWORDS = frozenset({
    "yang", "dan", "di", "ke", "dari", "ini", "itu", "ada", "untuk", "dengan", "karena", "pada",
    "saya", "kami", "kita", "sudah", "belum", "tidak", "juga", "atau", "akan", "sejak",
    "sangat", "telah", "masih", "agar", "bisa", "dapat", "oleh", "para", "tersebut", "mohon",
    "tolong", "sekitar", "depan", "dekat", "warga",
})
TOKEN_RE = re.compile(r"[a-z0-9]+")
EARTH_RADIUS_M = 6_371_008.8
METRES_PER_DEGREE = math.pi * EARTH_RADIUS_M / 180


@dataclass(frozen=True)
class SimilarComplaint:
    """An open complaint close to a new report."""

    tracking_number: str
    title: str
    status: Status
    created_at: datetime
    similarity: float
    distance_m: float | None = None  # set when offered for being close by


def tokens(text: str) -> frozenset[str]:
    """Lower-cased content words of a text (stopwords and very short words dropped)."""
    return frozenset(
        word for word in TOKEN_RE.findall(text.lower())
        if len(word) >= MIN_TOKEN_LENGTH and word not in STOPWORDS
    )


def similarity(first: str, second: str) -> float:
    """Jaccard similarity of the two texts' token sets, 0 to 1."""
    a, b = tokens(first), tokens(second)
    return len(a & b) / len(a | b) if a and b else 0.0


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The great-circle (haversine) distance in metres between two WGS84 points."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    half = (math.sin((phi2 - phi1) / 2) ** 2
            + math.cos(phi1) * math.cos(phi2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2)
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(min(1.0, half)))


def find_similar_open(
    ctx: ServiceContext, text: str, kecamatan: str, kelurahan: str,
    region_code: str | None = None, *, category: str | None = None,
    lat: float | None = None, lon: float | None = None,
) -> SimilarComplaint | None:
    """The open, non-secret complaint a new report probably repeats, if any.

    First the most similar complaint of the same kelurahan whose text similarity reaches
    ``[telegram] duplicate_threshold``; failing that, when ``category`` and the point
    (``lat``, ``lon``) are given, the nearest complaint of that category within
    ``duplicate_radius_m`` metres, whatever its text. Both only within the last
    ``duplicate_window_days`` days.
    """
    settings = ctx.settings.telegram
    since = ctx.clock() - timedelta(days=settings.duplicate_window_days)
    with ctx.read() as session:
        candidates = session.scalars(
            select(Complaint)
            .join(Village, Village.id == Complaint.village_id)
            .join(District, District.id == Village.district_id)
            .join(Region, Region.id == Complaint.region_id)
            .where(
                Region.code == (region_code or ctx.settings.app.region_code),
                func.lower(District.name) == kecamatan.strip().lower(),
                func.lower(Village.name) == kelurahan.strip().lower(),
                *_offerable(since),
            )
            .order_by(Complaint.created_at.desc())
            .limit(CANDIDATE_LIMIT)
        ).all()
    best: SimilarComplaint | None = None
    for complaint in candidates:
        score = similarity(text, f"{complaint.title}\n{complaint.description}")
        if score >= settings.duplicate_threshold and (best is None or score > best.similarity):
            best = SimilarComplaint(complaint.tracking_number, complaint.title,
                                    Status(complaint.status), complaint.created_at, score)
    if best is None and category and lat is not None and lon is not None:
        best = find_nearby_open(ctx, text, category, float(lat), float(lon), since)
    return best


def _offerable(since: datetime):
    """WHERE clauses of a complaint a resident may be offered to follow: open, filed since
    ``since``, not ``rahasia``, this instance's own."""
    return (Complaint.created_at >= since, Complaint.status.in_(OPEN_VALUES),
            Complaint.is_secret.is_(False), local_only())


def find_nearby_open(
    ctx: ServiceContext, text: str, category: str, lat: float, lon: float, since: datetime,
) -> SimilarComplaint | None:
    """The nearest open, non-secret complaint of ``category`` filed since ``since`` within
    ``[telegram] duplicate_radius_m`` metres of (``lat``, ``lon``) (the newest of equals)."""
    radius = ctx.settings.telegram.duplicate_radius_m
    dlat = radius / METRES_PER_DEGREE
    dlon = radius / (METRES_PER_DEGREE * max(math.cos(math.radians(lat)), 1e-6))
    with ctx.read() as session:
        candidates = session.scalars(
            select(Complaint)
            .where(
                Complaint.lat.between(lat - dlat, lat + dlat),
                Complaint.lon.between(lon - dlon, lon + dlon),
                Complaint.category == category,
                *_offerable(since),
            )
            .order_by(Complaint.created_at.desc())
            .limit(CANDIDATE_LIMIT)
        ).all()
    near = [(distance_m(lat, lon, complaint.lat, complaint.lon), complaint)
            for complaint in candidates]
    near = [(metres, complaint) for metres, complaint in near if metres <= radius]
    if not near:
        return None
    metres, complaint = min(near, key=lambda pair: pair[0])  # stable: newest of equals
    return SimilarComplaint(
        complaint.tracking_number, complaint.title, Status(complaint.status),
        complaint.created_at, similarity(text, f"{complaint.title}\n{complaint.description}"),
        metres)
