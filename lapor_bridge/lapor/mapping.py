"""Everything that translates between lapor-bridge and LAPOR!: statuses, fields, times.

Statuses: LAPOR! reports one of six names in ``status_name``; the finer phases
("Terdisposisi ke …", "Ditindaklanjuti oleh Instansi", …) show up as ``status_new``
in the history. :func:`status_from_report` combines both into our :class:`Status`,
and :func:`supersedes` decides whether an observed state may replace the one we hold.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from lapor_bridge.config import ConfigError, LaporSettings
from lapor_bridge.domain import categories
from lapor_bridge.domain.status import Status
from lapor_bridge.lapor.marker import marker_tag
from lapor_bridge.lapor.models import (
    ComplaintDraft,
    Institution,
    LaporComplaint,
    LaporFollowup,
    LaporLog,
    Template,
)

LAPOR_TIMEZONE = ZoneInfo("Asia/Jakarta")
LAPOR_DATETIME_FORMAT = "%d-%m-%Y %H:%M:%S"

BELUM_TERVERIFIKASI = "Belum Terverifikasi"
TERVERIFIKASI = "Terverifikasi"
DALAM_PROSES = "Dalam Proses"
SELESAI = "Selesai"
DIARSIPKAN = "Diarsipkan"
DITOLAK = "Ditolak"

# The six names LAPOR! puts in ``status_name``; several of our states share one.
LAPOR_NAME: Mapping[Status, str] = {
    Status.SUBMITTED: BELUM_TERVERIFIKASI,
    Status.VERIFIED: TERVERIFIKASI,
    Status.DISPOSED: DALAM_PROSES,
    Status.IN_PROGRESS: DALAM_PROSES,
    Status.WAITING_REPORTER: DALAM_PROSES,
    Status.RESPONDED: DALAM_PROSES,
    Status.RESOLVED: SELESAI,
    Status.AUTO_CLOSED: SELESAI,
    Status.ARCHIVED: DIARSIPKAN,
    Status.REJECTED: DITOLAK,
}

_EXACT_NAMES: Mapping[str, Status] = {
    "belum terverifikasi": Status.SUBMITTED,
    "terverifikasi": Status.VERIFIED,
    "dalam proses": Status.IN_PROGRESS,
    "selesai": Status.RESOLVED,
    "diarsipkan": Status.ARCHIVED,
    "ditolak": Status.REJECTED,
}

# Phase names of the public timeline, matched by their opening words.
_PHASE_PREFIXES: tuple[tuple[str, Status], ...] = (
    ("terdisposisi", Status.DISPOSED),
    ("ditindaklanjuti", Status.RESPONDED),
    ("ditanggapi oleh pelapor", Status.IN_PROGRESS),
    ("selesai otomatis", Status.AUTO_CLOSED),
)

# "Never let an older update overwrite a newer state": the order of the lifecycle.
_RANK: Mapping[Status, int] = {
    Status.SUBMITTED: 0,
    Status.VERIFIED: 1,
    Status.DISPOSED: 2,
    Status.IN_PROGRESS: 3,
    Status.WAITING_REPORTER: 3,
    Status.RESPONDED: 4,
    Status.RESOLVED: 5,
    Status.AUTO_CLOSED: 5,
    Status.ARCHIVED: 5,
    Status.REJECTED: 5,
}


class UnknownLaporStatus(ValueError):
    """A LAPOR! status name this mapping does not know."""


def status_from_lapor(name: str) -> Status:
    """Our status for one LAPOR! status or phase name (case and spacing ignored)."""
    normal = " ".join(name.split()).casefold()
    if normal in _EXACT_NAMES:
        return _EXACT_NAMES[normal]
    for prefix, status in _PHASE_PREFIXES:
        if normal.startswith(prefix):
            return status
    raise UnknownLaporStatus(f"unknown LAPOR! status {name!r}")


def status_from_report(status_name: str, logs: Iterable[LaporLog]) -> Status:
    """Our status for a report: its ``status_name``, refined by the newest history entry.

    The newest log (by time, then id) refines the coarse name when it names a phase
    inside it, e.g. "Dalam Proses" + "Ditindaklanjuti oleh Instansi" → RESPONDED and
    "Selesai" + "Selesai otomatis dalam 10 hari" → AUTO_CLOSED.
    """
    coarse = status_from_lapor(status_name)
    newest = max(logs, key=lambda log: (log.created_at, log.id), default=None)
    if newest is None:
        return coarse
    try:
        phase = status_from_lapor(newest.status_new)
    except UnknownLaporStatus:
        return coarse
    return phase if LAPOR_NAME[phase] == LAPOR_NAME[coarse] else coarse


def status_rank(status: Status) -> int:
    """Position of ``status`` in the lifecycle; every closed state shares the top rank."""
    return _RANK[status]


def supersedes(
    incoming: Status,
    incoming_at: datetime | None,
    current: Status | None,
    current_at: datetime | None,
) -> bool:
    """Whether an observed ``incoming`` state may replace the ``current`` one.

    Time decides when both times are known and differ (so a real reopening, such as
    a reporter answering "not solved", still applies); otherwise the lifecycle rank
    decides, and an equal rank never replaces.
    """
    if current is None:
        return True
    if incoming == current:
        return False
    if incoming_at is not None and current_at is not None and incoming_at != current_at:
        return incoming_at > current_at
    return status_rank(incoming) > status_rank(current)


def parse_lapor_datetime(text: str) -> datetime:
    """An aware UTC datetime from LAPOR!'s ``d-m-Y H:i:s`` in Asia/Jakarta local time."""
    local = datetime.strptime(text.strip(), LAPOR_DATETIME_FORMAT)
    return local.replace(tzinfo=LAPOR_TIMEZONE).astimezone(UTC)


