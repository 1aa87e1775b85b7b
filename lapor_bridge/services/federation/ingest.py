"""Store a member's records at the province: idempotent, ordered by the member's version.

A record is stored as a complaint of the member's kab/kota (``complaints.member_id``;
no text, no reporter) with its history, beside a ``federated_complaints`` row holding
the member's version. Records are ordered by (version, changed_at): the version counts
the member's edits, the time breaks ties for changes that do not bump it (the LAPOR!
link). A record that is not newer than the stored one changes nothing ("duplicate" when
equal, "stale" when older), so a batch sent twice, or an old update arriving after a
new one, is harmless. The link to the member's page is kept only when it lies under
the address the member was registered with. One batch is one transaction, under a lock
on the member's row: two pushes of one member queue up. Writes are set-based (a few
statements per batch, not per record).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.orm import Session

from lapor_bridge.db.models import Agency, Complaint, ComplaintEvent, District, Region, Village
from lapor_bridge.db.models_federation import FederatedComplaint, FederationMember
from lapor_bridge.domain.categories import label as category_label
from lapor_bridge.services.context import ServiceContext
from lapor_bridge.services.federation.members import KeyRevoked, Member
from lapor_bridge.services.federation.record import TIMES, Record, RecordError, parse_record

COMPLAINTS = Complaint.__table__
FEDERATED = FederatedComplaint.__table__


@dataclass(frozen=True)
class Outcome:
    """What became of one record: stored, updated, duplicate, stale or rejected (why)."""

    tracking_number: str
    result: str
    error: str | None = None


def ingest(ctx: ServiceContext, member: Member, raw_records: Sequence[Any]) -> list[Outcome]:
    """Store a batch of ``member``'s records; one outcome per record, in order."""
    now = ctx.clock()
    outcomes: list[Outcome | None] = [None] * len(raw_records)
    newest: dict[str, tuple[int, Record]] = {}
    for index, raw in enumerate(raw_records):
        try:
            record = parse_record(raw)
            if record.region_code not in member.region_codes:
                raise RecordError(f"region_code: {record.region_code} is not registered for "
                                  f"this member / bukan wilayah anggota ini")
        except RecordError as exc:
            number = raw.get("tracking_number") if isinstance(raw, dict) else None
            outcomes[index] = Outcome(str(number or "?")[:16], "rejected", str(exc))
            continue
        earlier = newest.get(record.tracking_number)
        if earlier is not None and _order(earlier[1]) >= _order(record):
            outcomes[index] = Outcome(record.tracking_number, "stale")
            continue
        if earlier is not None:
            outcomes[earlier[0]] = Outcome(record.tracking_number, "stale")
        newest[record.tracking_number] = (index, record)
    with ctx.transaction() as session:
        row = session.scalar(select(FederationMember).where(
            FederationMember.id == member.id).with_for_update())
        if row is None or not row.active:
            raise KeyRevoked("Keanggotaan federasi ini telah dicabut / membership revoked.")
        if newest:
            for index, outcome in _store(session, member, newest, now).items():
                outcomes[index] = outcome
            written = [record.changed_at for index, record in newest.values()
                       if outcomes[index].result in ("stored", "updated")]
            if written:  # lag of the newest change that arrived now
                changed = max(written)
                row.last_change_at = max(filter(None, (row.last_change_at, changed)))
                row.last_lag_seconds = max(0.0, (now - changed).total_seconds())
        row.last_push_at = now
    return [outcome for outcome in outcomes if outcome is not None]


def _order(record: Record) -> tuple[int, datetime]:
    return record.version, record.changed_at


def _store(session: Session, member: Member, newest: dict[str, tuple[int, Record]],
           now: datetime) -> dict[int, Outcome]:
    stored = {number: (complaint_id, (version, changed_at))
              for number, complaint_id, version, changed_at in
              session.execute(select(FEDERATED.c.tracking_number, FEDERATED.c.complaint_id,
                                     FEDERATED.c.remote_version,
                                     FEDERATED.c.remote_changed_at).where(
                  FEDERATED.c.member_id == member.id,
                  FEDERATED.c.tracking_number.in_(list(newest))))}
    taken = set(session.scalars(select(Complaint.tracking_number).where(
        Complaint.tracking_number.in_([n for n in newest if n not in stored]))))
    places = _Places(session, member.id)
    outcomes: dict[int, Outcome] = {}
    fresh: list[tuple[int, Record]] = []
    changed: list[tuple[int, int, Record]] = []
    for number, (index, record) in newest.items():
        if number in stored:
            complaint_id, held = stored[number]
            if _order(record) <= held:
                outcomes[index] = Outcome(number, "duplicate" if _order(record) == held
                                          else "stale")
            else:
                changed.append((index, complaint_id, record))
                outcomes[index] = Outcome(number, "updated")
        elif number in taken:
            outcomes[index] = Outcome(number, "rejected",
                                      "tracking_number: already used at the province")
        else:
            fresh.append((index, record))
            outcomes[index] = Outcome(number, "stored")
    ids: dict[str, int] = {}
    if fresh:
        rows = [{**_columns(places, record, now), "tracking_number": record.tracking_number,
                 "reporter_key_hash": "", "description": "", "is_anonymous": False,
                 "member_id": member.id, "version": 1}
                for _, record in fresh]
        ids = {number: complaint_id for complaint_id, number in session.execute(
            insert(COMPLAINTS).returning(COMPLAINTS.c.id, COMPLAINTS.c.tracking_number,
                                         sort_by_parameter_order=True), rows)}
        session.execute(insert(FEDERATED), [
            {"complaint_id": ids[record.tracking_number], "member_id": member.id,
             **_federated(member, record, now)} for _, record in fresh])
    if changed:
        columns = _columns(places, changed[0][2], now)
        session.execute(
            update(COMPLAINTS).where(COMPLAINTS.c.id == bindparam("_id"))
            .values({name: bindparam(name) for name in columns}
                    | {"version": COMPLAINTS.c.version + 1}),
            [{"_id": complaint_id, **_columns(places, record, now)}
             for _, complaint_id, record in changed])
        session.execute(
            update(FEDERATED).where(FEDERATED.c.complaint_id == bindparam("_id"))
            .values({name: bindparam(name)
                     for name in _federated(member, changed[0][2], now)}),
            [{"_id": complaint_id, **_federated(member, record, now)}
             for _, complaint_id, record in changed])
        session.execute(delete(ComplaintEvent).where(
            ComplaintEvent.complaint_id.in_([complaint_id for _, complaint_id, _ in changed])))
    events = [(ids[record.tracking_number], record) for _, record in fresh] + [
        (complaint_id, record) for _, complaint_id, record in changed]
    history = [
        {"complaint_id": complaint_id, "kind": entry["kind"], "actor_type": entry["actor_type"],
         "actor_id": None, "actor_label": None, "from_status": entry["from_status"],
         "to_status": entry["to_status"], "note": None, "is_internal": False,
         "agency_id": places.agency(record.region_code, entry["agency_code"],
                                    entry["agency_name"]) if entry["agency_code"] else None,
         "created_at": entry["at"]}
        for complaint_id, record in events for entry in record.history]
    if history:
        session.execute(insert(ComplaintEvent.__table__), history)
    return outcomes


