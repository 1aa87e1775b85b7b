"""``sync_health``: what the sync-health page shows, per region and per job.

Drift comes from the last stored alignment report (``alignment_reports``, written by
``lapor-bridge alignment-report`` and the daily ``lapor-alignment`` job).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from lapor_bridge.db.models import Complaint, OutboxMessage, Region
from lapor_bridge.db.models_jobs import JobRun
from lapor_bridge.db.models_sync import LaporLink
from lapor_bridge.services.accounts import Principal
from lapor_bridge.services.alignment import last_alignment
from lapor_bridge.services.context import ServiceContext
from lapor_bridge.services.sync.admin import require_sync_admin

JOB_NAMES = ("lapor-push", "lapor-poll", "lapor-inbound", "lapor-masters", "lapor-alignment")


@dataclass(frozen=True)
class RegionBacklog:
    """Unsent outbox rows of one region."""

    region: str
    pending: int
    dead: int
    oldest_unsent_at: datetime | None


@dataclass(frozen=True)
class JobHealth:
    """The last run and the last successful run of one job."""

    name: str
    last_ok_at: datetime | None
    last_run_at: datetime | None
    last_error: str | None


@dataclass(frozen=True)
class RegionDrift:
    """One region in the last alignment report: linked complaints, how many differ."""

    region: str
    linked: int
    drift: int


@dataclass(frozen=True)
class Alignment:
    """The last alignment report, limited to the regions the person sees."""

    reported_at: datetime
    regions: list[RegionDrift]

    @property
    def drift(self) -> int:
        """Differing complaints over the regions shown."""
        return sum(region.drift for region in self.regions)


@dataclass(frozen=True)
class SyncHealth:
    """The whole page."""

    regions: list[RegionBacklog]
    errors: list[tuple[str, int]]
    jobs: list[JobHealth]
    linked: int
    open_links: int
    alignment: Alignment | None


def sync_health(ctx: ServiceContext, principal: Principal) -> SyncHealth:
    """Backlog per region, oldest unsent item, error classes, last successful cycle per job,
    drift per region from the last alignment report."""
    require_sync_admin(principal)
    scope = [] if principal.role == "sysadmin" else [Complaint.region_id == principal.region_id]
    with ctx.read() as session:
        unsent = OutboxMessage.state != "done"
        regions = [
            RegionBacklog(name, pending - dead, dead, oldest)
            for name, pending, dead, oldest in session.execute(
                select(Region.name, func.count(OutboxMessage.id),
                       func.count(OutboxMessage.id).filter(OutboxMessage.state == "dead"),
                       func.min(OutboxMessage.created_at))
                .join(Complaint, Complaint.id == OutboxMessage.complaint_id)
                .join(Region, Region.id == Complaint.region_id)
                .where(unsent, *scope).group_by(Region.name).order_by(Region.name))
        ]
        errors: Counter[str] = Counter()
        for (message,) in session.execute(
                select(OutboxMessage.last_error)
                .join(Complaint, Complaint.id == OutboxMessage.complaint_id)
                .where(unsent, OutboxMessage.last_error.is_not(None), *scope)):
            errors[message.split(":", 1)[0][:80]] += 1
        jobs = [_job(session, name) for name in JOB_NAMES]
        linked = session.scalar(select(func.count()).select_from(LaporLink)
                                .join(Complaint).where(*scope))
        open_links = session.scalar(select(func.count()).select_from(LaporLink).join(Complaint)
                                    .where(LaporLink.closed.is_(False), *scope))
        alignment = _alignment(session, principal)
    return SyncHealth(regions, errors.most_common(), jobs, linked, open_links, alignment)


def _alignment(session, principal: Principal) -> Alignment | None:
    report = last_alignment(session)
    if report is None:
        return None
    names = dict(session.execute(select(Region.id, Region.name)).all())
    counts = {int(key): value for key, value in report.regions.items()}
    if principal.role != "sysadmin":
        counts = {principal.region_id: counts.get(principal.region_id, {"linked": 0, "drift": 0})}
    rows = sorted(RegionDrift(names.get(key, str(key)), value["linked"], value["drift"])
                  for key, value in counts.items())
    return Alignment(report.created_at, rows)


def _job(session, name: str) -> JobHealth:
    last_ok = session.scalar(select(func.max(JobRun.finished_at))
                             .where(JobRun.name == name, JobRun.ok.is_(True)))
    last = session.scalars(select(JobRun).where(JobRun.name == name)
                           .order_by(JobRun.started_at.desc()).limit(1)).first()
    return JobHealth(name, last_ok, last.started_at if last else None,
                     last.error if last and last.ok is False else None)
