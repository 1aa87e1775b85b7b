"""``lapor-bridge worker``, ``sync-once`` and ``alignment-report``: the LAPOR! sync commands."""

from __future__ import annotations

import contextlib
import json
import sys

import click

from lapor_bridge.cli.context import CliContext

EXIT_AUTH = 3


@click.command("worker")
@click.option("--only-push", is_flag=True, help="Run only the outbox sender (extra senders).")
@click.pass_obj
def worker(cli: CliContext, only_push: bool) -> None:
    """Run the scheduler: push, poll, inbound, master data and SLA jobs, until stopped."""
    from lapor_bridge.jobs.schedule import schedule
    from lapor_bridge.jobs.scheduler import build_scheduler
    from lapor_bridge.jobs.sync import PUSH
    from lapor_bridge.observability.worker_metrics import serve_worker_metrics
    from lapor_bridge.services.context import build_context

    settings = cli.settings
    _logging(settings)
    jobs = schedule(settings)
    if only_push:
        jobs = tuple(job for job in jobs if job.name == PUSH)
    ctx = build_context(settings, load_model=not only_push)
    scheduler = build_scheduler(ctx, jobs)
    serve_worker_metrics(scheduler, settings.metrics.worker_port, settings.metrics.worker_host)
    click.echo(f"lapor-bridge worker: {', '.join(job.name for job in jobs)}; Ctrl-C to stop")
    with contextlib.suppress(KeyboardInterrupt, SystemExit):
        scheduler.start()


@click.command("sync-once")
@click.option("--poll-all", is_flag=True, help="Poll every open linked report, due or not.")
@click.pass_obj
def sync_once(cli: CliContext, poll_all: bool) -> None:
    """Run one full sync cycle in the foreground and print what it did as JSON.

    Exits 0 after the cycle (failed steps are reported and retried next time); 2 on a
    configuration error, 3 when LAPOR! refuses the credentials.
    """
    from lapor_bridge.jobs.sync import run_cycle
    from lapor_bridge.services.context import build_context

    _logging(cli.settings)
    ctx = build_context(cli.settings)
    outcome = run_cycle(ctx, poll_all=poll_all)
    click.echo(json.dumps(outcome.summary(), default=str))
    if outcome.auth_error is not None:
        click.echo(f"LAPOR! menolak kredensial / rejected the credentials: "
                   f"{outcome.auth_error}", err=True)
        sys.exit(EXIT_AUTH)


@click.command("alignment-report")
@click.option("--sample", default=20, show_default=True, help="Differing items to list.")
@click.pass_obj
def alignment_report_command(cli: CliContext, sample: int) -> None:
    """Compare every linked complaint with LAPOR!, store the report and print it as JSON."""
    from lapor_bridge.services.alignment import record_alignment
    from lapor_bridge.services.context import build_context

    ctx = build_context(cli.settings, load_model=False)
    click.echo(json.dumps(record_alignment(ctx, sample=sample), default=str))


def _logging(settings) -> None:
    from lapor_bridge.observability.logs import configure_logging

    configure_logging(settings.log)
