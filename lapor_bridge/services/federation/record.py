"""The record a member sends for one complaint: what crosses to the province, and nothing else.

Built from a whitelist: tracking number, version, places (region code, kecamatan and
kelurahan names), category, agency, channel, the ``rahasia`` flag, status, the workflow
times, the SLA clock and targets, the LAPOR! id, a link to the member's own page, and
the history as (kind, statuses, agency, actor type, time). Never the reporter (name,
contact, key, coordinates, anonymity), never the text or the title, never photos,
officers' names or notes: a field is sent only if this module names it. A ``rahasia``
complaint crosses without its kelurahan (a small desa could point at the reporter).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from lapor_bridge.config import SlaSettings
from lapor_bridge.db.models import Agency, Complaint, ComplaintEvent, District, Region, Village
from lapor_bridge.domain.categories import is_category
from lapor_bridge.domain.sla import TARGET_FIELDS
from lapor_bridge.domain.status import CLOCK_RUNNING_VALUES, Status
from lapor_bridge.services.sla_clock import sla_policy

TIMES = ("created_at", "disposed_at", "first_disposed_at", "first_response_at",
         "last_response_at", "closed_at", "sla_due_at")
ACTOR_TYPES = frozenset({"resident", "officer", "system", "lapor"})
MAX_HISTORY = 500


def build_records(session: Session, complaint_ids: Iterable[int], sla: SlaSettings,
                  public_url: str, now: datetime) -> dict[int, dict[str, Any]]:
    """The records of these complaints by complaint id (ids that no longer exist are absent)."""
    ids = list(complaint_ids)
    if not ids:
        return {}
    district, village = aliased(District), aliased(Village)
    rows = session.execute(
        select(Complaint, Region.code, Region.name, district.name, village.name, Agency.code,
               Agency.name, Agency.is_triage)
        .join(Region, Region.id == Complaint.region_id)
        .join(Agency, Agency.id == Complaint.agency_id)
        .outerjoin(district, district.id == Complaint.district_id)
        .outerjoin(village, village.id == Complaint.village_id)
        .where(Complaint.id.in_(ids))).all()
    history: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for event, code, name in session.execute(
            select(ComplaintEvent, Agency.code, Agency.name)
            .outerjoin(Agency, Agency.id == ComplaintEvent.agency_id)
            .where(ComplaintEvent.complaint_id.in_(ids), ComplaintEvent.is_internal.is_(False))
            .order_by(ComplaintEvent.id)):
        history[event.complaint_id].append({
            "kind": event.kind, "from_status": event.from_status,
            "to_status": event.to_status, "agency_code": code, "agency_name": name,
            "actor_type": event.actor_type, "at": event.created_at.isoformat()})
    policy = sla_policy(sla)
    base = public_url.rstrip("/")
    records = {}
    for (complaint, region_code, region_name, kecamatan, kelurahan, agency_code, agency_name,
         is_triage) in rows:
        targets = policy.for_complaint(agency_code)
        records[complaint.id] = {
            "tracking_number": complaint.tracking_number,
            "version": complaint.version,
            "changed_at": complaint.updated_at.isoformat(),
            "region_code": region_code, "region_name": region_name,
            "kecamatan": kecamatan, "kelurahan": None if complaint.is_secret else kelurahan,
            "category": complaint.category,
            "agency_code": agency_code, "agency_name": agency_name,
            "agency_is_triage": is_triage,
            "channel": complaint.channel, "rahasia": complaint.is_secret,
            "status": complaint.status,
            **{name: _iso(getattr(complaint, name)) for name in TIMES},
            "pauses": complaint.pauses or [],
            "sla_stage": complaint.sla_stage,
            "sla_breached": bool(complaint.status in CLOCK_RUNNING_VALUES
                                 and complaint.sla_due_at and complaint.sla_due_at < now),
            "sla_targets": {name: getattr(targets, name) for name in sorted(TARGET_FIELDS)},
            "escalation_level": complaint.escalation_level,
            "lapor_id": complaint.lapor_id,
            "url": f"{base}/petugas/laporan/{complaint.tracking_number}" if base else "",
            "history": history.get(complaint.id, [])[-MAX_HISTORY:],
        }
    return records


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


class RecordError(ValueError):
    """A record the province refuses; the message says which field and why."""


@dataclass(frozen=True)
class Record:
    """A member's record as the province reads it (validated, typed)."""

    tracking_number: str
    version: int
    changed_at: datetime
    region_code: str
    region_name: str
    kecamatan: str | None
    kelurahan: str | None
    category: str | None
    agency_code: str
    agency_name: str
    agency_is_triage: bool
    channel: str
    rahasia: bool
    status: str
    times: dict[str, datetime | None]
    pauses: list
    sla_stage: str | None
    sla_breached: bool
    sla_targets: dict[str, int]
    escalation_level: int
    lapor_id: str | None
    url: str
    history: tuple[dict[str, Any], ...]


