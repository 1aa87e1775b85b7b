"""Each region's routing table: service category → that region's agency, every change
audited. Read by intake (through the place memory), edited by the regional admin on
one page or as CSV (``lapor-bridge routing export/import``)."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from lapor_bridge.db.models import Agency, Region, RoutingRule, RoutingRuleChange, User
from lapor_bridge.domain import categories
from lapor_bridge.domain.categories import ServiceCategory
from lapor_bridge.services.accounts import Principal
from lapor_bridge.services.context import ServiceContext
from lapor_bridge.services.errors import NotFound, PermissionDenied, ValidationFailed
from lapor_bridge.translations import Message

CSV_COLUMNS = ("category", "agency")
SOURCES = frozenset({"page", "csv", "seed"})


@dataclass(frozen=True)
class TableRow:
    """One category of the list and the agency that takes it here (None: triage)."""

    category: ServiceCategory
    agency_code: str | None
    agency_name: str | None


@dataclass(frozen=True)
class RoutingTable:
    """A region's whole table, every category of the list in order, and the agencies
    it may point at (active, triage excluded)."""

    region_code: str
    region_name: str
    rows: list[TableRow]
    agencies: list[tuple[str, str]]  # (code, name)


@dataclass(frozen=True)
class TableChange:
    """One audited change of a table line."""

    created_at: datetime
    category: str
    old_agency_code: str | None
    new_agency_code: str | None
    username: str | None
    source: str


def require_table_editor(principal: Principal, region: Region) -> None:
    """The region's own regional admin, or the system admin; others are refused."""
    if principal.role == "sysadmin":
        return
    if principal.role == "regional_admin" and principal.region_id == region.id:
        return
    raise PermissionDenied("Hanya admin wilayah ini yang boleh mengubah tabel rute.")


def table_regions(ctx: ServiceContext, principal: Principal) -> list[tuple[str, str]]:
    """(code, name) of the kabupaten/kota whose routing table ``principal`` may open on
    the routing page: a regional admin their own, a coordinator those of their
    province (read-only), the system admin every one; nobody else any."""
    query = select(Region.code, Region.name).where(Region.kind != "provinsi")
    if principal.role == "regional_admin":
        query = query.where(Region.id == principal.region_id)
    elif principal.role == "coordinator":
        query = query.where(Region.parent_id == principal.region_id)
    elif principal.role != "sysadmin":
        return []
    with ctx.read() as session:
        return [(code, name) for code, name in session.execute(query.order_by(Region.code))]


def _region(session: Session, region_code: str) -> Region:
    region = session.scalar(select(Region).where(Region.code == region_code))
    if region is None:
        raise NotFound(f"Wilayah {region_code} tidak ditemukan.")
    return region


def seed_table(session: Session, region: Region, table: Mapping[str, str],
               now: datetime) -> int:
    """Start a region's table from ``table`` (codes the region lacks are left to triage)
    when it has none yet; return the lines written."""
    if session.scalar(select(RoutingRule.id).where(RoutingRule.region_id == region.id).limit(1)):
        return 0
    agencies = _routable(session, region.id)
    return apply_rules(session, region, {category: code for category, code in table.items()
                                         if code in agencies}, source="seed", now=now)


def _routable(session: Session, region_id: int) -> dict[str, Agency]:
    return {agency.code: agency for agency in session.scalars(
        select(Agency).where(Agency.region_id == region_id, Agency.active.is_(True),
                             Agency.is_triage.is_(False)).order_by(Agency.code))}


def table_of(session: Session, region_id: int) -> dict[str, str]:
    """category → agency code of the region (inactive agencies included)."""
    rows = session.execute(
        select(RoutingRule.category, Agency.code)
        .join(Agency, Agency.id == RoutingRule.agency_id)
        .where(RoutingRule.region_id == region_id))
    return dict(rows.all())


def routing_table(ctx: ServiceContext, region_code: str) -> RoutingTable:
    """The table of ``region_code`` (readable by every staff role)."""
    with ctx.read() as session:
        region = _region(session, region_code)
        agencies = _routable(session, region.id)
        names = {code: agency.name for code, agency in agencies.items()}
        table = table_of(session, region.id)
        rows = [TableRow(category, table.get(category.code),
                         names.get(table.get(category.code, "")))
                for category in categories.CATEGORIES]
        return RoutingTable(region.code, region.name, rows, sorted(names.items()))


def set_rules(ctx: ServiceContext, principal: Principal | None, region_code: str,
              wanted: Mapping[str, str | None], *, source: str = "page") -> int:
    """Point each category of ``wanted`` at an agency code (None or "": triage); audit
    and return the number of lines changed. All or nothing: an unknown category or
    agency refuses the whole change. ``principal`` None is the command line."""
    if source not in SOURCES:
        raise ValueError(f"unknown source {source!r}")
    with ctx.transaction() as session:
        region = _region(session, region_code)
        if principal is not None:
            require_table_editor(principal, region)
        changed = apply_rules(session, region, wanted, source=source, now=ctx.clock(),
                              user_id=principal.user_id if principal else None)
    if changed:
        ctx.places.forget()
    return changed


