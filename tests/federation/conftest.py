"""Fixtures for federation: a provincial instance (its own database, served over HTTP)
and the test's ``ctx`` as a member joined to it."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import delete

import lapor_bridge.db.all_models  # noqa: F401
from lapor_bridge.config import load_settings
from lapor_bridge.db.engine import make_engine, make_session_factory
from lapor_bridge.db.migrate import upgrade_to_head
from lapor_bridge.db.models import Base
from lapor_bridge.services.context import ServiceContext
from lapor_bridge.services.federation.members import add_member
from lapor_bridge.services.federation.uplink import join
from lapor_bridge.services.seed import seed_province
from tests.conftest import _postgres_database, serving

MEMBER_REGIONS = [("33.76", "Kota Tegal")]


@pytest.fixture(scope="session")
def province_url(database_url, tmp_path_factory):
    """A migrated provincial database on the same backend as the member's."""
    if database_url.startswith("sqlite"):
        urls = iter([f"sqlite:///{tmp_path_factory.mktemp('province') / 'province.db'}"])
    else:
        urls = _postgres_database()
    for url in urls:
        settings = load_settings(environ={}, overrides={"database.url": url})
        engine = make_engine(settings.database)
        upgrade_to_head(engine)
        engine.dispose()
        yield url


@pytest.fixture
def province(province_url, tmp_path):
    """The province's service context (seeded: the province and its coordinator); emptied
    after the test."""
    settings = load_settings(environ={}, overrides={
        "database.url": province_url, "app.region_code": "33", "app.secret_key": "p-secret",
        "app.instance_dir": str(tmp_path / "province")})
    engine = make_engine(settings.database)
    context = ServiceContext(settings, make_session_factory(engine))
    seed_province(context)
    yield context
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(delete(table))
    engine.dispose()


@pytest.fixture
def province_app(province):
    """The province's web app."""
    from lapor_bridge.web import create_app

    application = create_app(context=province)
    application.config["TESTING"] = True
    return application


@pytest.fixture
def province_http(province_app):
    """The province's base URL on loopback."""
    with serving(province_app) as url:
        yield url


def as_member(ctx: ServiceContext, key: str, **federation) -> ServiceContext:
    """``ctx`` holding the member ``key`` (and other ``[federation]`` settings)."""
    values = {"key": key, "backoff_base_seconds": 1.0, "backoff_max_seconds": 4.0,
              "read_timeout": 5.0, "public_url": "https://lapor.tegalkota.go.id", **federation}
    settings = dataclasses.replace(
        ctx.settings, federation=dataclasses.replace(ctx.settings.federation, **values))
    return dataclasses.replace(ctx, settings=settings)


@pytest.fixture
def member_key(province):
    """The key of member "Kota Tegal" registered at the province for 33.76."""
    _, key = add_member(province, "Kota Tegal", MEMBER_REGIONS, "https://lapor.tegalkota.go.id")
    return key


@pytest.fixture
def member(ctx, member_key, province_http):
    """The test's ``ctx`` as a member joined to the province."""
    context = as_member(ctx, member_key)
    join(context, province_http)
    return context
