"""Run-once-across-workers locks for periodic jobs.

PostgreSQL: a session advisory lock on a dedicated connection (released when the
job ends or the process dies). SQLite serves one machine only, so an exclusive
``flock`` on a file beside the database does the same job.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, text


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for ``name`` (PostgreSQL advisory lock ids are bigint)."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


@contextmanager
def singleton(engine: Engine, name: str, lock_dir: Path) -> Iterator[bool]:
    """Yield True when this process holds the lock named ``name``, else False (skip the run)."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            key = lock_key(name)
            held = connection.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": key})
            connection.commit()
            try:
                yield bool(held)
            finally:
                if held:
                    connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                    connection.commit()
        return
    lock_dir.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(lock_dir / f"{name}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(descriptor, fcntl.LOCK_UN)
    finally:
        os.close(descriptor)
