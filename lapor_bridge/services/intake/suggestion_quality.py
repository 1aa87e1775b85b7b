"""How good the category suggestions are in production, per region: among complaints
where the resident picked a category themselves and the model had suggested one, how
often the pick was the model's first suggestion.

Shown on the routing-table page (``/admin/rute``) beside each category, so the regional
admin sees where residents disagree with the model. "Lainnya / tidak tahu" is no pick
and is left out, as are complaints filed without a suggestion (no category model).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Integer, case, func, select

from lapor_bridge.db.models import Complaint, Region
from lapor_bridge.domain.categories import OTHER
from lapor_bridge.services.context import ServiceContext

WINDOW = timedelta(days=90)  # what the routing page measures over


@dataclass(frozen=True)
class Agreement:
    """Complaints counted, and how many of them the resident filed under the first
    suggestion."""

    count: int = 0
    matched: int = 0

    @property
    def share(self) -> float | None:
        """``matched / count`` (None when nothing was counted)."""
        return self.matched / self.count if self.count else None


@dataclass(frozen=True)
class SuggestionQuality:
    """The region's figures since ``since``: overall and per picked category."""

    region_code: str
    since: datetime
    overall: Agreement
    by_category: dict[str, Agreement] = field(default_factory=dict)


def suggestion_quality(ctx: ServiceContext, region_code: str,
                       since: datetime) -> SuggestionQuality:
    """The suggestion agreement of ``region_code`` for complaints received at or after
    ``since``, per category the resident picked (one GROUP BY query; an unknown region
    has no complaints). Callers check who may see it."""
    matched = func.sum(case((Complaint.resident_category == Complaint.suggested_category, 1),
                            else_=0), type_=Integer)
    query = (
        select(Complaint.resident_category, func.count(), matched)
        .join(Region, Region.id == Complaint.region_id)
        .where(Region.code == region_code, Complaint.created_at >= since,
               Complaint.resident_category.is_not(None), Complaint.resident_category != OTHER,
               Complaint.resident_category != "", Complaint.suggested_category.is_not(None))
        .group_by(Complaint.resident_category)
    )
    with ctx.read() as session:
        rows = session.execute(query).all()
    by_category = {category: Agreement(int(count), int(hits or 0))
                   for category, count, hits in rows}
    overall = Agreement(sum(a.count for a in by_category.values()),
                        sum(a.matched for a in by_category.values()))
    return SuggestionQuality(region_code, since, overall, by_category)
