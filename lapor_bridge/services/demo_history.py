"""``seed_history``: months of made-up but realistically shaped complaints for the dashboards.

For Kota Tegal and its neighbours Kabupaten Tegal and Kabupaten Brebes, every day
of the last N months gets complaints (fewer on weekends and holidays), spread over
agencies in the proportions of the Surabaya 2022 data set and, per agency, over its
three ``response_time_group`` classes (1–3, 4–7, more than 7 days). The shape is
read from ``../shared/data/`` when the file is there, else from the counts below,
measured on that file (no rows copied). Each complaint gets a plausible life —
automatic or admin disposition, sometimes a transfer, a first follow-up, a
resolution — timed in working days (holidays respected) and stored with its
history, so the metrics job sees what it would see in production.

About 70 % of them get a point inside their kelurahan's (demo) boundary, so the maps
have something to show. Idempotent: the random draws are seeded per (region, day), the
tracking numbers with them (a point per tracking number), and complaints already
present are skipped.
"""

from __future__ import annotations

import csv
import hashlib
import random
from collections import Counter
from datetime import date, datetime, time, timedelta
from types import SimpleNamespace

from sqlalchemy import select
from sqlalchemy.orm import Session

from lapor_bridge import demo_neighbours, demo_region
from lapor_bridge.config import PROJECT_ROOT
from lapor_bridge.db.models import (
    Agency,
    Complaint,
    ComplaintEvent,
    District,
    Region,
    User,
    Village,
)
from lapor_bridge.domain import categories
from lapor_bridge.domain.calendar import WIB, WorkingCalendar
from lapor_bridge.domain.status import Status
from lapor_bridge.services.context import ServiceContext
from lapor_bridge.services.dashboards.refresh import refresh_metrics
from lapor_bridge.services.intake.routing_table import seed_table, table_of
from lapor_bridge.services.intake.submit import TRACKING_ALPHABET, TRACKING_LENGTH
from lapor_bridge.services.passwords import hash_password
from lapor_bridge.services.places.demo import load_demo_boundaries, place_demo_points
from lapor_bridge.services.seed import get_or_add
from lapor_bridge.services.sla_clock import snapshot, working_calendar

MODEL_VERSION = "demo-history"
SHARED_CSV = PROJECT_ROOT.parent / "shared" / "data" / "surabaya_complaints_2022.csv"
GROUPS = ("1 Sampai 3 Hari", "4 Sampai 7 Hari", "Lebih 7 Hari")
# Rows per agency label and response_time_group in surabaya_complaints_2022.csv
# (rows without a group left out), measured once; used when the file is absent.
MEASURED_SHAPE = {
    "PUPR": (1083, 414, 524), "DLH": (354, 264, 991), "DINSOS": (1244, 224, 43),
    "DISHUB": (996, 274, 58), "DISDUKCAPIL": (535, 22, 3), "DINKES": (355, 75, 18),
    "DISDIK": (257, 54, 96), "PDAM": (311, 64, 42), "SATPOLPP": (184, 50, 104),
    "DPMPTSP": (42, 5, 2),
}
# Complaints per working day (weekends and holidays get a third).
DAILY_VOLUME = {"33.76": 10, "33.28": 14, "33.29": 16}
TRIAGE_SHARE, REROUTE_SHARE, ARCHIVE_SHARE = 0.15, 0.08, 0.03
CHUNK = 2000
CHANNELS = (("web", 0.55), ("telegram", 0.25), ("api", 0.1), ("lapor", 0.1))


