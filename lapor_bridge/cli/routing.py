"""``lapor-bridge routing …``: a region's routing table (category → agency) as CSV.

``export`` writes every category of the list with its agency code (empty: triage);
``import`` applies an edited file all or nothing, audited with source "csv". The
regional admin edits the same table on ``/admin/rute``.
"""

from __future__ import annotations

import click

from lapor_bridge.cli.context import all_or_nothing
from lapor_bridge.services.errors import NotFound
from lapor_bridge.services.intake.routing_table import export_csv, import_csv

REGION_HELP = "BPS code of the kabupaten/kota, e.g. 33.76."


@click.group("routing")
def routing() -> None:
    """Routing tables: which agency takes each service category, per region."""


@routing.command("export")
@click.option("--region", "region_code", required=True, help=REGION_HELP)
@click.option("--out", "out", type=click.File("w", encoding="utf-8", lazy=True),
              help="Write the CSV to this file (default: standard output).")
@click.pass_obj
def export_command(cli, region_code: str, out) -> None:
    """Print the table as CSV: columns category,agency (an empty agency is triage)."""
    try:
        text = export_csv(cli.services(), region_code)
    except NotFound as exc:
        raise click.UsageError(str(exc)) from exc
    if out is None:
        click.echo(text, nl=False)
    else:
        out.write(text)
        click.echo(f"{len(text.splitlines()) - 1} kategori ditulis / categories written "
                   f"to {out.name}", err=True)


@routing.command("import")
@click.option("--region", "region_code", required=True, help=REGION_HELP)
@click.argument("file", type=click.File("r", encoding="utf-8-sig"))
@click.pass_obj
def import_command(cli, region_code: str, file) -> None:
    """Apply FILE (as written by ``export``; ``-`` reads standard input). Categories it
    leaves out stay as they are; any bad line refuses the whole file."""
    try:
        text = file.read()
    except UnicodeDecodeError as exc:
        raise click.ClickException(
            "berkas bukan teks UTF-8 / the file is not UTF-8 text (save it as CSV UTF-8)"
        ) from exc
    with all_or_nothing():
        changed = import_csv(cli.services(), None, region_code, text)
    click.echo(f"{changed} baris diubah / lines changed ({region_code})")
