"""The core ``lapor-bridge`` commands: database, demo data, personal data, SLA, serve."""

from __future__ import annotations

import click

from lapor_bridge.cli.context import CliContext


@click.command("init-db")
@click.pass_obj
def init_db(cli: CliContext) -> None:
    """Create or upgrade the database schema to the newest migration."""
    from lapor_bridge.db.engine import make_engine
    from lapor_bridge.db.migrate import upgrade_to_head

    engine = make_engine(cli.settings.database)
    upgrade_to_head(engine)
    engine.dispose()
    click.echo(f"database at head: {engine.url.render_as_string(hide_password=True)}")


@click.command("seed-demo")
@click.option("--history", "months", default=0, show_default=True, type=click.IntRange(0, 60),
              help="Also generate N months of complaint history (Kota Tegal and two neighbours).")
@click.option("--province", "province_only", is_flag=True,
              help="A provincial instance: only the province, its coordinator and sysadmin "
                   "(kab/kota join as federation members).")
@click.pass_obj
def seed_demo_command(cli: CliContext, months: int, province_only: bool) -> None:
    """Load the demo region (Kota Tegal): agencies, kecamatan/kelurahan, demo logins."""
    from lapor_bridge.services.demo_history import seed_history
    from lapor_bridge.services.seed import seed_demo, seed_province

    context = cli.services()
    if province_only and months:
        raise click.UsageError("--province takes no --history: members bring the history")
    created = (seed_province if province_only else seed_demo)(context)
    if months:
        created.update(seed_history(context, months))
    summary = ", ".join(f"{count} {table}" for table, count in sorted(created.items()))
    click.echo(f"demo region seeded: {summary or 'nothing new, already present'}")


@click.command("erase-personal-data")
@click.argument("tracking_number")
@click.confirmation_option(prompt="Erase the reporter's name, phone, e-mail and Telegram chat?")
@click.pass_obj
def erase_personal_data_command(cli: CliContext, tracking_number: str) -> None:
    """Erase a reporter's identity from one complaint (UU 27/2022); the complaint stays."""
    from lapor_bridge.services.errors import NotFound
    from lapor_bridge.services.reporter import erase_personal_data

    try:
        erased = erase_personal_data(cli.services(), tracking_number, by_admin=True)
    except NotFound as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo("personal data erased" if erased else "already erased; nothing to do")


@click.command("sla-cycle")
@click.pass_obj
def sla_cycle_command(cli: CliContext) -> None:
    """Run the SLA watch once now: escalate overdue complaints, auto-close unanswered ones."""
    from lapor_bridge.jobs.sla import run_sla_cycle

    summary = run_sla_cycle(cli.services())
    click.echo(f"checked {summary.checked}, escalated {summary.escalated} "
               f"({summary.alerts} alerts), auto-closed {summary.auto_closed}")


@click.command("serve")
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