def parse_record(raw: Any) -> Record:
    """Read one record sent by a member; RecordError names the first bad field.

    Unknown fields are ignored, never stored: the province keeps only what it reads here.
    """
    if not isinstance(raw, Mapping):
        raise RecordError("record: harus objek JSON / must be a JSON object")
    text = _Reader(raw)
    status = text.string("status", 24)
    if status not in Status.__members__.values():
        raise RecordError(f"status: tidak dikenal / unknown: {status!r}")
    category = text.optional("category", 48)
    if category is not None and not is_category(category):
        raise RecordError(f"category: tidak dikenal / unknown: {category!r}")
    targets = raw.get("sla_targets")
    if (not isinstance(targets, Mapping) or set(targets) != TARGET_FIELDS
            or not all(type(days) is int and 1 <= days <= 400 for days in targets.values())):
        raise RecordError("sla_targets: four targets in days expected")
    history = raw.get("history")
    if not isinstance(history, list) or len(history) > MAX_HISTORY:
        raise RecordError(f"history: list of at most {MAX_HISTORY} entries expected")
    return Record(
        tracking_number=text.string("tracking_number", 16).upper(),
        version=text.integer("version", 1),
        changed_at=text.time("changed_at"),
        region_code=text.string("region_code", 16),
        region_name=text.string("region_name", 120),
        kecamatan=text.optional("kecamatan", 80), kelurahan=text.optional("kelurahan", 80),
        category=category,
        agency_code=text.string("agency_code", 32), agency_name=text.string("agency_name", 200),
        agency_is_triage=text.flag("agency_is_triage"),
        channel=text.string("channel", 16), rahasia=text.flag("rahasia"), status=status,
        times={name: text.time(name) if name == "created_at" else text.optional_time(name)
               for name in TIMES},
        pauses=_pauses(raw.get("pauses")),
        sla_stage=text.optional("sla_stage", 24), sla_breached=text.flag("sla_breached"),
        sla_targets=dict(targets), escalation_level=text.integer("escalation_level", 0),
        lapor_id=text.optional("lapor_id", 32), url=_url(raw.get("url")),
        history=tuple(_event(entry, index) for index, entry in enumerate(history)),
    )


class _Reader:
    """Typed field access with RecordError messages."""

    def __init__(self, raw: Mapping) -> None:
        self.raw = raw

    def string(self, name: str, limit: int) -> str:
        value = self.raw.get(name)
        if not isinstance(value, str) or not value.strip() or len(value) > limit:
            raise RecordError(f"{name}: text of 1..{limit} characters expected")
        return value.strip()

    def optional(self, name: str, limit: int) -> str | None:
        return None if self.raw.get(name) in (None, "") else self.string(name, limit)

    def integer(self, name: str, low: int) -> int:
        value = self.raw.get(name)
        if type(value) is not int or value < low:
            raise RecordError(f"{name}: whole number ≥ {low} expected")
        return value

    def flag(self, name: str) -> bool:
        value = self.raw.get(name)
        if not isinstance(value, bool):
            raise RecordError(f"{name}: true or false expected")
        return value

    def time(self, name: str) -> datetime:
        return _time(self.raw.get(name), name)

    def optional_time(self, name: str) -> datetime | None:
        value = self.raw.get(name)
        return None if value is None else _time(value, name)


def _time(value: Any, name: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise RecordError(f"{name}: ISO 8601 time with a UTC offset expected")
    return parsed


def _pauses(value: Any) -> list:
    if not isinstance(value, list) or len(value) > 100:
        raise RecordError("pauses: list of [start, end] expected")
    for pause in value:
        if (not isinstance(pause, list) or len(pause) != 2
                or (pause[1] is not None and not isinstance(pause[1], str))):
            raise RecordError("pauses: list of [start, end] expected")
        _time(pause[0], "pauses")
        if pause[1] is not None:
            _time(pause[1], "pauses")
    return [list(pause) for pause in value]


def _url(value: Any) -> str:
    if value in (None, ""):
        return ""
    if not isinstance(value, str) or len(value) > 300 or not value.startswith(
            ("https://", "http://")):
        raise RecordError("url: http(s) address of at most 300 characters expected")
    return value


def _event(entry: Any, index: int) -> dict[str, Any]:
    if not isinstance(entry, Mapping):
        raise RecordError(f"history[{index}]: object expected")
    read = _Reader(entry)
    actor = read.string("actor_type", 16)
    if actor not in ACTOR_TYPES:
        raise RecordError(f"history[{index}].actor_type: unknown: {actor!r}")
    statuses = {}
    for name in ("from_status", "to_status"):
        value = read.optional(name, 24)
        if value is not None and value not in Status.__members__.values():
            raise RecordError(f"history[{index}].{name}: unknown: {value!r}")
        statuses[name] = value
    agency = read.optional("agency_code", 32)
    return {"kind": read.string("kind", 32), "actor_type": actor, **statuses,
            "agency_code": agency,
            "agency_name": read.optional("agency_name", 200) if agency else None,
            "at": read.time("at")}
