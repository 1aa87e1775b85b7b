"""Helpers for workflow tests: file a complaint to a chosen agency, act as a demo user."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select

from lapor_bridge.db.models import Agency, Base, Region, User
from lapor_bridge.services.accounts import principal_of
from lapor_bridge.services.intake.submit import ComplaintInput, ContactInput, submit_complaint
from lapor_bridge.services.passwords import hash_password
from tests.fakes import FixedModel


@pytest.fixture
def file(ctx):
    """File a complaint routed to ``code`` (or to triage with a low score); return it."""

    def _file(code="DLH", score=0.99, **fields):
        ctx.classifier = FixedModel.routing_to(code, score)
        data = {
            "title": "Sampah menumpuk di pinggir jalan",
            "description": "Sampah rumah tangga menumpuk sudah seminggu dan berbau busuk.",
            "kecamatan": "Tegal Barat", "kelurahan": "Kraton",
            "contact": ContactInput(name="Budi Santoso", email="budi@example.id",
                                    telegram_chat_id=4242),
        }
        data.update(fields)
        return submit_complaint(ctx, ComplaintInput(**data))

    return _file


EXTRA_OFFICER = "petugas2.dlh"
KEPT_TABLES = {"regions", "districts", "villages", "agencies", "users", "alembic_version",
               "response_templates"}


@pytest.fixture
def staff(ctx):
    """The principal of a user; ``staff("petugas2.dlh")`` creates a second DLH officer.

    The extra officer is removed afterwards (with the complaint data that names it)
    so that other tests see only the demo accounts.
    """

    def _staff(username: str):
        with ctx.transaction() as session:
            user = session.scalar(select(User).where(User.username == username))
            if user is None and username == EXTRA_OFFICER:
                dlh = session.scalar(select(Agency).join(Region).where(
                    Agency.code == "DLH", Region.code == "33.76"))
                user = User(username=username, full_name="Petugas Dua DLH", role="officer",
                            password_hash=hash_password("tegal-demo"), agency_id=dlh.id,
                            region_id=dlh.region_id)
                session.add(user)
                session.flush()
            return principal_of(user)

    yield _staff
    with ctx.transaction() as session:
        if session.scalar(select(User.id).where(User.username == EXTRA_OFFICER)) is None:
            return
        for table in reversed(Base.metadata.sorted_tables):
            if table.name not in KEPT_TABLES:
                session.execute(delete(table))
        session.execute(delete(User).where(User.username == EXTRA_OFFICER))
