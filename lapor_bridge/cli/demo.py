"""``lapor-bridge demo``: the whole service in one process, for a newcomer's ``make run``.

The web app in the foreground, the worker's schedule in a background thread, and the
bundled LAPOR! simulator when ``[lapor] base_url`` points at this machine.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

import click

from lapor_bridge.cli.context import CliContext

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@click.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address of the web app.")
@click.option("--port", default=5000, show_default=True, type=int, help="Port of the web app.")
@click.option("--no-sim", is_flag=True, help="Do not start the bundled LAPOR! simulator.")
@click.pass_obj
def demo(cli: CliContext, host: str, port: int, no_sim: bool) -> None:
    """Serve the web app with the worker and the LAPOR! simulator alongside."""
    from lapor_bridge.jobs.schedule import schedule
    from lapor_bridge.jobs.scheduler import build_scheduler
    from lapor_bridge.services.context import build_context
    from lapor_bridge.web import create_app

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    settings = cli.settings
    simulator = None if no_sim else _start_simulator(settings)
    ctx = build_context(settings)
    scheduler = build_scheduler(ctx, schedule(settings), background=True)
    scheduler.start()
    click.echo(f"lapor-bridge demo on http://{host}:{port}/ (worker running"
               f"{', LAPOR! simulator at ' + simulator.url if simulator else ''})")
    try:
        create_app(context=ctx).run(host=host, port=port, threaded=True, use_reloader=False)
    finally:
        scheduler.shutdown(wait=False)
        if simulator is not None:
            simulator.stop()


def _start_simulator(settings):
    from lapor_bridge.lapor.simulator.server import run_in_thread

    target = urlsplit(settings.lapor.base_url)
    if target.hostname not in LOOPBACK or target.port is None:
        return None
    db_path = settings.path(settings.app.instance_dir) / "lapor-sim.db"
    db_path.parent.mkdir(parents=True, exist_ok=True)
    return run_in_thread(db_path, token=settings.lapor.token, secret=settings.lapor.secret,
                         auto_dispose=True, host=target.hostname, port=target.port)
