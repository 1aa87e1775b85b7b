"""``lapor-bridge api-key …``: create (the key is printed once), list and revoke API keys."""

from __future__ import annotations

import click

from lapor_bridge.services.api_keys import (
    ACTIONS,
    DEFAULT_RATE_LIMIT,
    Scope,
    create_key,
    list_keys,
    revoke_key,
)
from lapor_bridge.services.errors import NotFound, ValidationFailed


@click.group("api-key")
def api_key() -> None:
    """API keys of machine clients (kiosks, gateways, other apps)."""


@api_key.command("create")
@click.option("--name", required=True, help="Who the key is for, e.g. 'Kios Kelurahan Krandon'.")
@click.option("--scope", "scope_text", required=True,
              help="REGION[/AGENCY]:ACTION[,ACTION…], e.g. 33.76:complaints.create. "
                   f"Actions: {', '.join(sorted(ACTIONS))}.")
@click.option("--rate-limit", default=DEFAULT_RATE_LIMIT, show_default=True,
              help="This key's own limit, e.g. '600 per minute'.")
@click.pass_obj
def create(cli, name: str, scope_text: str, rate_limit: str) -> None:
    """Create a key and print it once: only its hash is kept."""
    from limits import parse_many

    try:
        parse_many(rate_limit)
        key, info = create_key(cli.services(), name, Scope.parse(scope_text), rate_limit)
    except (ValueError, ValidationFailed) as exc:
        raise click.UsageError(_message(exc)) from exc
    click.echo(f"api key for {info.name} ({info.scope}), prefix {info.prefix}:")
    click.echo(key)
    click.echo("Store it now: it cannot be shown again.", err=True)


@api_key.command("list")
@click.pass_obj
def list_command(cli) -> None:
    """List keys (prefix, name, scope, limit, created, revoked); never the keys themselves."""
    for info in list_keys(cli.services()):
        revoked = f"revoked {info.revoked_at:%Y-%m-%d %H:%M}Z" if info.revoked_at else "active"
        click.echo(f"{info.prefix}\t{info.name}\t{info.scope}\t{info.rate_limit}\t"
                   f"created {info.created_at:%Y-%m-%d}\t{revoked}")


@api_key.command("revoke")
@click.argument("prefix")
@click.pass_obj
def revoke(cli, prefix: str) -> None:
    """Revoke the key with PREFIX (as shown by ``list``); it stops working at once."""
    try:
        info = revoke_key(cli.services(), prefix)
    except NotFound as exc:
        raise click.UsageError(str(exc)) from exc
    click.echo(f"revoked {info.prefix} ({info.name})")


def _message(exc: ValueError | ValidationFailed) -> str:
    if isinstance(exc, ValidationFailed):
        return "; ".join(exc.errors.values())
    return f"bad rate limit: {exc}"
