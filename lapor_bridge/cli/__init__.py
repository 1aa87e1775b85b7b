"""The ``lapor-bridge`` command: thin entry points that call services.

Every command lives in its own module (``core``, ``api_key``, ``classifier``, ``demo``,
``federation``, ``routing``, ``sync``, plus the bot's and the LAPOR! simulator's) and is
listed once in ``COMMANDS``; the modules take ``CliContext`` from
``lapor_bridge.cli.context``, never from this package.
"""

from __future__ import annotations

import click

from bots.cli import bot
from lapor_bridge.cli import api_key, classifier, core, demo, federation, places, routing, sync
from lapor_bridge.cli.context import CliContext
from lapor_bridge.lapor.simulator.cli import lapor_sim

__all__ = ["COMMANDS", "CliContext", "main"]


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


# The one registry of ``lapor-bridge`` commands (``--help`` lists them alphabetically).
COMMANDS: tuple[click.Command, ...] = (
    core.init_db,
    core.seed_demo_command,
    core.erase_personal_data_command,
    core.sla_cycle_command,
    core.serve,
    lapor_sim,
    classifier.classifier,
    bot,
    api_key.api_key,
    demo.demo,
    routing.routing,
    sync.worker,
    sync.sync_once,
    sync.alignment_report_command,
    federation.federation,
    places.places,
)

for _command in COMMANDS:
    main.add_command(_command)
