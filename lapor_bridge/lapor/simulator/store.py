"""The simulator's own store: one SQLite file (WAL), every operation one transaction.

All methods are thread-safe (one connection behind a lock) and return plain dicts
with times as aware UTC datetimes; the HTTP layers decide how to render them.
Rules that LAPOR! enforces, as far as the simulator plays them, live here.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from lapor_bridge.lapor.simulator.clock import auto_close_due, utc_now
from lapor_bridge.lapor.simulator.masters import INSTITUTIONS, TEMPLATES

BELUM_TERVERIFIKASI = "Belum Terverifikasi"
TERVERIFIKASI = "Terverifikasi"
DALAM_PROSES = "Dalam Proses"
SELESAI = "Selesai"
DIARSIPKAN = "Diarsipkan"
DITOLAK = "Ditolak"
STATUS_CODES = {
    BELUM_TERVERIFIKASI: 0,
    TERVERIFIKASI: 1,
    DALAM_PROSES: 2,
    SELESAI: 3,
    DIARSIPKAN: 4,
    DITOLAK: 5,
}
OPEN_STATUSES = (BELUM_TERVERIFIKASI, TERVERIFIKASI, DALAM_PROSES)
PHASE_FOLLOWED_UP = "Ditindaklanjuti oleh Instansi"
PHASE_REPORTER_REPLIED = "Ditanggapi oleh Pelapor"
PHASE_AUTO_CLOSED = "Selesai otomatis dalam 10 hari"
FIRST_COMPLAINT_ID = 9_100_001

_SCHEMA = """
CREATE TABLE IF NOT EXISTS institutions (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS templates (
    code TEXT PRIMARY KEY, name TEXT NOT NULL, content TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS complaints (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    content TEXT NOT NULL,
    channel INTEGER,
    classification_id INTEGER,
    category_id INTEGER,
    location_id INTEGER,
    disposition_id INTEGER REFERENCES institutions (id),
    user_id INTEGER,
    date_of_incident TEXT,
    tags_raw TEXT NOT NULL DEFAULT '',
    is_anonymous INTEGER NOT NULL DEFAULT 0,
    is_secret INTEGER NOT NULL DEFAULT 0,
    status_name TEXT NOT NULL,
    source TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS complaints_disposition ON complaints (disposition_id);
CREATE TABLE IF NOT EXISTS logs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    complaint_id INTEGER NOT NULL REFERENCES complaints (id),
    institution_from INTEGER,
    institution_to INTEGER,
    status_old TEXT,
    status_new TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS logs_complaint ON logs (complaint_id);
CREATE TABLE IF NOT EXISTS followups (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    complaint_id INTEGER NOT NULL REFERENCES complaints (id),
    institution_from_id INTEGER,
    institution_to_id INTEGER,
    user_id INTEGER,
    is_reporter INTEGER NOT NULL DEFAULT 0,
    template_code TEXT NOT NULL DEFAULT '',
    rating INTEGER NOT NULL DEFAULT 0,
    is_secret INTEGER NOT NULL DEFAULT 0,
    content TEXT NOT NULL,
    created_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS followups_complaint ON followups (complaint_id);
CREATE TABLE IF NOT EXISTS docs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    data BLOB NOT NULL,
    complaint_id INTEGER REFERENCES complaints (id),
    followup_id INTEGER REFERENCES followups (id),
    created_at TEXT NOT NULL);
"""


class SimError(Exception):
    """A request the simulated LAPOR! refuses, with the HTTP status to answer."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class NewComplaint:
    """Fields of a report to store (the create payload, already validated for type)."""

    title: str
    content: str
    disposition_id: int | None
    channel: int | None = None
    classification_id: int | None = None
    category_id: int | None = None
    location_id: int | None = None
    user_id: int | None = None
    date_of_incident: str | None = None
    tags: tuple[str, ...] = ()
    is_anonymous: bool = False
    is_secret: bool = False
    attachment_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class NewFollowup:
    """A follow-up to store; ``institution_from_id`` is ``None`` for the reporter."""

    complaint_id: int
    content: str
    institution_from_id: int | None
    institution_to_id: int | None = None
    user_id: int | None = None
    template_code: str = ""
    rating: int = 0
    is_secret: bool = False
    created_at: datetime | None = None


@dataclass(frozen=True)
class UploadedFile:
    """One uploaded file."""

    filename: str
    content_type: str
    data: bytes


class SimStore:
    """The simulated LAPOR! database."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self._lock = threading.RLock()
        self._db = sqlite3.connect(path, check_same_thread=False)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA foreign_keys=ON")
        with self._tx() as db:
            db.executescript(_SCHEMA)
            if db.execute("SELECT COUNT(*) FROM institutions").fetchone()[0] == 0:
                db.executemany("INSERT INTO institutions (id, name) VALUES (?, ?)", INSTITUTIONS)
            if db.execute("SELECT COUNT(*) FROM templates").fetchone()[0] == 0:
                db.executemany(
                    "INSERT INTO templates (code, name, content) VALUES (?, ?, ?)", TEMPLATES
                )

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            self._db.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock, self._db:
            yield self._db

    # -- master data -------------------------------------------------------

    def institutions(self, page: int, page_size: int) -> tuple[list[dict[str, Any]], int]:
        """One page of the instansi master list and the total count."""
        with self._tx() as db:
            rows = db.execute(
                "SELECT id, name FROM institutions ORDER BY id LIMIT ? OFFSET ?",
                (page_size, (page - 1) * page_size),
            ).fetchall()
            total = db.execute("SELECT COUNT(*) FROM institutions").fetchone()[0]
        return [dict(row) for row in rows], total

    def add_institution(self, name: str, institution_id: int | None = None) -> dict[str, Any]:
        """Add an instansi (next free id unless given)."""
        with self._tx() as db:
            if institution_id is None:
                institution_id = db.execute("SELECT MAX(id) + 1 FROM institutions").fetchone()[0]
            elif self._institution_name(db, institution_id) is not None:
                raise SimError(409, f"instansi {institution_id} sudah ada")
            db.execute("INSERT INTO institutions (id, name) VALUES (?, ?)", (institution_id, name))
        return {"id": institution_id, "name": name}

    def templates(self, page: int, page_size: int) -> tuple[list[dict[str, Any]], int]:
        """One page of reply templates and the total count."""
        with self._tx() as db:
            rows = db.execute(
                "SELECT code, name, content FROM templates ORDER BY code LIMIT ? OFFSET ?",
                (page_size, (page - 1) * page_size),
            ).fetchall()
            total = db.execute("SELECT COUNT(*) FROM templates").fetchone()[0]
        return [dict(row) for row in rows], total

    # -- reports -----------------------------------------------------------

    def add_docs(self, files: Sequence[UploadedFile]) -> list[dict[str, Any]]:
        """Store uploaded files not yet attached to anything; returns their ids and names."""
        with self._tx() as db:
            return self._insert_docs(db, files)

    def create_complaint(
        self,
        new: NewComplaint,
        *,
        source: str = "api",
        dispose: bool = False,
        created_at: datetime | None = None,
    ) -> int:
        """Store a report as "Belum Terverifikasi", tagged with where it came from.

        With ``dispose`` it is verified and disposed to ``new.disposition_id`` at once,
        as the LAPOR! admin would.
        """
        now = created_at or utc_now()
        with self._tx() as db:
            to_name = self._require_institution(db, new.disposition_id)
            complaint_id = db.execute(
                "SELECT COALESCE(MAX(id) + 1, ?) FROM complaints", (FIRST_COMPLAINT_ID,)
            ).fetchone()[0]
            db.execute(
                "INSERT INTO complaints (id, title, content, channel, classification_id,"
                " category_id, location_id, disposition_id, user_id, date_of_incident, tags_raw,"
                " is_anonymous, is_secret, status_name, source, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    complaint_id,
                    new.title,
                    new.content,
                    new.channel,
                    new.classification_id,
                    new.category_id,
                    new.location_id,
                    new.disposition_id,
                    new.user_id,
                    new.date_of_incident,
                    ",".join(tag.strip() for tag in new.tags if tag.strip()),
                    int(new.is_anonymous),
                    int(new.is_secret),
                    BELUM_TERVERIFIKASI,
                    source,
                    _stamp(now),
                    _stamp(now),
                ),
            )
            self._attach_docs(db, new.attachment_ids, complaint_id=complaint_id)
            self._log(db, complaint_id, None, None, None, BELUM_TERVERIFIKASI, "", now)
            if dispose:
                self._set_status(db, complaint_id, TERVERIFIKASI, now)
                self._log(db, complaint_id, None, None, BELUM_TERVERIFIKASI, TERVERIFIKASI, "", now)
                self._dispose(db, complaint_id, new.disposition_id, to_name, TERVERIFIKASI, now)
        return complaint_id

    def complaint(self, complaint_id: int) -> dict[str, Any]:
        """One report with its attachments (``SimError`` 404 when unknown)."""
        with self._tx() as db:
            row = self._complaint_row(db, complaint_id)
            return self._complaint_dict(db, row)

    def logs(self, complaint_id: int) -> list[dict[str, Any]]:
        """A report's history, oldest first."""
        with self._tx() as db:
            self._complaint_row(db, complaint_id)
            return self._log_rows(db, complaint_id)

    def search(
        self, page: int, page_size: int, *, disposition_id: int | None, tag: str | None
    ) -> tuple[list[dict[str, Any]], int]:
        """Reports filtered by current disposition and/or exact tag, by id."""
        where, params = ["1 = 1"], []
        if disposition_id is not None:
            where.append("disposition_id = ?")
            params.append(disposition_id)
        if tag is not None:
            where.append("instr(',' || tags_raw || ',', ?) > 0")
            params.append(f",{tag.strip()},")
        clause = " AND ".join(where)
        with self._tx() as db:
            rows = db.execute(
                f"SELECT * FROM complaints WHERE {clause} ORDER BY id LIMIT ? OFFSET ?",  # noqa: S608
                (*params, page_size, (page - 1) * page_size),
            ).fetchall()
            total = db.execute(
                f"SELECT COUNT(*) FROM complaints WHERE {clause}",  # noqa: S608
                params,
            ).fetchone()[0]
            return [self._complaint_dict(db, row) for row in rows], total

    def all_complaints(self) -> list[dict[str, Any]]:
        """Every report with ``history`` and ``followups`` (the control API's view)."""
        with self._tx() as db:
            rows = db.execute("SELECT * FROM complaints ORDER BY id").fetchall()
            return [self._full_dict(db, row) for row in rows]

    def full_complaint(self, complaint_id: int) -> dict[str, Any]:
        """One report with ``history`` and ``followups``."""
        with self._tx() as db:
            return self._full_dict(db, self._complaint_row(db, complaint_id))

    def reject_not_authority(self, complaint_id: int, target_id: int, reason: str) -> None:
        """Forward a report "bukan wewenang" to ``target_id``; no-op if already there."""
        now = utc_now()
        with self._tx() as db:
            row = self._open_complaint(db, complaint_id)
            target_name = self._require_institution(db, target_id)
            if row["disposition_id"] == target_id:
                return
            note = f"Bukan wewenang: {reason}".strip()
            if row["status_name"] == BELUM_TERVERIFIKASI:
                db.execute(
                    "UPDATE complaints SET disposition_id = ?, updated_at = ? WHERE id = ?",
                    (target_id, _stamp(now), complaint_id),
                )
                self._log(
                    db,
                    complaint_id,
                    row["disposition_id"],
                    target_id,
                    BELUM_TERVERIFIKASI,
                    BELUM_TERVERIFIKASI,
                    note,
                    now,
                )
            else:
                self._dispose(
                    db,
                    complaint_id,
                    target_id,
                    target_name,
                    row["status_name"],
                    now,
                    note=note,
                    from_id=row["disposition_id"],
                )

    def verify(self, complaint_id: int) -> None:
        """Admin: verify an unverified report."""
        now = utc_now()
        with self._tx() as db:
            row = self._complaint_row(db, complaint_id)
            if row["status_name"] != BELUM_TERVERIFIKASI:
                raise SimError(409, f"laporan berstatus {row['status_name']}")
            self._set_status(db, complaint_id, TERVERIFIKASI, now)
            self._log(db, complaint_id, None, None, BELUM_TERVERIFIKASI, TERVERIFIKASI, "", now)

    def dispose(self, complaint_id: int, institution_id: int) -> None:
        """Admin: dispose a verified (or already disposed) report to an instansi."""
        now = utc_now()
        with self._tx() as db:
            row = self._open_complaint(db, complaint_id)
            if row["status_name"] == BELUM_TERVERIFIKASI:
                raise SimError(409, "laporan belum terverifikasi")
            name = self._require_institution(db, institution_id)
            self._dispose(
                db,
                complaint_id,
                institution_id,
                name,
                row["status_name"],
                now,
                from_id=row["disposition_id"] if row["status_name"] == DALAM_PROSES else None,
            )

    def finish(self, complaint_id: int, status_name: str, note: str) -> None:
        """Admin: close an open report as Selesai, Diarsipkan or Ditolak."""
        if status_name not in (SELESAI, DIARSIPKAN, DITOLAK):
            raise SimError(422, f"status penutupan tidak dikenal: {status_name}")
        now = utc_now()
        with self._tx() as db:
            row = self._open_complaint(db, complaint_id)
            self._set_status(db, complaint_id, status_name, now)
            self._log(db, complaint_id, None, None, row["status_name"], status_name, note, now)

    def auto_close(self, now: datetime) -> list[int]:
        """Close reports whose last follow-up, from an instansi, went unanswered too long."""
        closed = []
        with self._tx() as db:
            rows = db.execute(
                "SELECT c.id, f.created_at, f.is_reporter FROM complaints c"
                " JOIN followups f ON f.id = ("
                "   SELECT id FROM followups WHERE complaint_id = c.id"
                "   ORDER BY created_at DESC, id DESC LIMIT 1)"
                " WHERE c.status_name = ?",
                (DALAM_PROSES,),
            ).fetchall()
            for row in rows:
                if row["is_reporter"] or not auto_close_due(_time(row["created_at"]), now):
                    continue
                self._set_status(db, row["id"], SELESAI, now)
                self._log(db, row["id"], None, None, DALAM_PROSES, PHASE_AUTO_CLOSED, "", now)
                closed.append(row["id"])
        return closed

    # -- follow-ups --------------------------------------------------------

    def followups(self, complaint_id: int, page: int, page_size: int) -> tuple[list[dict], int]:
        """One page of a report's follow-ups, oldest first, and the total count."""
        with self._tx() as db:
            self._complaint_row(db, complaint_id)
            rows = self._followup_rows(db, complaint_id)
        start = (page - 1) * page_size
        return rows[start : start + page_size], len(rows)

    def add_followup(
        self,
        new: NewFollowup,
        files: Sequence[UploadedFile] = (),
        *,
        any_sender: bool = False,
    ) -> int:
        """Store a follow-up from an instansi or (``institution_from_id=None``) the reporter.

        The report must be "Dalam Proses". Unless ``any_sender`` (the control API),
        only the instansi it is disposed to may post.
        """
        now = new.created_at or utc_now()
        with self._tx() as db:
            row = self._open_complaint(db, new.complaint_id)
            reporter = new.institution_from_id is None
            if not reporter:
                self._require_institution(db, new.institution_from_id)
            if row["status_name"] != DALAM_PROSES:
                raise SimError(409, f"laporan berstatus {row['status_name']}")
            if not any_sender and row["disposition_id"] != new.institution_from_id:
                raise SimError(409, "laporan tidak terdisposisi ke instansi pengirim")
            followup_id = db.execute(
                "INSERT INTO followups (complaint_id, institution_from_id, institution_to_id,"
                " user_id, is_reporter, template_code, rating, is_secret, content, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    new.complaint_id,
                    new.institution_from_id,
                    new.institution_to_id,
                    new.user_id,
                    int(reporter),
                    new.template_code,
                    new.rating,
                    int(new.is_secret),
                    new.content,
                    _stamp(now),
                ),
            ).lastrowid
            if files:
                ids = [doc["id"] for doc in self._insert_docs(db, files)]
                self._attach_docs(db, ids, followup_id=followup_id)
            phase = PHASE_REPORTER_REPLIED if reporter else PHASE_FOLLOWED_UP
            self._set_status(db, new.complaint_id, DALAM_PROSES, now)
            self._log(
                db,
                new.complaint_id,
                new.institution_from_id,
                new.institution_to_id,
                row["status_name"],
                phase,
                "",
                now,
            )
        return followup_id

    # -- helpers (inside a transaction) -------------------------------------

    def _complaint_row(self, db: sqlite3.Connection, complaint_id: int) -> sqlite3.Row:
        row = db.execute("SELECT * FROM complaints WHERE id = ?", (complaint_id,)).fetchone()
        if row is None:
            raise SimError(404, f"laporan {complaint_id} tidak ditemukan")
        return row

    def _open_complaint(self, db: sqlite3.Connection, complaint_id: int) -> sqlite3.Row:
        row = self._complaint_row(db, complaint_id)
        if row["status_name"] not in OPEN_STATUSES:
            raise SimError(409, f"laporan sudah {row['status_name']}")
        return row

    def _institution_name(self, db: sqlite3.Connection, institution_id: int | None) -> str | None:
        row = db.execute("SELECT name FROM institutions WHERE id = ?", (institution_id,)).fetchone()
        return None if row is None else row["name"]

    def _require_institution(self, db: sqlite3.Connection, institution_id: int | None) -> str:
        name = self._institution_name(db, institution_id)
        if name is None:
            raise SimError(422, f"instansi {institution_id} tidak dikenal")
        return name

    def _complaint_dict(self, db: sqlite3.Connection, row: sqlite3.Row) -> dict[str, Any]:
        complaint = dict(row)
        complaint["status_code"] = STATUS_CODES[row["status_name"]]
        complaint["disposition_name"] = self._institution_name(db, row["disposition_id"])
        complaint["created_at"] = _time(row["created_at"])
        complaint["updated_at"] = _time(row["updated_at"])
        complaint["attachments"] = [
            dict(doc)
            for doc in db.execute(
                "SELECT id, filename AS name FROM docs WHERE complaint_id = ? ORDER BY id",
                (row["id"],),
            )
        ]
        return complaint

    def _full_dict(self, db: sqlite3.Connection, row: sqlite3.Row) -> dict[str, Any]:
        complaint = self._complaint_dict(db, row)
        complaint["history"] = self._log_rows(db, row["id"])
        complaint["followups"] = self._followup_rows(db, row["id"])
        return complaint

    def _log_rows(self, db: sqlite3.Connection, complaint_id: int) -> list[dict[str, Any]]:
        rows = db.execute(
            "SELECT * FROM logs WHERE complaint_id = ? ORDER BY id", (complaint_id,)
        ).fetchall()
        return [{**dict(row), "created_at": _time(row["created_at"])} for row in rows]

    def _followup_rows(self, db: sqlite3.Connection, complaint_id: int) -> list[dict[str, Any]]:
        rows = db.execute(
            "SELECT f.*, i.name AS institution_from_name FROM followups f"
            " LEFT JOIN institutions i ON i.id = f.institution_from_id"
            " WHERE f.complaint_id = ? ORDER BY f.id",
            (complaint_id,),
        ).fetchall()
        followups = []
        for row in rows:
            followup = {**dict(row), "created_at": _time(row["created_at"])}
            followup["attachments"] = [
                dict(doc)
                for doc in db.execute(
                    "SELECT id, filename AS name FROM docs WHERE followup_id = ? ORDER BY id",
                    (row["id"],),
                )
            ]
            followups.append(followup)
        return followups

    def _insert_docs(
        self, db: sqlite3.Connection, files: Sequence[UploadedFile]
    ) -> list[dict[str, Any]]:
        now = _stamp(utc_now())
        docs = []
        for upload in files:
            cursor = db.execute(
                "INSERT INTO docs (filename, content_type, size, data, created_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (upload.filename, upload.content_type, len(upload.data), upload.data, now),
            )
            docs.append({"id": cursor.lastrowid, "name": upload.filename})
        return docs

    def _attach_docs(
        self,
        db: sqlite3.Connection,
        doc_ids: Sequence[int],
        *,
        complaint_id: int | None = None,
        followup_id: int | None = None,
    ) -> None:
        for doc_id in doc_ids:
            updated = db.execute(
                "UPDATE docs SET complaint_id = ?, followup_id = ?"
                " WHERE id = ? AND complaint_id IS NULL AND followup_id IS NULL",
                (complaint_id, followup_id, doc_id),
            ).rowcount
            if not updated:
                raise SimError(422, f"lampiran {doc_id} tidak ada atau sudah dipakai")

    def _set_status(
        self, db: sqlite3.Connection, complaint_id: int, status_name: str, now: datetime
    ) -> None:
        db.execute(
            "UPDATE complaints SET status_name = ?, updated_at = ? WHERE id = ?",
            (status_name, _stamp(now), complaint_id),
        )

    def _dispose(
        self,
        db: sqlite3.Connection,
        complaint_id: int,
        institution_id: int | None,
        institution_name: str,
        status_old: str,
        now: datetime,
        *,
        note: str = "",
        from_id: int | None = None,
    ) -> None:
        db.execute(
            "UPDATE complaints SET status_name = ?, disposition_id = ?, updated_at = ?"
            " WHERE id = ?",
            (DALAM_PROSES, institution_id, _stamp(now), complaint_id),
        )
        self._log(
            db,
            complaint_id,
            from_id,
            institution_id,
            status_old,
            f"Terdisposisi ke {institution_name}",
            note,
            now,
        )

    def _log(
        self,
        db: sqlite3.Connection,
        complaint_id: int,
        institution_from: int | None,
        institution_to: int | None,
        status_old: str | None,
        status_new: str,
        note: str,
        now: datetime,
    ) -> None:
        db.execute(
            "INSERT INTO logs (complaint_id, institution_from, institution_to, status_old,"
            " status_new, note, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                complaint_id,
                institution_from,
                institution_to,
                status_old,
                status_new,
                note,
                _stamp(now),
            ),
        )


def _stamp(moment: datetime) -> str:
    """Stored form of a time: UTC, fixed width, so text order is time order."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text)