def split_tags(tags_raw: str | None) -> tuple[str, ...]:
    """The tags of a comma-separated ``tags_raw``."""
    return tuple(tag.strip() for tag in (tags_raw or "").split(",") if tag.strip())


def draft_to_payload(
    draft: ComplaintDraft, settings: LaporSettings, idempotency_key: str
) -> dict[str, Any]:
    """The create payload for ``draft``, carrying the idempotency marker in ``tags_raw``."""
    payload: dict[str, Any] = {
        "title": draft.title,
        "content": draft.content,
        "channel": settings.channel_id,
        "classification_id": _or_default(draft.classification_id, settings.classification_id),
        "category_id": _or_default(
            draft.category_id or lapor_category_id(settings, draft.service_category),
            settings.category_id),
        "location_id": _or_default(draft.location_id, settings.location_id),
        "disposition_id": draft.disposition_id,
        "user_id": settings.user_id,
        "tags_raw": ",".join((*draft.tags, marker_tag(idempotency_key))),
        "is_anonymous": int(draft.is_anonymous),
        "is_secret": int(draft.is_secret),
        "attachments": list(draft.attachment_ids),
    }
    if draft.date_of_incident is not None:
        payload["date_of_incident"] = draft.date_of_incident.isoformat()
    return payload


def complaint_from_wire(
    data: Mapping[str, Any], logs: Iterable[Mapping[str, Any]] = ()
) -> LaporComplaint:
    """A :class:`LaporComplaint` from a detail or list item (``KeyError`` when malformed)."""
    return LaporComplaint(
        id=int(data["id"]),
        title=str(data["title"]),
        content=str(data["content"]),
        status_code=_optional_int(data.get("status_code")),
        status_name=str(data["status_name"]),
        disposition_id=_optional_int(data.get("disposition_id")),
        disposition_name=data.get("disposition_name"),
        tags=split_tags(data.get("tags_raw")),
        is_anonymous=bool(int(data.get("is_anonymous") or 0)),
        is_secret=bool(int(data.get("is_secret") or 0)),
        created_at=parse_lapor_datetime(data["created_at"]),
        logs=tuple(log_from_wire(log) for log in logs),
    )


def log_from_wire(data: Mapping[str, Any]) -> LaporLog:
    """A :class:`LaporLog` from one ``data_logs`` entry."""
    return LaporLog(
        id=int(data["id"]),
        institution_from=_optional_int(data.get("institution_from")),
        institution_to=_optional_int(data.get("institution_to")),
        status_old=data.get("status_old"),
        status_new=str(data["status_new"]),
        note=str(data.get("note") or ""),
        created_at=parse_lapor_datetime(data["created_at"]),
    )


def followup_from_wire(data: Mapping[str, Any]) -> LaporFollowup:
    """A :class:`LaporFollowup` from one follow-up list entry."""
    return LaporFollowup(
        id=int(data["id"]),
        complaint_id=int(data["complaint_id"]),
        institution_from_id=_optional_int(data.get("institution_from_id")),
        institution_to_id=_optional_int(data.get("institution_to_id")),
        from_reporter=bool(int(data.get("is_reporter") or 0)),
        content=str(data["content"]),
        template_code=str(data.get("template_code") or ""),
        rating=int(data.get("rating") or 0),
        is_secret=bool(int(data.get("is_secret") or 0)),
        created_at=parse_lapor_datetime(data["created_at"]),
    )


def institution_from_wire(data: Mapping[str, Any]) -> Institution:
    """An :class:`Institution` from one master-list entry."""
    return Institution(id=int(data["id"]), name=str(data["name"]))


def template_from_wire(data: Mapping[str, Any]) -> Template:
    """A :class:`Template` from one template master entry."""
    return Template(
        code=str(data["code"]), name=str(data["name"]), content=str(data.get("content") or "")
    )


def lapor_category_id(settings: LaporSettings, category: str | None) -> int | None:
    """The LAPOR! category id a complaint of service ``category`` is filed under, from
    ``[lapor] category_ids``; None (the default id) when unknown or not configured."""
    service_category = categories.get(category)
    if service_category is None or service_category.lapor_category is None:
        return None
    for entry in settings.category_ids:
        name, _, number = entry.rpartition("=")
        if not name.strip() or not number.strip().isdigit():
            raise ConfigError(f"lapor.category_ids entry {entry!r}: use <LAPOR! category>=<id>")
        if name.strip() == service_category.lapor_category:
            return int(number)
    return None


def _or_default(value: int | None, default: int) -> int:
    return default if value is None else value


def _optional_int(value: object) -> int | None:
    return None if value in (None, "") else int(value)  # type: ignore[call-overload]
