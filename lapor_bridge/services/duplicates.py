"""Find an open complaint that a new report probably repeats: same kelurahan, recent, alike.

Cheap on purpose: one indexed query for the kelurahan's recent open complaints, then
a token Jaccard similarity in Python. ``rahasia`` complaints are never offered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from lapor_bridge.db.models import Complaint, District, Region, Village
from lapor_bridge.domain.status import OPEN_VALUES, Status
from lapor_bridge.services.context import ServiceContext

CANDIDATE_LIMIT = 200
MIN_TOKEN_LENGTH = 3
STOPWORDS = frozenset({
    "yang", "dan", "di", "ke", "dari", "ini", "itu", "ada", "untuk", "dengan", "karena", "pada",
    "saya", "kami", "kita", "sudah", "belum", "tidak", "juga", "atau", "akan", "sejak",
    "sangat", "telah", "masih", "agar", "bisa", "dapat", "oleh", "para", "tersebut", "mohon",
    "tolong", "sekitar", "depan", "dekat", "warga",
})
TOKEN_RE = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class SimilarComplaint:
    """An open complaint close to a new report."""

    tracking_number: str
    title: str
    status: Status
    created_at: datetime
    similarity: float


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


def find_similar_open(
    ctx: ServiceContext, text: str, kecamatan: str, kelurahan: str,
    region_code: str | None = None,
) -> SimilarComplaint | None:
    """The most similar open, non-secret complaint of the same kelurahan, if close enough."""
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
                Complaint.created_at >= since,
                Complaint.status.in_(OPEN_VALUES),
                Complaint.is_secret.is_(False),
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
    return best
