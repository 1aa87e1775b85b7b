"""``seed_demo``: the demo region, agencies, wilayah, logins, reply templates. Idempotent."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select
from sqlalchemy.orm import Session

from lapor_bridge import demo_region as demo
from lapor_bridge.db.models import Agency, District, Region, ResponseTemplate, User, Village
from lapor_bridge.services.context import ServiceContext
from lapor_bridge.services.intake.routing_table import seed_table
from lapor_bridge.services.passwords import hash_password
from lapor_bridge.services.places.demo import load_demo_boundaries


def seed_demo(ctx: ServiceContext) -> Counter[str]:
    """Create whatever of the demo region is missing; return what was created."""
    created: Counter[str] = Counter()
    with ctx.transaction() as session:
        province = _province(session, created)
        region = _region(session, demo.REGION, province, created)
        for district_name, village_names in demo.KECAMATAN.items():
            district = get_or_add(
                session, created, District, region_id=region.id, name=district_name
            )
            for village_name in village_names:
                get_or_add(session, created, Village, district_id=district.id, name=village_name)
        for code, name, is_triage in demo.AGENCIES:
            agency = get_or_add(
                session, created, Agency, region_id=region.id, code=code,
                defaults={"name": name, "is_triage": is_triage, "active": True},
            )
            if agency.lapor_institution_id is None and code in demo.LAPOR_INSTITUTIONS:
                agency.lapor_institution_id = demo.LAPOR_INSTITUTIONS[code]
                created["lapor_mappings"] += 1
            role = "regional_admin" if is_triage else "officer"
            username = "admin.tegal" if is_triage else f"petugas.{code.lower()}"
            full_name = "Admin Kota Tegal" if is_triage else f"Petugas {code}"
            _user(session, created, username, full_name, role, agency_id=None if is_triage
                  else agency.id, region_id=region.id)
            for title, body in () if is_triage else demo.RESPONSE_TEMPLATES:
                get_or_add(session, created, ResponseTemplate, agency_id=agency.id,
                            title=title, defaults={"body": body})
        created["routing_rules"] += seed_table(session, region, demo.ROUTING, ctx.clock())
    load_demo_boundaries(ctx)
    return created


def seed_province(ctx: ServiceContext) -> Counter[str]:
    """A provincial instance's start: the province, its coordinator and the system admin
    (its kab/kota arrive as federation members register)."""
    created: Counter[str] = Counter()
    with ctx.transaction() as session:
        _province(session, created)
    return created


def _province(session: Session, created: Counter[str]) -> Region:
    """The province with its coordinator and the system admin."""
    province = _region(session, demo.PROVINCE, None, created)
    _user(session, created, "koordinator.jateng", "Koordinator Jawa Tengah", "coordinator",
          agency_id=None, region_id=province.id)
    _user(session, created, "sysadmin", "Administrator Sistem", "sysadmin",
          agency_id=None, region_id=None)
    return province


def _region(session: Session, spec, parent: Region | None, created: Counter[str]) -> Region:
    code, name, kind = spec
    return get_or_add(
        session, created, Region, code=code,
        defaults={"name": name, "kind": kind, "parent_id": parent.id if parent else None},
    )


def _user(session: Session, created: Counter[str], username, full_name, role, **scope) -> None:
    if session.scalar(select(User).where(User.username == username)) is None:
        session.add(User(username=username, full_name=full_name, role=role,
                         password_hash=hash_password(demo.DEMO_PASSWORD), **scope))
        session.flush()
        created["users"] += 1


def get_or_add(session: Session, created: Counter[str], model, defaults=None, **keys):
    """The row of ``model`` matching ``keys``, created (and counted) when missing."""
    row = session.scalar(select(model).filter_by(**keys))
    if row is None:
        row = model(**keys, **(defaults or {}))
        session.add(row)
        session.flush()
        created[model.__tablename__] += 1
    return row