def seed_history(ctx: ServiceContext, months: int, *, seed: int = 2024) -> Counter[str]:
    """Add ``months`` months of history up to yesterday (WIB); return what was created."""
    now = ctx.clock()
    calendar = working_calendar(ctx.settings.sla.cuti_bersama)
    shape = response_shape()
    created: Counter[str] = Counter()
    numbers: list[str] = []
    today = now.astimezone(WIB).date()
    days = [today - timedelta(offset) for offset in range(months * 30, 0, -1)]
    with ctx.transaction() as session:
        places = _ensure_regions(session, created, now)
        existing = set(session.scalars(select(Complaint.tracking_number).where(
            Complaint.model_version == MODEL_VERSION)))
        for code, place in places.items():
            plans = [plan for day in days
                     for plan in plan_day(code, place, day, DAILY_VOLUME[code], calendar, shape,
                                          seed)
                     if plan["number"] not in existing]
            for start in range(0, len(plans), CHUNK):
                _store(session, ctx, plans[start:start + CHUNK], place, now)
            if plans:
                created["complaints"] += len(plans)
                numbers += [plan["number"] for plan in plans]
    if created["villages"]:  # the neighbours' kelurahan just arrived: their boundaries too
        load_demo_boundaries(ctx)
    place_demo_points(ctx, numbers)
    if created["complaints"]:
        refresh_metrics(ctx)
    return created


def response_shape() -> dict[str, tuple[int, int, int]]:
    """Per agency label, rows per response-time group: from the shared CSV when present."""
    if not SHARED_CSV.exists():
        return MEASURED_SHAPE
    counts: Counter[tuple[str, str]] = Counter()
    with SHARED_CSV.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            counts[row["opd"], row["response_time_group"]] += 1
    return {label: tuple(counts[label, group] for group in GROUPS) for label in MEASURED_SHAPE}


def _ensure_regions(session: Session, created: Counter[str],
                    now: datetime) -> dict[str, SimpleNamespace]:
    """The three regions with their wilayah, agencies, routing tables and admins; create
    what is missing."""
    province = session.scalar(select(Region).where(Region.code == demo_region.PROVINCE[0]))
    specs = {demo_region.REGION: demo_region.KECAMATAN, **demo_neighbours.REGIONS}
    places = {}
    for (code, name, kind), kecamatan in specs.items():
        region = get_or_add(session, created, Region, code=code,
                            defaults={"name": name, "kind": kind, "parent_id": province.id})
        villages = []
        for district_name, village_names in kecamatan.items():
            district = get_or_add(session, created, District, region_id=region.id,
                                  name=district_name)
            for village in village_names:
                row = get_or_add(session, created, Village, district_id=district.id, name=village)
                villages.append((district.id, row.id, village, district_name))
        for agency_code, agency_name, is_triage in demo_neighbours.agencies(code, name):
            get_or_add(session, created, Agency, region_id=region.id, code=agency_code,
                       defaults={"name": agency_name, "is_triage": is_triage, "active": True})
        table = demo_neighbours.ROUTING.get(code, demo_region.ROUTING)
        created["routing_rules"] += seed_table(session, region, table, now)
        if code in demo_neighbours.ADMINS and session.scalar(select(User.id).where(
                User.username == demo_neighbours.ADMINS[code])) is None:
            session.add(User(username=demo_neighbours.ADMINS[code], full_name=f"Admin {name}",
                             role="regional_admin", region_id=region.id,
                             password_hash=hash_password(demo_region.DEMO_PASSWORD)))
            created["users"] += 1
        agencies = {agency.code: agency for agency in session.scalars(
            select(Agency).where(Agency.region_id == region.id))}
        officers = dict(session.execute(select(User.agency_id, User.id).where(
            User.agency_id.in_([a.id for a in agencies.values()]),
            User.role == "officer")).all())
        by_agency: dict[str, list[str]] = {}
        for category, agency_code in sorted(table_of(session, region.id).items()):
            by_agency.setdefault(agency_code, []).append(category)
        places[code] = SimpleNamespace(region=region, villages=villages, agencies=agencies,
                                       officers=officers, categories=by_agency)
    return places


