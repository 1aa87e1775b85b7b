"""Complaint states, mirroring the SP4N-LAPOR! lifecycle."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """Where a complaint is in its life. Values are stored in the database."""

    SUBMITTED = "submitted"
    VERIFIED = "verified"
    DISPOSED = "disposed"
    IN_PROGRESS = "in_progress"
    WAITING_REPORTER = "waiting_reporter"
    RESPONDED = "responded"
    RESOLVED = "resolved"
    AUTO_CLOSED = "auto_closed"
    ARCHIVED = "archived"
    REJECTED = "rejected"

    @property
    def label_id(self) -> str:
        """Bahasa Indonesia label shown to residents and officers."""
        return _LABELS[self][0]

    @property
    def label_en(self) -> str:
        """English label."""
        return _LABELS[self][1]

    def label(self, lang: str = "id") -> str:
        """The label in ``lang`` ("en": English, else Bahasa Indonesia)."""
        return self.label_en if lang == "en" else self.label_id

    @property
    def is_closed(self) -> bool:
        """True once nothing more is expected of anyone."""
        return self in CLOSED


CLOSED = frozenset({Status.RESOLVED, Status.AUTO_CLOSED, Status.ARCHIVED, Status.REJECTED})
# Stored values of the open statuses, and of those whose SLA clock runs (not waiting for
# the reporter). Queries filter with ``IN`` these lists, not ``NOT IN`` the closed ones:
# an ``IN`` list is an index prefix, so a queue skips an agency's years of closed rows.
OPEN_VALUES = tuple(status.value for status in Status if status not in CLOSED)
CLOCK_RUNNING_VALUES = tuple(value for value in OPEN_VALUES
                             if value != Status.WAITING_REPORTER.value)

_LABELS = {
    Status.SUBMITTED: ("Belum Terverifikasi", "Not yet verified"),
    Status.VERIFIED: ("Terverifikasi", "Verified"),
    Status.DISPOSED: ("Terdisposisi ke Instansi", "Sent to the agency"),
    Status.IN_PROGRESS: ("Dalam Proses", "In progress"),
    Status.WAITING_REPORTER: ("Menunggu Keterangan Pelapor", "Waiting for the reporter"),
    Status.RESPONDED: ("Ditindaklanjuti oleh Instansi", "Answered by the agency"),
    Status.RESOLVED: ("Selesai", "Resolved"),
    Status.AUTO_CLOSED: ("Selesai Otomatis", "Closed automatically"),
    Status.ARCHIVED: ("Diarsipkan", "Archived"),
    Status.REJECTED: ("Ditolak", "Rejected"),
}