def apply_rules(session: Session, region: Region, wanted: Mapping[str, str | None], *,
                source: str, now: datetime, user_id: int | None = None) -> int:
    """``set_rules`` inside the caller's transaction (seeding uses it too)."""
    agencies = _routable(session, region.id)
    current = {rule.category: (rule, code) for rule, code in session.execute(
        select(RoutingRule, Agency.code).join(Agency, Agency.id == RoutingRule.agency_id)
        .where(RoutingRule.region_id == region.id))}
    errors: dict[str, str] = {}
    for category, code in wanted.items():
        if not categories.is_category(category):
            errors[f"category.{category}"] = Message(
                "Kategori '{category}' tidak dikenal.", category=category)
        elif code and code not in agencies and code != current.get(category, (None, None))[1]:
            # a line left as it is may name an agency deactivated since (an export of
            # the table names it too): only a change must point at an active agency
            errors[f"category.{category}"] = Message(
                "Instansi '{agency}' tidak ada atau tidak aktif di wilayah ini.", agency=code)
    if errors:
        raise ValidationFailed(errors)
    changed = 0
    for category, code in wanted.items():
        code = code or None
        rule, old = current.get(category, (None, None))
        if old == code:
            continue
        if code is None:
            session.delete(rule)
        elif rule is None:
            session.add(RoutingRule(region_id=region.id, category=category,
                                    agency_id=agencies[code].id, updated_at=now))
        else:
            rule.agency_id, rule.updated_at = agencies[code].id, now
        session.add(RoutingRuleChange(region_id=region.id, category=category,
                                      old_agency_code=old, new_agency_code=code,
                                      user_id=user_id, source=source, created_at=now))
        changed += 1
    session.flush()
    return changed


def recent_changes(ctx: ServiceContext, region_code: str, limit: int = 50) -> list[TableChange]:
    """The latest audited changes of the region's table, newest first."""
    with ctx.read() as session:
        region = _region(session, region_code)
        rows = session.execute(
            select(RoutingRuleChange, User.username)
            .outerjoin(User, User.id == RoutingRuleChange.user_id)
            .where(RoutingRuleChange.region_id == region.id)
            .order_by(RoutingRuleChange.created_at.desc(), RoutingRuleChange.id.desc())
            .limit(limit))
        return [TableChange(change.created_at, change.category, change.old_agency_code,
                            change.new_agency_code, username, change.source)
                for change, username in rows]


def export_csv(ctx: ServiceContext, region_code: str) -> str:
    """The table as CSV: every category of the list, its agency code (empty: triage)."""
    table = routing_table(ctx, region_code)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in table.rows:
        writer.writerow((row.category.code, row.agency_code or ""))
    return out.getvalue()


def parse_csv(text: str) -> dict[str, str | None]:
    """category → agency code (None: triage) from ``export_csv``'s format; a CSV with
    other columns, a repeated category or an empty one is refused with its line."""
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff")))  # Excel's "CSV UTF-8"
    if tuple(reader.fieldnames or ())[:2] != CSV_COLUMNS:
        raise ValidationFailed({"csv": Message(
            "Baris pertama harus berisi kolom: category,agency.")})
    wanted: dict[str, str | None] = {}
    for row in reader:
        category = (row["category"] or "").strip()
        if not category or category in wanted:
            raise ValidationFailed({"csv": Message(
                "Baris {line}: kategori kosong atau berulang.", line=reader.line_num)})
        wanted[category] = (row["agency"] or "").strip() or None
    return wanted


def import_csv(ctx: ServiceContext, principal: Principal | None, region_code: str,
               text: str) -> int:
    """Apply a CSV table (categories it does not name stay as they are)."""
    return set_rules(ctx, principal, region_code, parse_csv(text), source="csv")


@dataclass(frozen=True)
class Suggestion:
    """One of the model's top-3 for the complaint: a category and the agency the
    region's table sends it to (None: triage), or an older model's agency alone."""

    category: str | None
    category_name: str | None
    code: str | None
    name: str
    score: float


def suggestions_of(predictions, table: dict[str, str],
                   agency_names: dict[str, str]) -> tuple[Suggestion, ...]:
    """The stored top-3 predictions as suggestions for people (the labels of a category
    model are category codes, those of an older model agency codes)."""
    found = []
    for label, score in (predictions or [])[:3]:
        if categories.is_category(label):
            code = table.get(label)
            found.append(Suggestion(label, categories.label(label), code,
                                    agency_names.get(code or "", "—"), score))
        else:
            found.append(Suggestion(None, None, label, agency_names.get(label, label), score))
    return tuple(found)
