"""One complaint as staff see it: text, place, photos, suggestions, history, clocks, actions.

At a provincial instance a federation member's complaint is shown read-only: no actions,
no note, with whose it is, when it last arrived, the member's SLA breach flag, its
LAPOR! id and a link to the member's own page.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from lapor_bridge.db.models import Agency, Attachment, Complaint, ComplaintEvent, ResponseTemplate
from lapor_bridge.db.models_federation import FederatedComplaint, FederationMember
from lapor_bridge.domain import categories
from lapor_bridge.domain.sla import SlaSnapshot, evaluate
from lapor_bridge.domain.status import Status
from lapor_bridge.domain.transitions import Action, allowed_actions
from lapor_bridge.services.accounts import Principal
from lapor_bridge.services.context import ServiceContext
from lapor_bridge.services.errors import NotFound
from lapor_bridge.services.intake.routing_table import Suggestion, suggestions_of, table_of
from lapor_bridge.services.queue import reporter_label
from lapor_bridge.services.scope import WRITER_ROLES, complaint_scope, load_in_scope, role_of
from lapor_bridge.services.sla_clock import sla_policy, timeline_of, working_calendar

# Order in which the actions are offered on the page.
ACTION_ORDER = (
    Action.CLAIM, Action.RESPOND, Action.REQUEST_INFO, Action.RESOLVE, Action.TRANSFER,
    Action.VERIFY, Action.DISPOSE, Action.ARCHIVE, Action.REJECT, Action.REOPEN,
)
ACTOR_NAMES = {"resident": "pelapor", "system": "sistem", "lapor": "SP4N-LAPOR!"}
# Actions the holder's colleagues may not take while someone else handles the complaint.
HOLDER_ONLY = frozenset({Action.RESPOND, Action.REQUEST_INFO, Action.RESOLVE, Action.TRANSFER})


@dataclass(frozen=True)
class AttachmentRef:
    """A file of the complaint, served through the staff attachment route."""

    id: int
    name: str
    content_type: str


@dataclass(frozen=True)
class HistoryEntry:
    """One history event as staff see it (internal notes included)."""

    at: datetime
    kind: str
    actor: str
    from_status: Status | None
    to_status: Status | None
    agency_name: str | None
    note: str | None
    internal: bool
    attachments: tuple[AttachmentRef, ...]


@dataclass(frozen=True)
class TemplateRef:
    """A canned follow-up text of the agency."""

    id: int
    title: str
    body: str


@dataclass(frozen=True)
class FederatedInfo:
    """Whose a federation member's complaint is, and what the member last sent of it
    (its SLA targets in days included). ``url`` (the member's own page) is None unless
    it is an http(s) address.
    """

    member_name: str
    member_active: bool
    received_at: datetime
    changed_at: datetime
    sla_breached: bool
    sla_targets: dict[str, int]
    lapor_id: str | None
    url: str | None


@dataclass(frozen=True)
class CaseView:
    """Everything the complaint page shows; ``actions`` are only those this person may take."""

    tracking_number: str
    version: int
    title: str
    description: str
    status: Status
    channel: str
    agency_code: str
    agency_name: str
    is_triage: bool
    region_id: int
    kecamatan: str | None
    kelurahan: str | None
    lat: float | None
    lon: float | None
    reporter: str
    is_secret: bool
    is_anonymous: bool
    created_at: datetime
    claimed_by: str | None
    claimed_by_me: bool
    photos: tuple[AttachmentRef, ...]
    suggestions: tuple[Suggestion, ...]
    history: tuple[HistoryEntry, ...]
    sla: SlaSnapshot
    actions: tuple[Action, ...]
    can_note: bool
    transfer_targets: tuple[tuple[str, str], ...]
    templates: tuple[TemplateRef, ...]
    category: str | None
    categories: tuple[tuple[str, str], ...]  # (code, name) of the whole list
    federated: FederatedInfo | None = None  # a federation member's: read-only here


def case_view(ctx: ServiceContext, principal: Principal, tracking_number: str) -> CaseView:
    """The complaint page of ``tracking_number`` for ``principal``; NotFound outside scope."""
    role = role_of(principal)
    with ctx.read() as session:
        complaint = load_in_scope(session, principal, tracking_number)
        events = session.scalars(
            select(ComplaintEvent).where(ComplaintEvent.complaint_id == complaint.id)
            .options(selectinload(ComplaintEvent.agency)).order_by(ComplaintEvent.id)
        ).all()
        files = session.scalars(
            select(Attachment).where(Attachment.complaint_id == complaint.id)
            .order_by(Attachment.id)
        ).all()
        agencies = {a.code: a for a in session.scalars(
            select(Agency).where(Agency.region_id == complaint.region_id)
            .order_by(Agency.name))}
        agency = complaint.agency
        templates = session.scalars(
            select(ResponseTemplate).where(ResponseTemplate.agency_id == agency.id,
                                           ResponseTemplate.active.is_(True))
            .order_by(ResponseTemplate.title)
        ).all()
        federated = _federated_info(session, complaint)
        clocks = _clocks(ctx, complaint, agency.code, federated)
        holder = complaint.claimed_by
        by_event: dict[int | None, list[AttachmentRef]] = {}
        for file in files:
            by_event.setdefault(file.event_id, []).append(
                AttachmentRef(file.id, file.original_name, file.content_type))
        actions = () if federated else _actions_for(principal, complaint)
        return CaseView(
            tracking_number=complaint.tracking_number,
            version=complaint.version,
            title=complaint.title,
            description=complaint.description,
            status=Status(complaint.status),
            channel=complaint.channel,
            agency_code=agency.code,
            agency_name=agency.name,
            is_triage=agency.is_triage,
            region_id=complaint.region_id,
            kecamatan=complaint.district.name if complaint.district else None,
            kelurahan=complaint.village.name if complaint.village else None,
            lat=complaint.lat,
            lon=complaint.lon,
            reporter=reporter_label(complaint),
            is_secret=complaint.is_secret,
            is_anonymous=complaint.is_anonymous,
            created_at=complaint.created_at,
            claimed_by=holder.full_name if holder else None,
            claimed_by_me=holder is not None and holder.id == principal.user_id,
            photos=tuple(by_event.get(None, ())),
            suggestions=suggestions_of(
                complaint.predictions, table_of(session, complaint.region_id),
                {code: a.name for code, a in agencies.items()}),
            history=tuple(
                HistoryEntry(
                    at=event.created_at, kind=event.kind,
                    actor=ACTOR_NAMES.get(event.actor_type) or event.actor_label or "—",
                    from_status=Status(event.from_status) if event.from_status else None,
                    to_status=Status(event.to_status) if event.to_status else None,
                    agency_name=event.agency.name if event.agency else None,
                    note=event.note, internal=event.is_internal,
                    attachments=tuple(by_event.get(event.id, ())),
                )
                for event in events
            ),
            sla=clocks,
            actions=actions,
            can_note=role.value in WRITER_ROLES and federated is None,
            transfer_targets=tuple(
                (code, a.name) for code, a in agencies.items()
                if a.active and a.id != agency.id
            ),
            templates=tuple(TemplateRef(t.id, t.title, t.body) for t in templates),
            category=complaint.category,
            categories=tuple((c.code, c.name) for c in categories.CATEGORIES),
            federated=federated,
        )


def _federated_info(session: Session, complaint: Complaint) -> FederatedInfo | None:
    if complaint.member_id is None:
        return None
    row, member = session.execute(
        select(FederatedComplaint, FederationMember)
        .join(FederationMember, FederationMember.id == FederatedComplaint.member_id)
        .where(FederatedComplaint.complaint_id == complaint.id)).one()
    link = urlsplit(row.url)
    safe = link.scheme in ("http", "https") and bool(link.netloc)
    return FederatedInfo(
        member.name, member.active, row.received_at, row.remote_changed_at, row.sla_breached,
        row.sla_targets, row.lapor_id, row.url if safe else None)


def _clocks(ctx: ServiceContext, complaint: Complaint, agency_code: str,
            federated: FederatedInfo | None) -> SlaSnapshot:
    """The SLA clocks; a member's complaint runs on the targets the member sent (as the
    dashboards count it)."""
    policy = sla_policy(ctx.settings.sla)
    if federated is not None:
        policy = replace(policy, agency_overrides={agency_code: federated.sla_targets})
    return evaluate(timeline_of(complaint), ctx.clock(), policy,
                    working_calendar(ctx.settings.sla.cuti_bersama), agency_code=agency_code)


def _actions_for(principal: Principal, complaint: Complaint) -> tuple[Action, ...]:
    possible = allowed_actions(Status(complaint.status), role_of(principal))
    holder = complaint.claimed_by_id
    if principal.role == "officer" and holder not in (None, principal.user_id):
        possible -= HOLDER_ONLY
    if holder is not None:
        possible -= {Action.CLAIM}
    return tuple(action for action in ACTION_ORDER if action in possible)


def attachment_file(ctx: ServiceContext, principal: Principal,
                    attachment_id: int) -> tuple[Path, str, str]:
    """(path, content type, original name) of an attachment in the principal's scope."""
    with ctx.read() as session:
        row = session.execute(
            select(Attachment).join(Complaint, Complaint.id == Attachment.complaint_id)
            .where(Attachment.id == attachment_id, complaint_scope(principal))
        ).scalar_one_or_none()
        if row is None:
            raise NotFound("Lampiran tidak ditemukan.")
        path = ctx.settings.path(ctx.settings.app.upload_dir) / row.stored_name
        return path, row.content_type, row.original_name
