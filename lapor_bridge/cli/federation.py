"""``lapor-bridge federation …``: members at the province, the link at a member.

At the province: ``add-member`` and ``rotate-key`` (print the key once), ``members``,
``remove-member``. At a member: ``join`` (checks the key, set in ``[federation] key``,
with the province and queues every complaint), ``push``, ``drift``, ``status``,
``retry-dead``, ``leave``.
"""

from __future__ import annotations

import json

import click

from lapor_bridge.cli.federation_demo import federation_demo
from lapor_bridge.services.errors import NotFound, ValidationFailed


def _fail(exc: Exception):
    message = "; ".join(exc.errors.values()) if isinstance(exc, ValidationFailed) else str(exc)
    return click.ClickException(message)


@click.group("federation")
def federation() -> None:
    """Kab/kota instances reporting to a provincial instance (docs/federation.md)."""


federation.add_command(federation_demo)


@federation.command("add-member")
@click.argument("name")
@click.option("--region", "regions", multiple=True, required=True,
              help="A kab/kota it reports for: CODE or CODE=Name, e.g. '33.28=Kabupaten Tegal'."
                   " Repeat for several.")
@click.option("--url", default="", help="The member's public address, for links to its pages.")
@click.pass_obj
def add_member_command(cli, name: str, regions: tuple[str, ...], url: str) -> None:
    """(Province) Register member NAME and print its key once."""
    from lapor_bridge.services.federation.members import add_member, parse_regions

    try:
        info, key = add_member(cli.services(), name, parse_regions(list(regions)), url)
    except ValidationFailed as exc:
        raise _fail(exc) from exc
    _show_key(info, key)


def _show_key(info, key: str) -> None:
    codes = ", ".join(code for code, _ in info.regions)
    click.echo(f"anggota / member {info.name} ({codes}), key prefix {info.key_prefix}:")
    click.echo(key)
    click.echo("Simpan sekarang: kunci tidak dapat ditampilkan lagi. Di instansi anggota: "
               "LAPOR_BRIDGE_FEDERATION__KEY=<kunci> lapor-bridge federation join <URL provinsi>"
               " / Store it now: it cannot be shown again.", err=True)


@federation.command("rotate-key")
@click.argument("name")
@click.pass_obj
def rotate_key_command(cli, name: str) -> None:
    """(Province) A new key for member NAME (the old one stops working; a removed member
    is active again); printed once."""
    from lapor_bridge.services.federation.members import rotate_key

    try:
        info, key = rotate_key(cli.services(), name)
    except NotFound as exc:
        raise _fail(exc) from exc
    _show_key(info, key)


@federation.command("members")
@click.pass_obj
def members_command(cli) -> None:
    """(Province) List members: regions, records, last push, lag, drift."""
    from lapor_bridge.services.federation.members import list_members

    for info in list_members(cli.services()):
        state = "aktif" if info.active else f"dicabut {info.removed_at:%Y-%m-%d}"
        drift = "—" if info.drift is None else sum(
            info.drift.get(kind, 0) for kind in ("missing", "behind", "ahead", "extra"))
        click.echo(f"{info.name}\t{state}\t{','.join(code for code, _ in info.regions)}\t"
                   f"{info.records} laporan\tpush {info.last_push_at or '—'}\t"
                   f"lag {'—' if info.last_lag_seconds is None else round(info.last_lag_seconds)} s"
                   f"\tdrift {drift}")


@federation.command("remove-member")
@click.argument("name")
@click.pass_obj
def remove_member_command(cli, name: str) -> None:
    """(Province) Revoke member NAME's key; its records are kept, marked inactive."""
    from lapor_bridge.services.federation.members import remove_member

    try:
        info = remove_member(cli.services(), name)
    except NotFound as exc:
        raise _fail(exc) from exc
    click.echo(f"anggota / member {info.name} dicabut / removed; {info.records} laporan "
               f"tetap disimpan / records kept")


@federation.command("join")
@click.argument("province_url")
@click.pass_obj
def join_command(cli, province_url: str) -> None:
    """(Member) Join the province at PROVINCE_URL with the key in [federation] key."""
    from lapor_bridge.services.federation.client import FederationError
    from lapor_bridge.services.federation.uplink import join

    try:
        uplink = join(cli.services(), province_url)
    except (FederationError, ValidationFailed) as exc:
        raise _fail(exc) from exc
    click.echo(f"bergabung / joined {uplink.province_name} sebagai / as {uplink.member_name} "
               f"({', '.join(uplink.region_codes)}); semua laporan diantrekan / every "
               f"complaint queued")


@federation.command("push")
@click.pass_obj
def push_command(cli) -> None:
    """(Member) Queue changes and send them now."""
    from lapor_bridge.services.federation.client import FederationError
    from lapor_bridge.services.federation.push import push_changes

    try:
        summary = push_changes(cli.services())
    except FederationError as exc:
        raise _fail(exc) from exc
    click.echo(json.dumps(summary.__dict__, ensure_ascii=False))


@federation.command("drift")
@click.pass_obj
def drift_command(cli) -> None:
    """(Member) Compare with the province, queue what differs, print the report."""
    from dataclasses import asdict

    from lapor_bridge.services.federation.client import FederationError
    from lapor_bridge.services.federation.drift import check_drift

    try:
        report = check_drift(cli.services())
    except FederationError as exc:
        raise _fail(exc) from exc
    if report is None:
        raise click.ClickException("belum bergabung / not joined: federation join <URL>")
    click.echo(json.dumps(asdict(report), ensure_ascii=False, indent=1))


@federation.command("status")
@click.pass_obj
def status_command(cli) -> None:
    """(Member) The joined province, the outbox and the last drift check."""
    from lapor_bridge.services.federation.outbox import outbox_counts
    from lapor_bridge.services.federation.uplink import current_uplink

    ctx = cli.services()
    uplink = current_uplink(ctx)
    if uplink is None:
        click.echo("belum bergabung / not joined")
        return
    counts = outbox_counts(ctx)
    click.echo(f"provinsi / province: {uplink.province_name} ({uplink.province_url}) as "
               f"{uplink.member_name}, kab/kota {', '.join(uplink.region_codes)}")
    click.echo(f"outbox: {counts.pending} pending, {counts.sent} sent, {counts.dead} dead; "
               f"last push {uplink.last_push_at or '—'}; last error {uplink.last_error or '—'}")
    click.echo(f"drift: {json.dumps(uplink.drift, ensure_ascii=False) if uplink.drift else '—'}")


@federation.command("retry-dead")
@click.pass_obj
def retry_dead_command(cli) -> None:
    """(Member) Send the dead-lettered complaints again (after fixing the cause)."""
    from lapor_bridge.services.federation.outbox import retry_dead

    click.echo(f"{retry_dead(cli.services())} laporan diantrekan ulang / requeued")


@federation.command("leave")
@click.confirmation_option(prompt="Stop reporting to the province (it keeps what it has)?")
@click.pass_obj
def leave_command(cli) -> None:
    """(Member) Stop reporting: forget the province and the outbox."""
    from lapor_bridge.services.federation.uplink import leave

    left = leave(cli.services())
    click.echo("keluar / left" if left else "belum bergabung / not joined")
