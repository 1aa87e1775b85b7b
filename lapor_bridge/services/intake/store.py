"""The storage half of intake: place and agency look-up, then the rows of a new complaint.

Intake is the hottest write path, so it speaks SQL directly: one query finds the
region, the kecamatan, the kelurahan and the region's active agencies together
(remembered for a few seconds per process, ``PlaceCache``), and
Core inserts write the complaint, its contact, its first events, its photos and the
LAPOR! outbox row (no ORM unit of work to build and sort for objects that are
written once and never read back here). On PostgreSQL complaint, events and outbox
row are one statement; a complaint with nothing else to write sends it alone, in
autocommit and straight to the driver (``insert_complaint_alone``), others inside the
caller's transaction (``insert_complaint``).
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any, NamedTuple

from sqlalchemy import (
    Connection,
    Engine,
    and_,
    bindparam,
    exists,
    func,
    insert,
    literal,
    literal_column,
    select,
    union_all,
)
from sqlalchemy.dialects import postgresql

from lapor_bridge.db.direct import Precompiled, run_autocommit
from lapor_bridge.db.models import (
    Agency,
    Attachment,
    Complaint,
    ComplaintEvent,
    District,
    OutboxMessage,
    Region,
    ReporterContact,
    RoutingRule,
    Subscriber,
    Village,
)

COMPLAINTS = Complaint.__table__
EVENTS = ComplaintEvent.__table__
OUTBOX = OutboxMessage.__table__


class AgencyRow(NamedTuple):
    """An active agency of the complaint's region."""

    id: int
    code: str
    name: str
    is_triage: bool


@dataclass(frozen=True)
class Place:
    """Where a complaint belongs: ids are None where the name did not match (or was blank)."""

    region_id: int
    region_name: str
    district_id: int | None
    district_name: str | None
    village_id: int | None
    agencies: dict[str, AgencyRow]
    routing: dict[str, str] = field(default_factory=dict)  # category → active agency code


def _place_query():
    regions, districts, villages, agencies = (
        Region.__table__, District.__table__, Village.__table__, Agency.__table__)
    joined = (
        regions.outerjoin(districts, and_(districts.c.region_id == regions.c.id,
                                          func.lower(districts.c.name) == bindparam("kecamatan")))
        .outerjoin(villages, and_(villages.c.district_id == districts.c.id,
                                  func.lower(villages.c.name) == bindparam("kelurahan")))
        .outerjoin(agencies, and_(agencies.c.region_id == regions.c.id,
                                  agencies.c.active.is_(True)))
    )
    return (select(regions.c.id, regions.c.name, districts.c.id, districts.c.name,
                   villages.c.id, agencies.c.id, agencies.c.code, agencies.c.name,
                   agencies.c.is_triage)
            .select_from(joined).where(regions.c.code == bindparam("region")))


PLACE_QUERY = _place_query()


def _routing_query():
    rules, agencies = RoutingRule.__table__, Agency.__table__
    return (select(rules.c.category, agencies.c.code)
            .join_from(rules, agencies, agencies.c.id == rules.c.agency_id)
            .where(rules.c.region_id == bindparam("region_id"), agencies.c.active.is_(True)))


ROUTING_QUERY = _routing_query()


def find_place(engine: Engine, region_code: str, kecamatan: str | None,
               kelurahan: str | None) -> Place | None:
    """Two queries on one connection: the region (None when unknown), the named places
    and its agencies; then its routing table."""
    with engine.connect() as connection:
        rows = connection.execute(PLACE_QUERY, {
            "region": region_code,
            "kecamatan": _name_key(kecamatan),
            "kelurahan": _name_key(kelurahan),
        }).all()
        if not rows:
            return None
        first = rows[0]
        routing = dict(connection.execute(ROUTING_QUERY, {"region_id": first[0]}).all())
    return Place(
        region_id=first[0], region_name=first[1], district_id=first[2], district_name=first[3],
        village_id=first[4],
        agencies={row[6]: AgencyRow(row[5], row[6], row[7], row[8])
                  for row in rows if row[5] is not None},
        routing=routing,
    )


