"""Alembic environment: the URL comes from lapor-bridge settings, not alembic.ini."""

from __future__ import annotations

from alembic import context

import lapor_bridge.db.all_models  # noqa: F401  (registers every table)
from lapor_bridge.db.engine import make_engine
from lapor_bridge.db.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_offline() -> None:
    """Emit SQL without a database connection."""
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run migrations on a live connection (shared one when given by the caller)."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    from lapor_bridge.config import DatabaseSettings

    engine = make_engine(DatabaseSettings(url=config.get_main_option("sqlalchemy.url")))
    try:
        with engine.connect() as connection:
            _run(connection)
    finally:
        engine.dispose()


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
