"""The drift report: does the province hold every complaint of ours, at our version?

The member pages through what the province holds of it (tracking number, version) and
compares with its own complaints of the reported kab/kota. Differences that the outbox
is about to send (pending rows) are in flight, not drift; dead rows are counted apart
(a person must act on them). Complaints missing at the province or behind there are
queued again, so that drift heals itself on the next push; complaints the province
holds at a newer version than ours ("ahead": this database was restored from an older
backup) or that we do not know ("extra") need a person. The summary is kept here and
sent to the province, whose sync-health page shows it per member.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sqlalchemy import select

from lapor_bridge.db.models import Complaint
from lapor_bridge.db.models_federation import FederationOutbox, FederationUplink
from lapor_bridge.services.context import ServiceContext
from lapor_bridge.services.federation.outbox import local_complaints, requeue
from lapor_bridge.services.federation.uplink import ClientFactory, client_factory, current_uplink

PAGE = 1000
SAMPLE = 20


@dataclass(frozen=True)
class DriftReport:
    """Counts of each kind of difference, with a few tracking numbers of each."""

    checked_at: str
    local: int
    province: int
    in_flight: int
    dead: int
    missing: int
    behind: int
    ahead: int
    extra: int
    requeued: int
    examples: dict[str, list[str]]

    @property
    def drift(self) -> int:
        """Differences not explained by the outbox."""
        return self.missing + self.behind + self.ahead + self.extra


def check_drift(ctx: ServiceContext, clients: ClientFactory | None = None) -> DriftReport | None:
    """Compare both sides, requeue what differs, record and report it (None: not joined)."""
    uplink = current_uplink(ctx)
    if uplink is None:
        return None
    client = (clients or client_factory(ctx))(uplink.province_url)
    try:
        remote: dict[str, int] = {}
        after = ""
        while True:
            page = client.state(after, PAGE)
            remote.update({number: version for number, version in page["records"]})
            if not page.get("next"):
                break
            after = page["next"]
        now = ctx.clock()
        with ctx.read() as session:
            local = {row.tracking_number: row for row in session.execute(
                select(Complaint.tracking_number, Complaint.id, Complaint.version,
                       Complaint.updated_at)
                .where(*local_complaints(uplink.region_codes)))}
            waiting = dict(session.execute(
                select(FederationOutbox.complaint_id, FederationOutbox.state).where(
                    FederationOutbox.state.in_(("pending", "dead")))).all())
        settled = {number: row for number, row in local.items() if row.id not in waiting}
        missing = sorted(number for number in settled if number not in remote)
        behind = sorted(number for number, row in settled.items()
                        if number in remote and remote[number] < row.version)
        ahead = sorted(number for number, row in settled.items()
                       if number in remote and remote[number] > row.version)
        extra = sorted(set(remote) - set(local))
        requeued = requeue(ctx, {local[number].id: (local[number].version,
                                                    local[number].updated_at)
                                 for number in missing + behind}, now, force=True)
        states = list(waiting.values())
        report = DriftReport(
            now.isoformat(), len(local), len(remote), states.count("pending"),
            states.count("dead"), len(missing), len(behind), len(ahead), len(extra), requeued,
            {"missing": missing[:SAMPLE], "behind": behind[:SAMPLE], "ahead": ahead[:SAMPLE],
             "extra": extra[:SAMPLE]})
        with ctx.transaction() as session:
            row = session.scalar(select(FederationUplink))
            row.drift, row.drift_checked_at = asdict(report), now
        client.report_drift(asdict(report))
        return report
    finally:
        client.close()
