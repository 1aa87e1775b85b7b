"""The PostgreSQL pool: a connection the server dropped is replaced, not handed out."""

import pytest
from sqlalchemy import create_engine, text

from lapor_bridge.db import engine as engine_module
from lapor_bridge.db.engine import make_engine

BACKEND = "SELECT pg_backend_pid()"


@pytest.fixture
def pg_engine(settings):
    if not settings.database.url.startswith("postgresql"):
        pytest.skip("server-side connection termination exists on PostgreSQL only")
    engine = make_engine(settings.database)
    yield engine
    engine.dispose()


def terminate(settings, pid: int) -> None:
    admin = create_engine(settings.database.url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        assert connection.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    admin.dispose()


def test_an_idle_connection_killed_by_the_server_is_replaced_on_checkout(
        settings, pg_engine, monkeypatch):
    with pg_engine.connect() as connection:
        killed = connection.scalar(text(BACKEND))
    terminate(settings, killed)
    monkeypatch.setattr(engine_module, "PING_AFTER_IDLE_SECONDS", 0.0)
    with pg_engine.connect() as connection:  # pinged, found dead, replaced: no error
        assert connection.scalar(text(BACKEND)) != killed


def test_a_busy_connection_is_reused_without_a_ping(pg_engine, monkeypatch):
    statements = []
    monkeypatch.setattr(engine_module, "PING_AFTER_IDLE_SECONDS", 3600.0)
    with pg_engine.connect() as connection:
        first = connection.scalar(text(BACKEND))
    original = pg_engine.dialect.do_ping
    monkeypatch.setattr(pg_engine.dialect, "do_ping",
                        lambda dbapi: statements.append("ping") or original(dbapi))
    with pg_engine.connect() as connection:
        assert connection.scalar(text(BACKEND)) == first
    assert statements == []
