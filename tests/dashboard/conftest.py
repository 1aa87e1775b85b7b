"""Helpers for dashboard tests: file and work complaints at chosen moments, extra regions."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from lapor_bridge.db.models import Agency, District, Region, User, Village
from lapor_bridge.domain.calendar import WIB
from lapor_bridge.services import workflow
from lapor_bridge.services.accounts import principal_of
from lapor_bridge.services.dashboards.refresh import refresh_metrics
from lapor_bridge.services.intake.submit import ComplaintInput, submit_complaint
from lapor_bridge.services.passwords import hash_password
from tests.fakes import FixedModel


def wib(*parts) -> datetime:
    """A moment in WIB."""
    return datetime(*parts, tzinfo=WIB)


class Desk:
    """Acts on complaints at chosen moments, as demo users."""

    def __init__(self, ctx):
        self.ctx = ctx

    def at(self, moment: datetime) -> Desk:
        self.ctx.clock = lambda: moment
        return self

    def user(self, username: str):
        with self.ctx.read() as session:
            return principal_of(session.scalar(select(User).where(User.username == username)))

    def file(self, code="DLH", score=0.99, **fields) -> str:
        self.ctx.classifier = FixedModel.routing_to(code, score)
        data = {"title": "Sampah menumpuk di pinggir jalan",
                "description": "Sampah rumah tangga menumpuk sudah seminggu dan berbau busuk.",
                "kecamatan": "Tegal Barat", "kelurahan": "Kraton", **fields}
        return submit_complaint(self.ctx, ComplaintInput(**data)).tracking_number

    def respond(self, number: str, officer="petugas.dlh") -> None:
        workflow.respond(self.ctx, self.user(officer), number, "Sudah kami tangani di lapangan.")

    def resolve(self, number: str, officer="petugas.dlh") -> None:
        workflow.resolve(self.ctx, self.user(officer), number)

    def refresh(self):
        return refresh_metrics(self.ctx)


@pytest.fixture
def desk(ctx):
    """A :class:`Desk` over the test's context."""
    return Desk(ctx)


@pytest.fixture
def other_province(ctx, extra_places):
    """Jawa Timur with Kota Surabaya, its DLH and triage queue, and its own coordinator."""
    with ctx.transaction() as session:
        province = Region(code="35", name="Provinsi Jawa Timur", kind="provinsi")
        session.add(province)
        session.flush()
        city = Region(code="35.78", name="Kota Surabaya", kind="kota", parent_id=province.id)
        session.add(city)
        session.flush()
        district = District(region_id=city.id, name="Genteng")
        session.add(district)
        session.flush()
        session.add(Village(district_id=district.id, name="Embong Kaliasin"))
        session.add_all([Agency(region_id=city.id, code="DLH", name="DLH Kota Surabaya"),
                         Agency(region_id=city.id, code="TRIAGE", name="Verifikasi Surabaya",
                                is_triage=True)])
        session.add(User(username="koordinator.jatim", full_name="Koordinator Jawa Timur",
                         role="coordinator", region_id=province.id,
                         password_hash=hash_password("tegal-demo")))
    return city


LOOKED_AT = wib(2026, 1, 5, 10)


@pytest.fixture
def december(desk):
    """Four DLH complaints of December 2025; three resolved around Christmas, one ignored."""
    desk.at(wib(2025, 12, 1, 10))
    ignored = desk.file()
    desk.at(wib(2025, 12, 23, 9))
    a = desk.file()
    desk.at(wib(2025, 12, 24, 12))
    b = desk.file()
    desk.at(wib(2025, 12, 22, 6))
    c = desk.file()
    desk.at(wib(2025, 12, 22, 18)).respond(c)    # 0.5
    desk.at(wib(2025, 12, 29, 9)).respond(a)     # Tue 09 → Mon 09 over Christmas: 2.0
    desk.at(wib(2025, 12, 29, 12)).respond(b)    # Wed 12 → Mon 12: 1.0
    desk.at(wib(2025, 12, 29, 18)).resolve(b)    # 1.25
    desk.at(wib(2025, 12, 30, 9)).resolve(a)     # 3.0
    desk.at(wib(2025, 12, 31, 6)).resolve(c)     # 5.0
    desk.at(LOOKED_AT).refresh()
    return {"ignored": ignored, "a": a, "b": b, "c": c}
