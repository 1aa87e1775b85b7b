"""Core statements compiled once and sent straight to the driver (the hottest write).

For a statement as large as intake's combined insert, SQLAlchemy's work at each
execution (parameter processing, execution context, result wrapping, the autocommit
switch of a ``Connection``) costs more client CPU than the round trip itself.
``Precompiled`` does the compiling once; ``run_autocommit`` sends it on a pooled
connection in autocommit mode. What callers see stays SQLAlchemy's: errors come out as
``sqlalchemy.exc`` classes (``IntegrityError``, ``OperationalError``…), a connection the
server dropped is invalidated, and the pool's checkout events (the idle ping) apply.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Dialect, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import Executable


class Precompiled:
    """A statement's SQL for one dialect, with its parameters' bind processors."""

    def __init__(self, statement: Executable, dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        literal = sorted(name for name, bind in compiled.binds.items() if bind.value is not None)
        if literal:
            raise ValueError(f"name every parameter (values inside the statement: {literal})")
        self.sql = str(compiled)
        self.processors = {}
        for name, bind in compiled.binds.items():
            processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if processor is not None:
                self.processors[name] = processor

    def parameters(self, values: dict[str, Any]) -> dict[str, Any]:
        """``values`` as the driver takes them (JSON wrapped, and so on)."""
        converted = dict(values)
        for name, processor in self.processors.items():
            converted[name] = processor(converted[name])
        return converted


def run_autocommit(engine: Engine, statement: Precompiled, values: dict[str, Any]) -> Any:
    """Run ``statement`` by itself (it commits alone) and return its first row, or None.

    The pooled connection goes back to the pool out of autocommit; one that cannot be
    put back (the server dropped it, or it is in an unknown state) is invalidated.
    """
    dialect = engine.dialect
    driver_error = dialect.loaded_dbapi.Error
    parameters = statement.parameters(values)
    pooled = engine.raw_connection()
    driver = pooled.driver_connection
    try:
        driver.autocommit = True
        with driver.cursor() as cursor:
            cursor.execute(statement.sql, parameters)
            return cursor.fetchone()
    except driver_error as exc:
        lost = dialect.is_disconnect(exc, driver, None)
        if lost:
            pooled.invalidate(exc)
        raise DBAPIError.instance(statement.sql, parameters, exc, driver_error,
                                  connection_invalidated=lost, dialect=dialect) from exc
    finally:
        if pooled.is_valid:
            try:
                driver.autocommit = False
            except driver_error as exc:
                pooled.invalidate(exc)
        pooled.close()
