"""Typed values the LAPOR! client takes and returns. All datetimes are aware UTC."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from lapor_bridge.lapor.marker import key_from_tags


@dataclass(frozen=True)
class Institution:
    """One entry of the LAPOR! instansi master list."""

    id: int
    name: str


@dataclass(frozen=True)
class Template:
    """A reply template; its ``code`` goes into a follow-up's ``template_code``."""

    code: str
    name: str
    content: str


@dataclass(frozen=True)
class Attachment:
    """A file to upload before creating a report or posting a follow-up."""

    filename: str
    content: bytes
    content_type: str = "application/octet-stream"


@dataclass(frozen=True)
class ComplaintDraft:
    """What we send to create a report.

    Master ids left as ``None`` take the deployment defaults from ``[lapor]``; the
    category id, the one ``[lapor] category_ids`` gives the ``service_category``'s
    LAPOR! category first.
    """

    title: str
    content: str
    disposition_id: int
    classification_id: int | None = None
    category_id: int | None = None
    location_id: int | None = None
    date_of_incident: date | None = None
    is_anonymous: bool = False
    is_secret: bool = False
    attachment_ids: tuple[int, ...] = ()
    tags: tuple[str, ...] = ()
    service_category: str | None = None


@dataclass(frozen=True)
class FollowupDraft:
    """What we send to post a follow-up (tindak lanjut) on a report."""

    complaint_id: int
    content: str
    institution_from_id: int
    institution_to_id: int | None = None
    template_code: str = ""
    rating: int = 0
    is_secret: bool = False
    attachments: tuple[Attachment, ...] = ()


@dataclass(frozen=True)
class LaporLog:
    """One history entry of a report (``data_logs``)."""

    id: int
    institution_from: int | None
    institution_to: int | None
    status_old: str | None
    status_new: str
    note: str
    created_at: datetime


@dataclass(frozen=True)
class LaporComplaint:
    """A report as LAPOR! holds it. ``logs`` is filled by the detail call only."""

    id: int
    title: str
    content: str
    status_code: int | None
    status_name: str
    disposition_id: int | None
    disposition_name: str | None
    tags: tuple[str, ...]
    is_anonymous: bool
    is_secret: bool
    created_at: datetime
    logs: tuple[LaporLog, ...] = ()

    @property
    def idempotency_key(self) -> str | None:
        """Our idempotency key when this report was created by lapor-bridge, else ``None``."""
        return key_from_tags(self.tags)


@dataclass(frozen=True)
class LaporFollowup:
    """One follow-up (tindak lanjut) or reporter reply."""

    id: int
    complaint_id: int
    institution_from_id: int | None
    institution_to_id: int | None
    from_reporter: bool
    content: str
    template_code: str
    rating: int
    is_secret: bool
    created_at: datetime
