"""``lapor-bridge bot``: run the Telegram bot."""

from __future__ import annotations

import click


@click.command("bot")
@click.pass_obj
def bot(cli) -> None:
    """Run the Telegram bot (long polling, or a webhook listener when telegram.mode = webhook)."""
    from bots.app import build_bot, run_bot
    from lapor_bridge.config import ConfigError
    from lapor_bridge.observability.logs import configure_logging
    from lapor_bridge.services.context import build_context

    settings = cli.settings
    configure_logging(settings.log)
    try:
        application = build_bot(settings, build_context(settings))
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from exc
    click.echo(f"lapor-bridge bot: {settings.telegram.mode} via {settings.telegram.base_url}")
    run_bot(application, settings.telegram)
