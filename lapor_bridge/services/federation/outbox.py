"""The member's federation outbox: which complaints the province must (again) learn about.

Every complaint change bumps ``complaints.version`` and ``updated_at``. A scan of the
complaints changed since the last one (a watermark with an overlap for late commits,
as the metrics refresh does) brings each one's outbox row up to its version; the
sender then sends the complaint as it stands. So any change, by any path, reaches the
province, and ten changes between two pushes cost one record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, or_, select, update

from lapor_bridge.db.models import Complaint, Region
from lapor_bridge.db.models_federation import FederationOutbox
from lapor_bridge.db.models_stats import StatsWatermark
from lapor_bridge.services.context import ServiceContext
from lapor_bridge.services.federation.uplink import OUTBOX_WATERMARK, current_uplink

OVERLAP = timedelta(minutes=10)
CHUNK = 2000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class OutboxCounts:
    """Rows of the outbox by state."""

    pending: int
    sent: int
    dead: int


def local_complaints(region_codes):
    """WHERE clauses: this instance's own complaints of the reported kab/kota."""
    return (Complaint.member_id.is_(None),
            Complaint.region_id.in_(select(Region.id).where(Region.code.in_(region_codes))))


def enqueue_changes(ctx: ServiceContext) -> int:
    """Queue the complaints changed since the last scan; how many rows became pending."""
    uplink = current_uplink(ctx)
    if uplink is None:
        return 0
    now = ctx.clock()
    with ctx.read() as session:
        mark = session.get(StatsWatermark, OUTBOX_WATERMARK)
        since, last_id = (mark.seen_until - OVERLAP, mark.last_id) if mark else (_EPOCH, 0)
        changed = session.execute(select(Complaint.id, Complaint.version, Complaint.updated_at)
                                  .where(*local_complaints(uplink.region_codes),
                                         or_(Complaint.id > last_id,
                                             Complaint.updated_at >= since))
                                  .order_by(Complaint.id)).all()
    queued = 0
    for start in range(0, len(changed), CHUNK):
        queued += requeue(ctx, {row.id: (row.version, row.updated_at)
                                for row in changed[start:start + CHUNK]}, now)
    with ctx.transaction() as session:
        mark = session.get(StatsWatermark, OUTBOX_WATERMARK) or StatsWatermark(
            name=OUTBOX_WATERMARK, seen_until=_EPOCH, last_id=0)
        if changed:
            mark.seen_until = max(mark.seen_until, max(row.updated_at for row in changed))
            mark.last_id = max(mark.last_id, changed[-1].id)
        mark.refreshed_at = now
        session.add(mark)
    return queued


def requeue(ctx: ServiceContext, states: dict[int, tuple[int, datetime]], now: datetime,
            *, force: bool = False) -> int:
    """Bring the rows of ``states`` (complaint id → (version, updated_at)) up to date:
    pending when the complaint moved past the enqueued state (``force``: pending anyway).
    Rows made pending."""
    if not states:
        return 0
    with ctx.transaction() as session:
        rows = {row.complaint_id: row for row in session.scalars(
            select(FederationOutbox).where(FederationOutbox.complaint_id.in_(list(states))))}
        queued = 0
        for complaint_id, (version, changed_at) in states.items():
            row = rows.get(complaint_id)
            if row is None:
                session.add(FederationOutbox(complaint_id=complaint_id, version=version,
                                             changed_at=changed_at, sent_version=0,
                                             state="pending", attempts=0, next_attempt_at=now))
                queued += 1
            elif force or (version, changed_at) > (row.version, row.changed_at):
                if (version, changed_at) > (row.version, row.changed_at):
                    row.version, row.changed_at = version, changed_at
                row.state, row.attempts, row.next_attempt_at = "pending", 0, now
                row.last_error = None
                queued += 1
    return queued


def retry_dead(ctx: ServiceContext) -> int:
    """Make every dead row pending again (after the cause was fixed); how many."""
    with ctx.transaction() as session:
        return session.execute(
            update(FederationOutbox).where(FederationOutbox.state == "dead")
            .values(state="pending", attempts=0, next_attempt_at=ctx.clock(),
                    last_error=None)).rowcount


def outbox_counts(ctx: ServiceContext) -> OutboxCounts:
    """How many rows wait, were sent, are dead."""
    with ctx.read() as session:
        counts = dict(session.execute(select(FederationOutbox.state, func.count())
                                      .group_by(FederationOutbox.state)).all())
    return OutboxCounts(counts.get("pending", 0), counts.get("sent", 0), counts.get("dead", 0))