def plan_day(code: str, place, day: date, volume: int, calendar: WorkingCalendar,
             shape: dict[str, tuple[int, int, int]], seed: int) -> list[dict]:
    """The complaints of one region and day (about ``volume`` on a working day, a third
    otherwise): deterministic for (seed, region, day)."""
    digest = hashlib.sha256(f"{seed}:{code}:{day.isoformat()}".encode()).digest()
    rng = random.Random(int.from_bytes(digest[:8], "big"))
    volume = volume if calendar.is_working_day(day) else volume // 3
    labels = list(shape)
    weights = [sum(shape[label]) for label in labels]
    plans = []
    for _ in range(max(0, round(rng.gauss(volume, volume ** 0.5)))):
        agency_code = rng.choices(labels, weights)[0]
        group = rng.choices(range(3), shape[agency_code])[0]
        created_at = datetime.combine(day, time(rng.randint(6, 21), rng.randint(0, 59)),
                                      tzinfo=WIB)
        plans.append(_plan_complaint(rng, place, agency_code, group, created_at, calendar))
    return plans


def _plan_complaint(rng: random.Random, place, agency_code: str, group: int,
                    created_at: datetime, calendar: WorkingCalendar) -> dict:
    total = (rng.uniform(0.2, 3.0), rng.uniform(3.0, 7.0),
             min(7 + rng.expovariate(1 / 9), 45))[group]
    triaged = rng.random() < TRIAGE_SHARE
    dispose = min(rng.uniform(0.1, 2.5), total * 0.5) if triaged else 0.0
    # The last follow-up comes within 10 working days of the end, as auto-close would.
    first = max(dispose + (total - dispose) * rng.uniform(0.3, 1.0), total - rng.uniform(0.5, 9))
    rerouted = rng.random() < REROUTE_SHARE
    others = [code for code in sorted(place.categories) if code != agency_code]
    category = rng.choice(place.categories[agency_code])
    name = categories.label(category)
    district_id, village_id, village, district = rng.choice(place.villages)
    return {
        "number": "".join(rng.choice(TRACKING_ALPHABET) for _ in range(TRACKING_LENGTH)),
        "created_at": created_at, "agency": agency_code, "category": category,
        "first_agency": rng.choice(others) if rerouted else agency_code,
        "triaged": triaged, "archived": triaged and rng.random() < ARCHIVE_SHARE / TRIAGE_SHARE,
        "channel": rng.choices([c for c, _ in CHANNELS], [w for _, w in CHANNELS])[0],
        "district_id": district_id, "village_id": village_id,
        "title": f"{name} di {village}",
        "description": (f"Laporan warga tentang {name.lower()} di {village}, Kecamatan "
                        f"{district}. Mohon segera ditindaklanjuti."),
        "confidence": rng.uniform(0.3, 0.59) if triaged else rng.uniform(0.6, 0.99),
        "at": {
            "dispose": _after(calendar, created_at, dispose),
            "transfer": _after(calendar, created_at, dispose + (first - dispose) * 0.4)
            if rerouted else None,
            "first": _after(calendar, created_at, first),
            "resolve": _after(calendar, created_at, total),
        },
    }


def _after(calendar: WorkingCalendar, start: datetime, working_days: float) -> datetime:
    """The moment ``working_days`` of working time after ``start`` (skipping days off)."""
    remaining = working_days * 86_400
    cursor = start.astimezone(WIB)
    while True:
        midnight = datetime.combine(cursor.date() + timedelta(1), time(), tzinfo=WIB)
        if calendar.is_working_day(cursor.date()):
            available = (midnight - cursor).total_seconds()
            if remaining <= available:
                return cursor + timedelta(seconds=remaining)
            remaining -= available
        cursor = midnight


def _store(session: Session, ctx: ServiceContext, plans: list[dict], place, now: datetime):
    if not plans:
        return
    built = build_rows(ctx, plans, place, now)
    complaints = Complaint.__table__
    ids = session.scalars(
        complaints.insert().returning(complaints.c.id, sort_by_parameter_order=True),
        [row for row, _ in built]).all()
    session.execute(ComplaintEvent.__table__.insert(), [
        dict(event, complaint_id=complaint_id)
        for complaint_id, (_, events) in zip(ids, built, strict=True) for event in events])


def build_rows(ctx: ServiceContext, plans: list[dict], place,
               now: datetime) -> list[tuple[dict, list[dict]]]:
    """Per planned complaint: its ``complaints`` row and its ``complaint_events`` rows
    (without ``complaint_id``), as they stand at ``now``."""
    built = []
    for plan in plans:
        life = _life(plan, place, now)
        built.append((_complaint_row(ctx, plan, life, place, now), life["events"]))
    return built


