"""A Telegram resident's own view: my complaints, the status of one, following one.

A federation member's complaint held here is unknown to the bot (its own instance's bot
serves it)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from lapor_bridge.db.models import Complaint, ReporterContact, Subscriber
from lapor_bridge.domain.status import Status
from lapor_bridge.services.context import ServiceContext
from lapor_bridge.services.errors import NotFound
from lapor_bridge.services.intake.submit import normalize_tracking_number
from lapor_bridge.services.notifications import subscribe
from lapor_bridge.services.scope import local_only
from lapor_bridge.services.tracking import PublicView, public_view


@dataclass(frozen=True)
class ResidentComplaint:
    """One line of "my complaints": one the chat filed, or one it follows."""

    tracking_number: str
    title: str
    status: Status
    updated_at: datetime
    is_own: bool


def complaints_of_chat(
    ctx: ServiceContext, chat_id: int, limit: int = 20
) -> list[ResidentComplaint]:
    """The complaints a chat filed or follows, newest first."""
    own = select(ReporterContact.complaint_id).where(ReporterContact.telegram_chat_id == chat_id)
    followed = select(Subscriber.complaint_id).where(Subscriber.chat_id == chat_id)
    with ctx.read() as session:
        complaints = session.scalars(
            select(Complaint)
            .where(or_(Complaint.id.in_(own), Complaint.id.in_(followed)))
            .options(selectinload(Complaint.contact))
            .order_by(Complaint.created_at.desc(), Complaint.id.desc())
            .limit(limit)
        )
        return [
            ResidentComplaint(
                tracking_number=complaint.tracking_number,
                title=complaint.title,
                status=Status(complaint.status),
                updated_at=complaint.updated_at,
                is_own=_is_reporter(complaint, chat_id),
            )
            for complaint in complaints
        ]


def status_for_chat(ctx: ServiceContext, tracking_number: str, chat_id: int) -> PublicView | None:
    """The complaint as this chat may see it; ``None`` when unknown or someone else's secret.

    The reporter's own chat sees a ``rahasia`` complaint in full; any other chat
    learns nothing about it, not even that it exists.
    """
    number = normalize_tracking_number(tracking_number)
    if not number:
        return None
    with ctx.read() as session:
        complaint = session.scalar(
            select(Complaint).where(Complaint.tracking_number == number, local_only()).options(
                selectinload(Complaint.contact), selectinload(Complaint.district),
                selectinload(Complaint.village),
            )
        )
        if complaint is None:
            return None
        own = _is_reporter(complaint, chat_id)
        if complaint.is_secret and not own:
            return None
        text = {"title": complaint.title, "description": complaint.description,
                "kecamatan": complaint.district.name if complaint.district else None,
                "kelurahan": complaint.village.name if complaint.village else None}
    view = public_view(ctx, number)
    return dataclasses.replace(view, is_reporter=True, **text) if own else view


def follow_complaint(ctx: ServiceContext, tracking_number: str, chat_id: int) -> str:
    """Subscribe a chat to a complaint's news; return its tracking number.

    Raises NotFound for an unknown number or someone else's ``rahasia`` complaint.
    """
    number = normalize_tracking_number(tracking_number)
    with ctx.transaction() as session:
        complaint = session.scalar(
            select(Complaint).where(Complaint.tracking_number == number, local_only())
            .options(selectinload(Complaint.contact))
        )
        if complaint is None or (complaint.is_secret and not _is_reporter(complaint, chat_id)):
            raise NotFound(f"Laporan {number} tidak ditemukan.")
        subscribe(session, complaint, chat_id)
        return complaint.tracking_number


def _is_reporter(complaint: Complaint, chat_id: int) -> bool:
    return complaint.contact is not None and complaint.contact.telegram_chat_id == chat_id
