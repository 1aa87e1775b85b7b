"""``lapor-bridge lapor-sim``: run the LAPOR! simulator in the foreground."""

from __future__ import annotations

from pathlib import Path

import click
from werkzeug.serving import make_server

from lapor_bridge.config import LaporSettings
from lapor_bridge.lapor.simulator.app import API_PREFIX, CONTROL_PREFIX, create_sim_app
from lapor_bridge.lapor.simulator.faults import FAIL_KINDS, FaultConfig


def _latency(_ctx: click.Context, _param: click.Parameter, value: str | None):
    if value is None:
        return None
    low, sep, high = value.partition("..")
    try:
        pair = (int(low), int(high if sep else low))
    except ValueError as exc:
        raise click.BadParameter("use A..B in milliseconds, e.g. 20..200") from exc
    if not 0 <= pair[0] <= pair[1]:
        raise click.BadParameter("need 0 <= A <= B")
    return pair


def _rate(_ctx: click.Context, _param: click.Parameter, value: str | None):
    if value is None:
        return None
    number = value.removesuffix("/s")
    try:
        rate = float(number)
    except ValueError as exc:
        raise click.BadParameter("use R/s, e.g. 5/s") from exc
    if rate <= 0:
        raise click.BadParameter("the rate must be positive")
    return rate


@click.command("lapor-sim")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8500, show_default=True, type=int, help="Port to listen on.")
@click.option(
    "--db",
    "db_path",
    default="instance/lapor-sim.db",
    show_default=True,
    type=click.Path(dir_okay=False),
    help="SQLite store; kept across restarts.",
)
@click.option(
    "--token", default=LaporSettings.token, show_default=True, help="Expected `token` header."
)
@click.option(
    "--secret",
    default=LaporSettings.secret,
    show_default=True,
    help="Expected `Authorization: Bearer` secret.",
)
@click.option("--seed", type=int, help="Seed for fault decisions, so a run can be replayed.")
@click.option("--latency-ms", callback=_latency, metavar="A..B", help="Delay every API request.")
@click.option(
    "--fail-rate",
    default=0.0,
    type=click.FloatRange(0, 1),
    help="Share of API requests that fail with one of --fail-kinds.",
)
@click.option(
    "--fail-kinds",
    default=",".join(FAIL_KINDS),
    show_default=True,
    help="Failures to pick from.",
)
@click.option(
    "--hang-ms",
    default=FaultConfig.hang_ms,
    show_default=True,
    type=int,
    help="How long a `timeout` failure hangs before answering 504.",
)
@click.option("--rate-limit", callback=_rate, metavar="R/s", help="Answer 429 above R requests/s.")
@click.option(
    "--lost-response-rate",
    default=0.0,
    type=click.FloatRange(0, 1),
    help="Share of POSTs carried out whose response is then dropped.",
)
@click.option(
    "--disorder-rate",
    default=0.0,
    type=click.FloatRange(0, 1),
    help="Share of GETs whose history and follow-ups come shuffled, one entry twice.",
)
@click.option(
    "--auto-dispose",
    is_flag=True,
    help="Verify and dispose reports created through the API at once.",
)
def lapor_sim(
    host: str,
    port: int,
    db_path: str,
    token: str,
    secret: str,
    seed: int | None,
    latency_ms: tuple[int, int] | None,
    fail_rate: float,
    fail_kinds: str,
    hang_ms: int,
    rate_limit: float | None,
    lost_response_rate: float,
    disorder_rate: float,
    auto_dispose: bool,
) -> None:
    """Run the SP4N-LAPOR! v3 simulator (API under /api/v3, control API under /_sim)."""
    try:
        faults = FaultConfig(
            latency_ms=latency_ms,
            fail_rate=fail_rate,
            fail_kinds=tuple(kind.strip() for kind in fail_kinds.split(",") if kind.strip()),
            rate_limit=rate_limit,
            lost_response_rate=lost_response_rate,
            disorder_rate=disorder_rate,
            hang_ms=hang_ms,
        )
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    Path(db_path).expanduser().resolve().parent.mkdir(parents=True, exist_ok=True)
    app = create_sim_app(db_path, token, secret, seed, faults, auto_dispose=auto_dispose)
    server = make_server(host, port, app, threaded=True)
    root = f"http://{host}:{server.server_port}"
    click.echo(f"LAPOR! simulator: API {root}{API_PREFIX}, control {root}{CONTROL_PREFIX}/")
    click.echo(f"store {db_path}, seed {seed}; Ctrl-C to stop")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        app.extensions["lapor_sim"].store.close()
