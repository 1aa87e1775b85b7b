"""The kecamatan and kelurahan of a region, for pickers."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lapor_bridge.db.models import District, Region
from lapor_bridge.services.context import ServiceContext


def kecamatan_map(ctx: ServiceContext, region_code: str | None = None) -> dict[str, list[str]]:
    """Kecamatan name → its kelurahan names, both sorted; empty when the region is unknown."""
    code = region_code or ctx.settings.app.region_code
    with ctx.read() as session:
        districts = session.scalars(
            select(District)
            .join(Region, Region.id == District.region_id)
            .where(Region.code == code)
            .options(selectinload(District.villages))
            .order_by(District.name)
        )
        return {district.name: [v.name for v in district.villages] for district in districts}