def _name_key(name: str | None) -> str | None:
    return (name or "").strip().lower() or None


class PlaceCache:
    """Places found recently, with their region's active agencies and routing table,
    for ``seconds`` (so a routing-table change reaches intake within that time).

    Per process and bounded. Only complete matches are kept, so a name that did not
    match is looked up again; the complaint insert re-checks that its agency is still
    active (``insert_complaint`` returns None otherwise and intake forgets the entry).
    """

    MAX_ENTRIES = 4096

    def __init__(self, seconds: float, clock=time.monotonic) -> None:
        self.seconds = seconds
        self.clock = clock
        self._entries: dict[tuple, tuple[float, Place]] = {}

    def find(self, engine: Engine, region_code: str, kecamatan: str | None,
             kelurahan: str | None) -> Place | None:
        """``find_place``, answered from memory while the entry is fresh."""
        key = (region_code, _name_key(kecamatan), _name_key(kelurahan))
        entry = self._entries.get(key)
        if entry is not None and entry[0] > self.clock():
            return entry[1]
        place = find_place(engine, region_code, kecamatan, kelurahan)
        if self.seconds > 0 and place is not None and place.village_id is not None:
            if len(self._entries) >= self.MAX_ENTRIES:
                self._entries.clear()
            self._entries[key] = (self.clock() + self.seconds, place)
        return place

    def forget(self) -> None:
        """Drop every entry (an agency changed under one of them)."""
        self._entries.clear()


# Timestamp columns of the first events and the outbox row: the complaint's created_at.
CHILD_STAMPS = ("created_at", "updated_at", "next_attempt_at")


def writes_in_one_statement(dialect: str) -> bool:
    """Whether complaint, events and outbox row are one statement on this database."""
    return dialect == "postgresql"


def insert_complaint(connection: Connection, complaint: dict[str, Any],
                     events: list[dict[str, Any]], outbox: dict[str, Any] | None) -> int | None:
    """Insert the complaint, its first events and its outbox row in the caller's
    transaction; return the complaint's id, or None (nothing written) when the
    complaint's agency is no longer active.

    ``events`` and ``outbox`` leave out ``complaint_id`` and their timestamps: both come
    from the complaint. On PostgreSQL this is one statement (data-modifying CTEs), so one
    round trip; SQLite, in-process, takes the inserts one after another.
    """
    if writes_in_one_statement(connection.dialect.name):
        statement, params = _combined(complaint, events, outbox)
        return connection.execute(statement, params).scalar()
    complaint_id = connection.execute(_complaint_insert(tuple(complaint)), {
        f"c_{name}": value for name, value in complaint.items()}).scalar()
    if complaint_id is None:
        return None
    for table, rows in ((EVENTS, events), (OUTBOX, [outbox] if outbox else [])):
        if rows:
            stamps = {name: complaint["created_at"] for name in CHILD_STAMPS if name in table.c}
            connection.execute(insert(table), [
                {**row, **stamps, "complaint_id": complaint_id} for row in rows])
    return complaint_id


def insert_complaint_alone(engine: Engine, complaint: dict[str, Any],
                           events: list[dict[str, Any]],
                           outbox: dict[str, Any] | None) -> int | None:
    """``insert_complaint`` as one statement that commits by itself, for a complaint with
    nothing else to write (only where ``writes_in_one_statement``): no transaction
    round trips, and no SQLAlchemy work per execution (``db.direct``)."""
    statement, params = _combined(complaint, events, outbox)
    row = run_autocommit(engine, _precompiled(statement, engine.dialect), params)
    return row[0] if row else None


def _combined(complaint, events, outbox):
    """The combined insert for these rows' columns, and its parameters."""
    children = [(EVENTS, event) for event in events] + ([(OUTBOX, outbox)] if outbox else [])
    statement = _combined_insert(tuple(complaint), tuple(
        (table.name, tuple(row)) for table, row in children))
    params = {f"c_{name}": value for name, value in complaint.items()}
    for n, (_, row) in enumerate(children):
        params.update({f"r{n}_{name}": value for name, value in row.items()})
    return statement, params


