"""Periodic jobs run once across workers and every run is recorded."""

import threading

from sqlalchemy import select

from lapor_bridge.db.models_jobs import JobRun
from lapor_bridge.jobs.locks import singleton
from lapor_bridge.jobs.runner import Job, run_job
from lapor_bridge.jobs.scheduler import build_scheduler


def test_a_held_lock_makes_other_holders_skip(ctx, tmp_path):
    engine = ctx.session_factory.kw["bind"]
    with singleton(engine, "job:x", tmp_path) as first:
        assert first is True
        with singleton(engine, "job:x", tmp_path) as second:
            assert second is False
        with singleton(engine, "job:other", tmp_path) as unrelated:
            assert unrelated is True
    with singleton(engine, "job:x", tmp_path) as again:
        assert again is True


def test_singleton_job_runs_once_when_two_workers_fire_together(ctx):
    started = threading.Event()
    release = threading.Event()
    calls = []

    def slow(context):
        calls.append(1)
        started.set()
        release.wait(10)
        return {"done": len(calls)}

    job = Job("slow", slow, "interval", {"seconds": 60})
    results = []
    worker = threading.Thread(target=lambda: results.append(run_job(ctx, job)))
    worker.start()
    assert started.wait(10)
    assert run_job(ctx, job) is None
    release.set()
    worker.join(10)
    assert len(calls) == 1 and results[0].ok is True


def test_runs_are_recorded_with_summary_or_error(ctx):
    def fine(context):
        return {"pushed": 3, "at": context.clock()}

    def broken(context):
        raise RuntimeError("LAPOR! down")

    assert run_job(ctx, Job("fine", fine, "interval")).ok is True
    assert run_job(ctx, Job("broken", broken, "interval")).ok is False
    with ctx.read() as session:
        runs = {run.name: run for run in session.scalars(select(JobRun))}
    assert runs["fine"].summary["pushed"] == 3 and runs["fine"].finished_at is not None
    assert "LAPOR! down" in runs["broken"].error and runs["broken"].ok is False


def test_scheduler_has_one_entry_per_job(ctx):
    jobs = (Job("a", lambda c: None, "interval", {"seconds": 60}),
            Job("b", lambda c: None, "cron", {"hour": 2}))
    scheduler = build_scheduler(ctx, jobs)
    assert sorted(job.id for job in scheduler.get_jobs()) == ["a", "b"]
