"""Canned follow-up texts per agency: officers edit their own agency's, admins their region's."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from lapor_bridge.db.models import Agency, ResponseTemplate
from lapor_bridge.services.accounts import Principal
from lapor_bridge.services.context import ServiceContext
from lapor_bridge.services.errors import NotFound, ValidationFailed
from lapor_bridge.services.scope import agency_scope, require_writer


@dataclass(frozen=True)
class TemplateRow:
    """One template as listed on the templates page."""

    id: int
    agency_id: int
    agency_name: str
    title: str
    body: str
    active: bool


def editable_agencies(ctx: ServiceContext, principal: Principal) -> list[tuple[int, str]]:
    """(id, name) of the agencies whose templates this person may edit."""
    with ctx.read() as session:
        rows = session.execute(select(Agency.id, Agency.name).where(
            agency_scope(principal), Agency.is_triage.is_(False)).order_by(Agency.name))
        return [(agency_id, name) for agency_id, name in rows]


def list_templates(ctx: ServiceContext, principal: Principal) -> list[TemplateRow]:
    """Every template of the agencies in the person's scope."""
    with ctx.read() as session:
        rows = session.execute(
            select(ResponseTemplate, Agency.name)
            .join(Agency, Agency.id == ResponseTemplate.agency_id)
            .where(agency_scope(principal))
            .order_by(Agency.name, ResponseTemplate.title)
        )
        return [TemplateRow(t.id, t.agency_id, name, t.title, t.body, t.active)
                for t, name in rows]


def save_template(ctx: ServiceContext, principal: Principal, *, agency_id: int, title: str,
                  body: str, active: bool = True, template_id: int | None = None) -> int:
    """Create or update a template; return its id."""
    require_writer(principal)
    title, body = (title or "").strip(), (body or "").strip()
    errors = {}
    if not 3 <= len(title) <= 120:
        errors["title"] = "Judul templat 3–120 karakter."
    if not 10 <= len(body) <= 5000:
        errors["body"] = "Isi templat 10–5000 karakter."
    if errors:
        raise ValidationFailed(errors)
    try:
        with ctx.transaction() as session:
            agency = session.scalar(select(Agency).where(Agency.id == agency_id,
                                                         agency_scope(principal)))
            if agency is None or agency.is_triage:
                raise NotFound("Instansi tidak ditemukan.")
            if template_id is None:
                template = ResponseTemplate(agency_id=agency.id)
                session.add(template)
            else:
                template = session.scalar(select(ResponseTemplate).where(
                    ResponseTemplate.id == template_id,
                    ResponseTemplate.agency_id.in_(select(Agency.id).where(
                        agency_scope(principal)))))
                if template is None:
                    raise NotFound("Templat tidak ditemukan.")
                template.agency_id = agency.id
            template.title, template.body, template.active = title, body, active
            template.updated_by_id = principal.user_id
            session.flush()
            return template.id
    except IntegrityError as exc:
        raise ValidationFailed({"title": "Judul templat itu sudah dipakai instansi ini."}) from exc
