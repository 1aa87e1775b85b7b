"""What the province answers a member about itself: who it is, what is held, its drift."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from lapor_bridge.db.models import Region
from lapor_bridge.db.models_federation import FederatedComplaint, FederationMember
from lapor_bridge.services.context import ServiceContext
from lapor_bridge.services.errors import ValidationFailed
from lapor_bridge.services.federation.members import Member

DRIFT_COUNTS = ("local", "province", "in_flight", "dead", "missing", "behind", "ahead", "extra",
                "requeued")
EXAMPLE_KINDS = ("missing", "behind", "ahead", "extra")


def hello(ctx: ServiceContext, member: Member) -> dict[str, Any]:
    """The province's name, the member's name and the kab/kota it reports for."""
    with ctx.read() as session:
        province = session.scalar(select(Region.name).where(
            Region.code == ctx.settings.app.region_code.split(".")[0]))
    return {"province": province or ctx.settings.app.region_code, "member": member.name,
            "regions": sorted(member.region_codes),
            "max_records": ctx.settings.federation.max_records_per_request}


def held(ctx: ServiceContext, member: Member, after: str, limit: int) -> dict[str, Any]:
    """One page of (tracking number, version) held for ``member``, by tracking number."""
    limit = max(1, min(limit, 5000))
    with ctx.read() as session:
        rows = session.execute(
            select(FederatedComplaint.tracking_number, FederatedComplaint.remote_version)
            .where(FederatedComplaint.member_id == member.id,
                   FederatedComplaint.tracking_number > after)
            .order_by(FederatedComplaint.tracking_number).limit(limit + 1)).all()
    page = [[number, version] for number, version in rows[:limit]]
    return {"records": page, "next": page[-1][0] if len(rows) > limit else None}


def record_drift(ctx: ServiceContext, member: Member, summary: Any) -> None:
    """Keep the member's last drift summary (counts and example tracking numbers)."""
    if not isinstance(summary, dict) or not all(
            type(summary.get(name)) is int and summary[name] >= 0 for name in DRIFT_COUNTS):
        raise ValidationFailed({"drift": f"counts expected: {', '.join(DRIFT_COUNTS)}"})
    examples = summary.get("examples") or {}
    if not isinstance(examples, dict) or not all(
            isinstance(examples.get(kind, []), list) for kind in EXAMPLE_KINDS):
        raise ValidationFailed({"drift": "examples: lists of tracking numbers expected"})
    kept = {name: summary[name] for name in DRIFT_COUNTS}
    kept["examples"] = {kind: [str(number)[:16] for number in examples.get(kind, [])[:20]]
                        for kind in EXAMPLE_KINDS}
    with ctx.transaction() as session:
        row = session.get(FederationMember, member.id)
        row.drift, row.drift_checked_at = kept, ctx.clock()