def _life(plan: dict, place, now: datetime) -> dict:
    """The events of a planned complaint that happened before ``now``, and its state then."""
    at, agencies = plan["at"], place.agencies
    first, final = agencies[plan["first_agency"]], agencies[plan["agency"]]
    officer = place.officers.get(final.id)
    routed = agencies["TRIAGE"] if plan["triaged"] else first
    steps = [("submitted", plan["created_at"], None, Status.SUBMITTED, routed, "resident")]
    if plan["triaged"]:
        steps.append(("triage", plan["created_at"], Status.SUBMITTED, Status.SUBMITTED, routed,
                      "system"))
        if plan["archived"]:
            steps.append(("archived", at["dispose"], Status.SUBMITTED, Status.ARCHIVED, routed,
                          "officer"))
        else:
            steps.append(("disposed", at["dispose"], Status.SUBMITTED, Status.DISPOSED, first,
                          "officer"))
    else:
        steps.append(("disposed", plan["created_at"], Status.SUBMITTED, Status.DISPOSED, first,
                      "system"))
    if not plan["archived"]:
        if at["transfer"]:
            steps.append(("transferred", at["transfer"], Status.DISPOSED, Status.DISPOSED, final,
                          "officer"))
        steps += [("responded", at["first"], Status.DISPOSED, Status.RESPONDED, final, "officer"),
                  ("resolved", at["resolve"], Status.RESPONDED, Status.RESOLVED, final,
                   "officer")]
    happened = [step for step in steps if step[1] <= now]
    kinds = {step[0]: step[1] for step in happened}
    last = happened[-1]
    return {
        "status": last[3], "agency": last[4], "updated_at": last[1],
        "disposed_at": kinds.get("transferred") or kinds.get("disposed"),
        "first_disposed_at": kinds.get("disposed"),
        "responded_at": kinds.get("responded"),
        "closed_at": kinds.get("resolved") or kinds.get("archived"),
        "officer": officer if "responded" in kinds else None,
        "events": [{
            "kind": kind, "actor_type": actor, "from_status": before.value if before else None,
            "to_status": after.value, "agency_id": agency.id, "created_at": moment,
            "actor_id": officer if kind in ("responded", "resolved") else None,
            "actor_label": "sistem" if actor == "system" else None, "is_internal": False,
            "note": "Riwayat demo." if kind in ("responded", "resolved") else None,
        } for kind, moment, before, after, agency, actor in happened],
    }


def _complaint_row(ctx: ServiceContext, plan: dict, life: dict, place, now: datetime) -> dict:
    row = {
        "tracking_number": plan["number"],
        "reporter_key_hash": hashlib.sha256(plan["number"].encode()).hexdigest(),
        "region_id": place.region.id, "title": plan["title"],
        "description": plan["description"], "channel": plan["channel"],
        "district_id": plan["district_id"], "village_id": plan["village_id"],
        "is_anonymous": False, "is_secret": False,
        "predicted_agency_id": place.agencies[plan["first_agency"]].id,
        "confidence": plan["confidence"], "model_version": MODEL_VERSION,
        "agency_id": life["agency"].id, "category": plan["category"],
        "status": life["status"].value, "created_at": plan["created_at"],
        "updated_at": life["updated_at"], "version": 1,
        "claimed_by_id": life["officer"], "claimed_at": life["responded_at"]
        if life["officer"] else None,
        "disposed_at": life["disposed_at"], "first_disposed_at": life["first_disposed_at"],
        "first_response_at": life["responded_at"], "last_response_at": life["responded_at"],
        "closed_at": life["closed_at"], "pauses": [], "escalation_level": 0,
    }
    clock = snapshot(ctx.settings.sla, SimpleNamespace(**row), life["agency"].code, now).current
    row["sla_stage"] = clock.stage.value if clock else None
    row["sla_due_at"] = clock.due_at if clock else None
    return row