def _columns(places: _Places, record: Record, now: datetime) -> dict[str, Any]:
    """The ``complaints`` columns a record sets (the same for an insert and an update)."""
    region_id = places.region(record.region_code, record.region_name)
    district_id = places.district(region_id, record.kecamatan)
    return {
        "region_id": region_id,
        "title": category_label(record.category) if record.category else "Laporan anggota",
        "channel": record.channel, "is_secret": record.rahasia,
        "district_id": district_id, "village_id": places.village(district_id, record.kelurahan),
        "agency_id": places.agency(record.region_code, record.agency_code, record.agency_name,
                                   record.agency_is_triage),
        "category": record.category, "status": record.status,
        **{name: record.times[name] for name in TIMES},
        "pauses": record.pauses, "sla_stage": record.sla_stage,
        "escalation_level": record.escalation_level, "updated_at": now,
    }


def _federated(member: Member, record: Record, now: datetime) -> dict[str, Any]:
    url = record.url if member.url and record.url.startswith(member.url + "/") else ""
    return {"tracking_number": record.tracking_number, "remote_version": record.version,
            "remote_changed_at": record.changed_at, "received_at": now,
            "lapor_id": record.lapor_id, "url": url, "sla_targets": record.sla_targets,
            "sla_breached": record.sla_breached}


class _Places:
    """The member's regions, agencies, kecamatan and kelurahan by name; missing ones are
    created (the member is the authority on its own lists)."""

    def __init__(self, session: Session, member_id: int) -> None:
        self.session = session
        self.regions = {code: [region_id, name] for region_id, code, name in session.execute(
            select(Region.id, Region.code, Region.name).where(Region.member_id == member_id))}
        region_ids = [region_id for region_id, _ in self.regions.values()]
        self.agencies = {(region_id, code): [agency_id, name]
                         for agency_id, region_id, code, name in session.execute(
                             select(Agency.id, Agency.region_id, Agency.code, Agency.name)
                             .where(Agency.region_id.in_(region_ids)))}
        self.districts = {(region_id, name): district_id
                          for district_id, region_id, name in session.execute(
                              select(District.id, District.region_id, District.name)
                              .where(District.region_id.in_(region_ids)))}
        self.villages = {(district_id, name): village_id
                         for village_id, district_id, name in session.execute(
                             select(Village.id, Village.district_id, Village.name)
                             .join(District).where(District.region_id.in_(region_ids)))}

    def region(self, code: str, name: str) -> int:
        region_id, known = self.regions[code]
        if known != name:
            self.session.execute(update(Region).where(Region.id == region_id).values(name=name))
            self.regions[code][1] = name
        return region_id

    def agency(self, region_code: str, code: str, name: str | None,
               is_triage: bool | None = None) -> int:
        region_id = self.regions[region_code][0]
        known = self.agencies.get((region_id, code))
        if known is None:
            agency_id = self.session.scalar(insert(Agency).returning(Agency.id).values(
                region_id=region_id, code=code, name=name or code, is_triage=bool(is_triage),
                active=True))
            self.agencies[(region_id, code)] = [agency_id, name]
            return agency_id
        if name and known[1] != name:
            self.session.execute(update(Agency).where(Agency.id == known[0]).values(name=name))
            known[1] = name
        return known[0]

    def district(self, region_id: int, name: str | None) -> int | None:
        if name is None:
            return None
        if (region_id, name) not in self.districts:
            self.districts[(region_id, name)] = self.session.scalar(
                insert(District).returning(District.id).values(region_id=region_id, name=name))
        return self.districts[(region_id, name)]

    def village(self, district_id: int | None, name: str | None) -> int | None:
        if district_id is None or name is None:
            return None
        if (district_id, name) not in self.villages:
            self.villages[(district_id, name)] = self.session.scalar(
                insert(Village).returning(Village.id).values(district_id=district_id, name=name))
        return self.villages[(district_id, name)]
