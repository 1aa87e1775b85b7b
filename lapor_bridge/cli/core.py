"""The ``lapor-bridge`` command: thin entry points that call services."""

from __future__ import annotations

from functools import cached_property

import click

from lapor_bridge.config import ConfigError, Settings, load_settings


class CliContext:
    """Shared state of one command invocation; settings load lazily."""

    def __init__(self, config_path: str | None) -> None:
        self.config_path = config_path

    @cached_property
    def settings(self) -> Settings:
        """The deployment settings (raises a usage error when malformed)."""
        try:
            return load_settings(self.config_path)
        except ConfigError as exc:
            raise click.UsageError(str(exc)) from exc


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config_path",
    envvar="LAPOR_BRIDGE_CONFIG",
    type=click.Path(dir_okay=False),
    help="TOML settings file (default: ./config.toml when present).",
)
@click.pass_context
def main(ctx: click.Context, config_path: str | None) -> None:
    """lapor-bridge: complaint intake, routing and SP4N-LAPOR! sync."""
    ctx.obj = CliContext(config_path)


@main.command("init-db")
@click.pass_obj
def init_db(cli: CliContext) -> None:
    """Create or upgrade the database schema to the newest migration."""
    from lapor_bridge.db.engine import make_engine
    from lapor_bridge.db.migrate import upgrade_to_head

    engine = make_engine(cli.settings.database)
    upgrade_to_head(engine)
    engine.dispose()
    click.echo(f"database at head: {engine.url.render_as_string(hide_password=True)}")


@main.command("seed-demo")
@click.option("--history", "months", default=0, show_default=True, type=click.IntRange(0, 60),
              help="Also generate N months of complaint history (Kota Tegal and two neighbours).")
@click.pass_obj
def seed_demo_command(cli: CliContext, months: int) -> None:
    """Load the demo region (Kota Tegal): agencies, kecamatan/kelurahan, demo logins."""
    from lapor_bridge.services.context import build_context
    from lapor_bridge.services.demo_history import seed_history
    from lapor_bridge.services.seed import seed_demo

    context = build_context(cli.settings, load_model=False)
    created = seed_demo(context)
    if months:
        created.update(seed_history(context, months))
    summary = ", ".join(f"{count} {table}" for table, count in sorted(created.items()))
    click.echo(f"demo region seeded: {summary or 'nothing new, already present'}")


@main.command("erase-personal-data")
@click.argument("tracking_number")
@click.confirmation_option(prompt="Erase the reporter's name, phone, e-mail and Telegram chat?")
@click.pass_obj
def erase_personal_data_command(cli: CliContext, tracking_number: str) -> None:
    """Erase a reporter's identity from one complaint (UU 27/2022); the complaint stays."""
    from lapor_bridge.services.context import build_context
    from lapor_bridge.services.errors import NotFound
    from lapor_bridge.services.reporter import erase_personal_data

    try:
        erased = erase_personal_data(build_context(cli.settings, load_model=False),
                                     tracking_number, by_admin=True)
    except NotFound as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo("personal data erased" if erased else "already erased; nothing to do")


@main.command("sla-cycle")
@click.pass_obj
def sla_cycle_command(cli: CliContext) -> None:
    """Run the SLA watch once now: escalate overdue complaints, auto-close unanswered ones."""
    from lapor_bridge.jobs.sla import run_sla_cycle
    from lapor_bridge.services.context import build_context

    summary = run_sla_cycle(build_context(cli.settings, load_model=False))
    click.echo(f"checked {summary.checked}, escalated {summary.escalated} "
               f"({summary.alerts} alerts), auto-closed {summary.auto_closed}")


@main.command("serve")
@click.option("--host", help="Address to listen on [server.host: 127.0.0.1].")
@click.option("--port", type=int, help="Port to listen on [server.port: 5000].")
@click.option("--workers", type=click.IntRange(0), help="Gunicorn worker processes "
              "[server.workers: 2]; 0 runs Flask's development server in this process.")
@click.option("--threads", type=click.IntRange(1), help="Threads per worker [server.threads: 4].")
@click.option("--preload/--no-preload", default=None,
              help="Build the app once before forking [server.preload: off].")
@click.pass_obj
def serve(cli: CliContext, host: str | None, port: int | None, workers: int | None,
          threads: int | None, preload: bool | None) -> None:
    """Serve the web app (form, tracking, officer pages, API) under gunicorn."""
    settings = cli.settings
    if (workers if workers is not None else settings.server.workers) == 0:
        from lapor_bridge.observability.logs import configure_logging
        from lapor_bridge.web import create_app

        configure_logging(settings.log)
        host, port = host or settings.server.host, port or settings.server.port
        click.echo(f"lapor-bridge development server on http://{host}:{port}/")
        create_app(settings).run(host=host, port=port, threaded=True, use_reloader=False)
        return
    from lapor_bridge.serve import run

    run(settings, host=host, port=port, workers=workers, threads=threads, preload=preload)


def _register_subcommands() -> None:
    """Attach the commands kept in their own modules (they import this one, so last)."""
    from bots.cli import bot
    from lapor_bridge.cli_api_key import api_key
    from lapor_bridge.cli_classifier import classifier
    from lapor_bridge.cli_demo import demo
    from lapor_bridge.cli_routing import routing
    from lapor_bridge.cli_sync import COMMANDS as sync_commands
    from lapor_bridge.lapor.simulator.cli import lapor_sim

    for command in (lapor_sim, classifier, bot, api_key, demo, routing, *sync_commands):
        main.add_command(command)


_register_subcommands()
