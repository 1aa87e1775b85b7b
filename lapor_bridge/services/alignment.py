"""``alignment_report``: compare every linked complaint with its LAPOR! report, list the drift.

A linked complaint differs (counts in ``drift``) when any of these hold:

- ``unsent``: it has outbox rows not yet done (a local change LAPOR! has not heard of);
- ``unseen``: LAPOR! has follow-ups or history entries the poller has not recorded;
- ``status``: the local state does not agree with LAPOR!'s (``sync.rules.agrees``);
- ``institution``: LAPOR! holds the report at an instansi other than the local
  agency's (or the region's Pemkot level);
- ``fetch_failed``: LAPOR! could not be asked (the comparison is unknown).

It asks LAPOR! for every linked report (one or two requests each), so the worker
runs it once a day (:func:`record_alignment`); each run is stored in
``alignment_reports`` for the sync-health pages.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lapor_bridge.db.models import Agency, Complaint, OutboxMessage
from lapor_bridge.db.models_stats import AlignmentReport
from lapor_bridge.db.models_sync import LaporLink, LaporSeen
from lapor_bridge.domain.status import Status
from lapor_bridge.lapor import LaporClient
from lapor_bridge.services.context import ServiceContext
from lapor_bridge.services.scope import local_only
from lapor_bridge.services.sync.poll import Fetched, fetch_report, load_directory, remote_view
from lapor_bridge.services.sync.rules import LocalView, agrees, institution_agrees

SAMPLE_SIZE = 20


def alignment_report(
    ctx: ServiceContext,
    client_factory: Callable[[], LaporClient] | None = None,
    *,
    sample: int = SAMPLE_SIZE,
) -> dict[str, Any]:
    """The drift report: counts, reasons, per kab/kota (``regions``: id as text to linked
    and drift) and the first ``sample`` differing complaints."""
    settings = ctx.settings.lapor
    factory = client_factory or (lambda: LaporClient(settings))
    directory = load_directory(ctx)
    with ctx.read() as session:
        links = session.execute(
            select(LaporLink.id, LaporLink.lapor_id, Complaint.tracking_number,
                   Complaint.status, Complaint.agency_id, Complaint.region_id,
                   Agency.is_triage)
            .join(Complaint, Complaint.id == LaporLink.complaint_id)
            .join(Agency, Agency.id == Complaint.agency_id)
            .order_by(LaporLink.id)
        ).all()
        unsent = Counter(dict(session.execute(
            select(LaporLink.id, func.count(OutboxMessage.id))
            .join(OutboxMessage, OutboxMessage.complaint_id == LaporLink.complaint_id)
            .where(OutboxMessage.state != "done").group_by(LaporLink.id)).all()))
        seen: dict[int, set[tuple[str, int]]] = {}
        for lapor_id, kind, remote_id in session.execute(
                select(LaporSeen.lapor_id, LaporSeen.kind, LaporSeen.remote_id)):
            seen.setdefault(lapor_id, set()).add((kind, remote_id))
        unlinked = session.scalar(
            select(func.count()).select_from(Complaint)
            .outerjoin(LaporLink, LaporLink.complaint_id == Complaint.id)
            .where(LaporLink.id.is_(None), local_only()))
        outbox = dict(session.execute(
            select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state)).all())
    fetched = _fetch(factory, [(row.id, row.lapor_id) for row in links],
                     max(1, settings.concurrency))
    reasons: Counter[str] = Counter()
    items = []
    drift = 0
    regions: dict[str, dict[str, int]] = {}
    for row in links:
        region = regions.setdefault(str(row.region_id), {"linked": 0, "drift": 0})
        region["linked"] += 1
        found = _differences(row, fetched[row.id], unsent, seen, directory)
        if not found:
            continue
        drift += 1
        region["drift"] += 1
        reasons.update(found)
        if len(items) < sample:
            report = fetched[row.id].report
            items.append({
                "tracking_number": row.tracking_number, "lapor_id": row.lapor_id,
                "region_id": row.region_id,
                "reasons": found, "local_status": row.status,
                "lapor_status": report.status_name if report else None,
                "lapor_institution": report.disposition_id if report else None,
            })
    return {
        "linked": len(links), "drift": drift,
        "unlinked": unlinked, "outbox": outbox, "reasons": dict(reasons), "regions": regions,
        "items": items,
    }


def record_alignment(
    ctx: ServiceContext,
    client_factory: Callable[[], LaporClient] | None = None,
    *,
    sample: int = SAMPLE_SIZE,
) -> dict[str, Any]:
    """Run :func:`alignment_report`, store it in ``alignment_reports`` and return it."""
    report = alignment_report(ctx, client_factory, sample=sample)
    with ctx.transaction() as session:
        session.add(AlignmentReport(
            created_at=ctx.clock(), linked=report["linked"], drift=report["drift"],
            unlinked=report["unlinked"], reasons=report["reasons"],
            regions=report["regions"], items=report["items"]))
    return report


def run_alignment(ctx: ServiceContext) -> dict[str, int]:
    """The scheduled job: store a report; the run's summary is its totals."""
    report = record_alignment(ctx)
    return {"linked": report["linked"], "drift": report["drift"]}


def last_alignment(session: Session) -> AlignmentReport | None:
    """The most recent stored report (None: never run)."""
    return session.scalars(select(AlignmentReport).order_by(
        AlignmentReport.created_at.desc(), AlignmentReport.id.desc()).limit(1)).first()


def _differences(row, item: Fetched, unsent, seen, directory) -> list[str]:
    found = ["unsent"] if unsent.get(row.id) else []
    if item.report is None:
        return [*found, "fetch_failed"]
    known = seen.get(row.lapor_id, set())
    remote_ids = {("followup", f.id) for f in item.followups} | {
        ("log", entry.id) for entry in item.report.logs}
    if remote_ids - known:
        found.append("unseen")
    remote = remote_view(item.report, directory)
    local = LocalView(Status(row.status), row.agency_id, row.is_triage, None)
    if not agrees(local, remote):
        found.append("status")
    if not institution_agrees(row.agency_id, remote):
        found.append("institution")
    return found


def _fetch(factory, links: list[tuple[int, int]], threads: int) -> dict[int, Fetched]:
    def run(part: list[tuple[int, int]]) -> list[Fetched]:
        with factory() as client:
            return [_fetch_twice(client, link_id, lapor_id) for link_id, lapor_id in part]

    parts = [links[index::threads] for index in range(threads)]
    with ThreadPoolExecutor(threads) as pool:
        return {item.link_id: item for part in pool.map(run, parts) for item in part}


def _fetch_twice(client: LaporClient, link_id: int, lapor_id: int) -> Fetched:
    item = fetch_report(client, link_id, lapor_id)
    return fetch_report(client, link_id, lapor_id) if item.error is not None else item
