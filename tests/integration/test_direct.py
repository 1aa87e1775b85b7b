"""db.direct: a precompiled statement run alone, in autocommit, on a pooled driver connection."""

import pytest
from sqlalchemy import (
    JSON,
    Column,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    bindparam,
    cast,
    create_engine,
    func,
    insert,
    select,
    text,
)
from sqlalchemy.exc import IntegrityError, OperationalError

from lapor_bridge.db.direct import Precompiled, run_autocommit

PROBES = Table("direct_probes", MetaData(), Column("id", Integer, primary_key=True),
               Column("key", String(20), unique=True), Column("doc", JSON))
INSERT = insert(PROBES).values(key=bindparam("key"), doc=bindparam("doc")).returning(PROBES.c.id)
BACKEND = select(func.pg_backend_pid())


@pytest.fixture
def engine(settings):
    """One pooled connection, so every call below gets the same one back."""
    if not settings.database.url.startswith("postgresql"):
        pytest.skip("statements are sent alone in autocommit on PostgreSQL only")
    engine = create_engine(settings.database.url, pool_size=1, max_overflow=0)
    PROBES.create(engine)
    yield engine
    PROBES.drop(engine)
    engine.dispose()


def run(engine, statement, **values):
    return run_autocommit(engine, Precompiled(statement, engine.dialect), values)


def pooled_autocommit(engine) -> bool:
    with engine.connect() as connection:
        return connection.connection.driver_connection.autocommit


def test_the_statement_is_its_own_transaction_and_the_pool_gets_a_normal_connection(engine):
    # A transaction begun before the statement started earlier than the statement did.
    assert run(engine, select(func.now() == func.statement_timestamp())) == (True,)
    assert pooled_autocommit(engine) is False
    with engine.begin() as connection:
        assert connection.scalar(select(func.now() == func.statement_timestamp())) is False


def test_parameters_go_through_their_types_and_rows_come_back(engine):
    first = run(engine, INSERT, key="a", doc={"agency": ["PUPR", 0.9]})
    with engine.connect() as connection:
        assert connection.execute(select(PROBES.c.id, PROBES.c.doc)).all() == [
            (first[0], {"agency": ["PUPR", 0.9]})]
    assert run(engine, select(cast(bindparam("doc", type_=JSON), Text)), doc=[1]) == ("[1]",)
    assert run(engine, select(PROBES.c.id).where(PROBES.c.key == bindparam("key")),
               key="none") is None


def test_a_failing_statement_raises_sqlalchemys_error_and_keeps_the_connection(engine):
    run(engine, INSERT, key="a", doc=None)
    backend = run(engine, BACKEND)
    with pytest.raises(IntegrityError) as failure:
        run(engine, INSERT, key="a", doc=None)
    assert "direct_probes_key_key" in str(failure.value.orig)
    assert not failure.value.connection_invalidated
    assert pooled_autocommit(engine) is False and run(engine, BACKEND) == backend
    assert run(engine, INSERT, key="b", doc=None)  # nothing half-done is left behind


def test_a_connection_the_server_dropped_is_invalidated_and_replaced(engine, settings):
    backend = run(engine, BACKEND)[0]
    admin = create_engine(settings.database.url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        assert connection.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend})
    admin.dispose()
    with pytest.raises(OperationalError) as failure:
        run(engine, BACKEND)
    assert failure.value.connection_invalidated
    assert run(engine, BACKEND)[0] != backend
    assert pooled_autocommit(engine) is False


def test_values_written_into_the_statement_are_refused(engine):
    with pytest.raises(ValueError, match="name every parameter"):
        Precompiled(select(PROBES.c.id).where(PROBES.c.key == "a"), engine.dialect)
