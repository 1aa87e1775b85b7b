"""The member side's link to its province: join, and what it knows of it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select

from lapor_bridge.db.models import Region
from lapor_bridge.db.models_federation import FederationOutbox, FederationUplink
from lapor_bridge.db.models_stats import StatsWatermark
from lapor_bridge.services.context import ServiceContext
from lapor_bridge.services.errors import ValidationFailed
from lapor_bridge.services.federation.client import ProvinceClient

OUTBOX_WATERMARK = "federation-outbox"
ClientFactory = Callable[[str], ProvinceClient]


@dataclass(frozen=True)
class Uplink:
    """The joined province and the kab/kota this instance reports for."""

    province_url: str
    province_name: str
    member_name: str
    region_codes: tuple[str, ...]
    joined_at: datetime
    last_push_at: datetime | None
    last_error: str | None
    drift: dict | None
    drift_checked_at: datetime | None


def client_factory(ctx: ServiceContext) -> ClientFactory:
    """Clients for a province URL with this instance's key and timeouts."""
    return lambda url: ProvinceClient(url, ctx.settings.federation)


def join(ctx: ServiceContext, province_url: str,
         clients: ClientFactory | None = None) -> Uplink:
    """Check the key with the province, record the link and queue every complaint of the
    registered kab/kota for sending (the next push sends the history; a province that
    already holds some answers "duplicate" for them)."""
    if not province_url.startswith(("http://", "https://")):
        raise ValidationFailed({"province_url": "Alamat provinsi harus http(s)://…"})
    client = (clients or client_factory(ctx))(province_url)
    try:
        hello = client.hello()
    finally:
        client.close()
    codes = tuple(sorted(hello.get("regions", [])))
    with ctx.transaction() as session:
        local = set(session.scalars(select(Region.code).where(Region.code.in_(codes))))
        unknown = sorted(set(codes) - local)
        if not codes or unknown:
            raise ValidationFailed({"regions": "Provinsi mendaftarkan kab/kota yang tidak ada "
                                               f"di instansi ini: {', '.join(unknown) or '—'}"})
        session.execute(delete(FederationUplink))
        session.execute(delete(FederationOutbox))
        session.add(FederationUplink(
            province_url=province_url.rstrip("/"), member_name=str(hello["member"]),
            province_name=str(hello["province"]), regions=list(codes), joined_at=ctx.clock()))
        session.execute(delete(StatsWatermark).where(StatsWatermark.name == OUTBOX_WATERMARK))
    found = current_uplink(ctx)
    assert found is not None
    return found


def leave(ctx: ServiceContext) -> bool:
    """Forget the province and the outbox (the province keeps what it received); False
    when this instance had not joined."""
    with ctx.transaction() as session:
        left = session.execute(delete(FederationUplink)).rowcount > 0
        session.execute(delete(FederationOutbox))
        session.execute(delete(StatsWatermark).where(StatsWatermark.name == OUTBOX_WATERMARK))
    return left


def current_uplink(ctx: ServiceContext) -> Uplink | None:
    """The province this instance joined, if any."""
    with ctx.read() as session:
        row = session.scalar(select(FederationUplink))
        if row is None:
            return None
        return Uplink(row.province_url, row.province_name, row.member_name,
                      tuple(row.regions), row.joined_at, row.last_push_at, row.last_error,
                      row.drift, row.drift_checked_at)
