"""Stored alignment reports: each run is kept, drift per kab/kota reaches both health pages."""

from __future__ import annotations

from sqlalchemy import func, select

from lapor_bridge.db.models import Complaint, Region, User
from lapor_bridge.db.models_stats import AlignmentReport
from lapor_bridge.jobs.runner import run_job
from lapor_bridge.jobs.schedule import ALIGNMENT, schedule
from lapor_bridge.services.accounts import principal_of
from lapor_bridge.services.alignment import record_alignment
from lapor_bridge.services.dashboards.scope import ScopeRequest
from lapor_bridge.services.dashboards.sync import sync_overview
from lapor_bridge.services.sync.health import RegionDrift, sync_health
from lapor_bridge.services.sync.poll import poll_due
from lapor_bridge.services.sync.push import push_pending
from tests.sync.conftest import later, submit


def person(ctx, username):
    with ctx.read() as session:
        return principal_of(session.scalar(select(User).where(User.username == username)))


def test_every_run_is_stored_and_drift_shows_per_region(sync_ctx, sim):
    admin = person(sync_ctx, "admin.tegal")
    assert sync_health(sync_ctx, admin).alignment is None
    kept, archived = submit(sync_ctx, 1), submit(sync_ctx, 2)
    push_pending(sync_ctx)
    poll_due(sync_ctx, every=True)                     # both in step with LAPOR!
    with sync_ctx.read() as session:
        tegal = session.scalar(select(Region.id).where(Region.name == "Kota Tegal"))
        lapor_id = int(session.scalar(select(Complaint.lapor_id).where(
            Complaint.tracking_number == archived)))
    sim.control.archive(lapor_id, "terlalu umum")

    report = record_alignment(sync_ctx)
    assert report["regions"] == {str(tegal): {"linked": 2, "drift": 1}}
    assert [item["tracking_number"] for item in report["items"]] == [archived]
    with sync_ctx.read() as session:
        stored = session.scalars(select(AlignmentReport)).one()
        assert (stored.linked, stored.drift, stored.regions) == (2, 1, report["regions"])
        assert stored.items[0]["region_id"] == tegal and kept != archived

    health = sync_health(sync_ctx, admin)
    assert health.alignment.regions == [RegionDrift("Kota Tegal", 2, 1)]
    assert health.alignment.reported_at == stored.created_at
    board = sync_overview(sync_ctx, person(sync_ctx, "koordinator.jateng"), ScopeRequest())
    drift = {row.region: row.drift for row in board.regions}
    assert drift["Kota Tegal"] == 1 and set(drift.values()) <= {0, 1}
    assert board.aligned_at == stored.created_at

    poll_due(sync_ctx, every=True)                     # the archive reaches us: no drift
    record_alignment(later(sync_ctx, 3600))
    assert sync_health(sync_ctx, admin).alignment.regions == [RegionDrift("Kota Tegal", 2, 0)]


def test_health_pages_show_the_last_report(sync_ctx, sim, client, login):
    submit(sync_ctx, 1)
    push_pending(sync_ctx)
    record_alignment(sync_ctx)
    login("admin.tegal")
    page = client.get("/admin/lapor/kesehatan").get_data(as_text=True)
    assert 'id="alignment"' in page and "Kota Tegal" in page
    login("koordinator.jateng")
    page = client.get("/dasbor/sinkronisasi").get_data(as_text=True)
    assert 'id="alignment"' in page and "belum pernah" not in page


def test_the_daily_job_stores_a_report(sync_ctx, sim):
    (job,) = [job for job in schedule(sync_ctx.settings) if job.name == ALIGNMENT]
    assert (job.trigger, job.trigger_args) == ("cron", {"hour": 3, "minute": 0})
    run = run_job(sync_ctx, job)
    assert run.ok and run.summary == {"linked": 0, "drift": 0}
    with sync_ctx.read() as session:
        assert session.scalar(select(func.count()).select_from(AlignmentReport)) == 1