@lru_cache(maxsize=32)
def _precompiled(statement, dialect) -> Precompiled:
    return Precompiled(statement, dialect)


@lru_cache(maxsize=32)
def _complaint_insert(keys: tuple[str, ...]):
    """``INSERT complaint SELECT <parameters> WHERE its agency is active RETURNING id,
    created_at``; parameters are named ``c_<column>``. Python-side column defaults are
    not applied to an INSERT … SELECT: scalar ones are written into the SQL here,
    callable ones must be given."""
    values = {name: _param(COMPLAINTS, "c_", name) for name in keys}
    columns = {**_scalar_defaults(COMPLAINTS, values), **values}
    agencies = Agency.__table__
    active = exists().where(agencies.c.id == values["agency_id"], agencies.c.active.is_(True))
    return (insert(COMPLAINTS)
            .from_select(list(columns), select(*columns.values()).where(active))
            .returning(COMPLAINTS.c.id, COMPLAINTS.c.created_at))


@lru_cache(maxsize=32)
def _combined_insert(complaint_keys: tuple[str, ...],
                     children: tuple[tuple[str, tuple[str, ...]], ...]):
    """``WITH c AS (INSERT complaint …), INSERT child rows SELECT … FROM c``.

    ``children`` is ``(table name, column names)`` per row; parameters are named
    ``c_<column>`` for the complaint (see ``_complaint_insert``) and ``r<n>_<column>``
    for the n-th child row, whose scalar defaults are written into the SQL too. Fewer
    than 50 parameters keep the statement in psycopg's conversion cache.
    """
    new = _complaint_insert(complaint_keys).cte("new_complaint")
    statement = select(new.c.id)
    for table in (EVENTS, OUTBOX):
        rows = [(n, keys) for n, (name, keys) in enumerate(children) if name == table.name]
        if not rows:
            continue
        keys = rows[0][1]
        stamps = [name for name in CHILD_STAMPS if name in table.c]
        constants = _scalar_defaults(table, {*keys, *stamps, "complaint_id"})
        columns = ["complaint_id", *keys, *stamps, *constants]
        selects = [select(new.c.id, *(_param(table, f"r{n}_", name) for name in keys),
                          *(new.c.created_at for _ in stamps), *constants.values())
                   for n, _ in rows]
        source = selects[0] if len(selects) == 1 else union_all(*selects)
        statement = statement.add_cte(
            insert(table).from_select(columns, source).cte(f"new_{table.name}"))
    return statement


def _scalar_defaults(table, given) -> dict[str, Any]:
    """SQL literals for the scalar defaults of the columns not ``given``; callables refused."""
    constants = {}
    for column in table.c:
        if column.name in given or column.default is None:
            continue
        if not column.default.is_scalar:
            raise ValueError(f"{table.name}.{column.name}: give it (INSERT … SELECT applies "
                             "no column defaults)")
        sql = literal(column.default.arg, column.type).compile(
            dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True})
        constants[column.name] = literal_column(str(sql), column.type)
    return constants


def _param(table, prefix: str, name: str):
    return bindparam(prefix + name, type_=table.c[name].type)


def outbox_create_row(tracking_number: str) -> dict[str, Any]:
    """The LAPOR! outbox row that pushes a new complaint up (see ``insert_complaint``)."""
    return {"kind": "create", "idempotency_key": uuid.uuid4().hex,
            "payload": {"tracking_number": tracking_number}}


def insert_contact(connection: Connection, complaint_id: int, **fields: Any) -> None:
    """The reporter's contact, kept in its own erasable row."""
    connection.execute(insert(ReporterContact.__table__), {"complaint_id": complaint_id, **fields})


def insert_attachment(connection: Connection, complaint_id: int, **fields: Any) -> None:
    """Metadata of one stored photo."""
    connection.execute(insert(Attachment.__table__), {"complaint_id": complaint_id, **fields})


def insert_subscriber(connection: Connection, complaint_id: int, chat_id: int,
                      now: datetime) -> None:
    """The reporting Telegram chat follows its new complaint."""
    connection.execute(insert(Subscriber.__table__),
                    {"complaint_id": complaint_id, "chat_id": chat_id, "created_at": now})
