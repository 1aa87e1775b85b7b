"""The storage half of intake: place and agency look-up, then the rows of a new complaint.

Intake is the hottest write path, so it speaks SQL directly: one query finds the
region, the kecamatan, the kelurahan and the region's active agencies together, and
Core inserts write the complaint, its contact, its first events, its photos and the
LAPOR! outbox row (no ORM unit of work to build and sort for objects that are
written once and never read back here). The caller owns the transaction and
passes its connection.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any, NamedTuple

from sqlalchemy import (
    Connection,
    and_,
    bindparam,
    func,
    insert,
    literal,
    literal_column,
    select,
    union_all,
)
from sqlalchemy.dialects import postgresql

from lapor_bridge.db.models import (
    Agency,
    Attachment,
    Complaint,
    ComplaintEvent,
    District,
    OutboxMessage,
    Region,
    ReporterContact,
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


def find_place(connection: Connection, region_code: str, kecamatan: str | None,
               kelurahan: str | None) -> Place | None:
    """One round trip: the region (None when unknown), the named places, its agencies."""
    rows = connection.execute(PLACE_QUERY, {
        "region": region_code,
        "kecamatan": (kecamatan or "").strip().lower() or None,
        "kelurahan": (kelurahan or "").strip().lower() or None,
    }).all()
    if not rows:
        return None
    first = rows[0]
    return Place(
        region_id=first[0], region_name=first[1], district_id=first[2], district_name=first[3],
        village_id=first[4],
        agencies={row[6]: AgencyRow(row[5], row[6], row[7], row[8])
                  for row in rows if row[5] is not None},
    )


# Timestamp columns of the first events and the outbox row: the complaint's created_at.
CHILD_STAMPS = ("created_at", "updated_at", "next_attempt_at")


def insert_complaint(connection: Connection, complaint: dict[str, Any],
                     events: list[dict[str, Any]], outbox: dict[str, Any] | None) -> int:
    """Insert the complaint, its first events and its outbox row; return the complaint's id.

    ``events`` and ``outbox`` leave out ``complaint_id`` and their timestamps: both come
    from the complaint. On PostgreSQL this is one statement (data-modifying CTEs), so one
    round trip; SQLite, in-process, takes the inserts one after another.
    """
    if connection.dialect.name == "postgresql":
        children = [(EVENTS, event) for event in events] + ([(OUTBOX, outbox)] if outbox else [])
        statement = _combined_insert(tuple(complaint), tuple(
            (table.name, tuple(row)) for table, row in children))
        params = {f"c_{name}": value for name, value in complaint.items()}
        for n, (_, row) in enumerate(children):
            params.update({f"r{n}_{name}": value for name, value in row.items()})
        return connection.execute(statement, params).scalar_one()
    complaint_id = connection.execute(
        insert(COMPLAINTS).returning(COMPLAINTS.c.id), complaint).scalar_one()
    for table, rows in ((EVENTS, events), (OUTBOX, [outbox] if outbox else [])):
        if rows:
            stamps = {name: complaint["created_at"] for name in CHILD_STAMPS if name in table.c}
            connection.execute(insert(table), [
                {**row, **stamps, "complaint_id": complaint_id} for row in rows])
    return complaint_id


@lru_cache(maxsize=32)
def _combined_insert(complaint_keys: tuple[str, ...],
                     children: tuple[tuple[str, tuple[str, ...]], ...]):
    """``WITH c AS (INSERT complaint RETURNING …), INSERT child rows SELECT … FROM c``.

    ``children`` is ``(table name, column names)`` per row; parameters are named
    ``c_<column>`` for the complaint and ``r<n>_<column>`` for the n-th child row.
    Python-side column defaults are not applied inside a CTE: scalar ones are written
    into the SQL here, callable ones must be given (or be a child's timestamp). Fewer
    than 50 parameters keep the statement in psycopg's conversion cache.
    """
    values = {name: _param(COMPLAINTS, "c_", name) for name in complaint_keys}
    new = (insert(COMPLAINTS).values({**_scalar_defaults(COMPLAINTS, values), **values})
           .returning(COMPLAINTS.c.id, COMPLAINTS.c.created_at).cte("new_complaint"))
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
            raise ValueError(f"{table.name}.{column.name}: give it (no column defaults in a CTE)")
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
