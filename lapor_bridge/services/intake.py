"""``submit_complaint``: the one intake path of every channel.

validate → classify → route → store complaint, contact, photos, first events and
the LAPOR! outbox row, all in one transaction.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
import uuid
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lapor_bridge.db.models import (
    Agency,
    Attachment,
    Complaint,
    ComplaintEvent,
    District,
    OutboxMessage,
    Region,
    ReporterContact,
    Village,
)
from lapor_bridge.domain.routing import TRIAGE, RoutingDecision, decide
from lapor_bridge.domain.status import Status
from lapor_bridge.domain.transitions import Action, apply
from lapor_bridge.services.context import ServiceContext
from lapor_bridge.services.errors import ValidationFailed
from lapor_bridge.services.notifications import subscribe
from lapor_bridge.services.sla_clock import refresh_stored_clock
from lapor_bridge.services.uploads import (
    CheckedPhoto,
    UploadedFile,
    check_photo,
    remove_stored,
    store_photo,
)
from lapor_bridge.translations import Message

log = logging.getLogger(__name__)

CHANNELS = frozenset({"web", "api", "telegram", "lapor", "open311"})
TITLE_LIMITS = (5, 150)
DESCRIPTION_LIMITS = (20, 5000)
TRACKING_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
TRACKING_LENGTH = 8
# C0 controls other than tab/newline, DEL, and lone surrogates: never valid complaint text.
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
PHONE_RE = re.compile(r"^\+?[0-9][0-9 \-]{6,18}[0-9]$")
EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
# Indonesia's extent, with a margin: a point outside is a typo, not a place here.
LAT_RANGE = (-11.5, 6.5)
LON_RANGE = (94.0, 141.5)


@dataclass(frozen=True)
class ContactInput:
    """How the reporter may be reached; kept apart from the complaint text."""

    name: str | None = None
    phone: str | None = None
    email: str | None = None
    telegram_chat_id: int | None = None


@dataclass(frozen=True)
class ComplaintInput:
    """A complaint as a channel received it, already parsed into Python types."""

    title: str
    description: str
    kecamatan: str
    kelurahan: str
    channel: str = "web"
    lat: float | None = None
    lon: float | None = None
    anonim: bool = False
    rahasia: bool = False
    contact: ContactInput | None = None
    photos: tuple[UploadedFile, ...] = field(default_factory=tuple)
    region_code: str | None = None
    # channel "lapor" (imported national reports): the LAPOR! id, and the agency LAPOR!
    # disposed it to (None: classify and route as usual); kecamatan/kelurahan optional.
    lapor_id: str | None = None
    agency_code: str | None = None


@dataclass(frozen=True)
class SubmitResult:
    """What the resident is told after a successful submission."""

    tracking_number: str
    reporter_key: str
    status: Status
    agency_code: str
    agency_name: str
    confidence: float | None
    to_triage: bool


def submit_complaint(ctx: ServiceContext, data: ComplaintInput) -> SubmitResult:
    """Validate, classify, route and store one complaint; raise ValidationFailed on bad input."""
    photos = _validate_fields(ctx, data)
    top = _classify(ctx, f"{data.title.strip()}\n{data.description.strip()}")
    upload_dir = ctx.settings.path(ctx.settings.app.upload_dir)
    for attempt in range(3):
        stored: list[str] = []
        try:
            with ctx.transaction() as session:
                result = _store(ctx, session, data, photos, top, upload_dir, stored)
            return result
        except IntegrityError as exc:
            remove_stored(upload_dir, stored)
            if "tracking_number" not in str(exc.orig) or attempt == 2:
                raise
            log.warning("tracking number collision, drawing another")
        except BaseException:
            remove_stored(upload_dir, stored)
            raise
    raise AssertionError("unreachable")


def new_tracking_number() -> str:
    """A random, hard-to-guess tracking number such as ``K7P2MX9Q``."""
    return "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(TRACKING_LENGTH))


def normalize_tracking_number(text: str) -> str:
    """Upper-case and drop spaces, dashes and a leading ``#`` from what a person typed."""
    return re.sub(r"[\s\-#]", "", text or "").upper()


def hash_reporter_key(key: str) -> str:
    """The stored form of the reporter's private key."""
    return hashlib.sha256(key.encode()).hexdigest()


def _validate_fields(ctx: ServiceContext, data: ComplaintInput) -> list[CheckedPhoto]:
    errors: dict[str, str] = {}
    _check_length(errors, "title", data.title, TITLE_LIMITS, Message("Judul"))
    _check_length(errors, "description", data.description, DESCRIPTION_LIMITS, Message("Uraian"))
    if data.channel not in CHANNELS:
        errors["channel"] = Message("Kanal tidak dikenal.")
    place_optional = data.channel == "lapor"
    if not (data.kecamatan or "").strip() and not place_optional:
        errors["kecamatan"] = Message("Pilih kecamatan.")
    if not (data.kelurahan or "").strip() and not place_optional:
        errors["kelurahan"] = Message("Pilih kelurahan.")
    for name in ("kecamatan", "kelurahan"):
        if CONTROL_CHARS.search(getattr(data, name) or ""):
            errors[name] = Message("Memuat karakter yang tidak sah.")
    if (data.lat is None) != (data.lon is None):
        errors["lat" if data.lat is None else "lon"] = Message(
            "Isi lintang dan bujur bersama-sama.")
    elif data.lat is not None and data.lon is not None:
        if not LAT_RANGE[0] <= data.lat <= LAT_RANGE[1]:
            errors["lat"] = Message("Lintang di luar wilayah Indonesia.")
        if not LON_RANGE[0] <= data.lon <= LON_RANGE[1]:
            errors["lon"] = Message("Bujur di luar wilayah Indonesia.")
    if data.contact is not None:
        _check_contact(errors, data.contact)
    settings = ctx.settings.app
    photos: list[CheckedPhoto] = []
    if len(data.photos) > settings.max_photos:
        errors["photo"] = Message("Paling banyak {count} foto.", count=settings.max_photos)
    else:
        for upload in data.photos:
            try:
                photos.append(check_photo(upload, settings.max_upload_mb * 1_048_576))
            except ValueError as exc:
                errors["photo"] = exc.args[0]
                break
    if errors:
        raise ValidationFailed(errors)
    return photos


def _check_length(errors, name, value, limits, label) -> None:
    text = (value or "").strip()
    low, high = limits
    if CONTROL_CHARS.search(text):
        errors[name] = Message("{label} memuat karakter yang tidak sah.", label=label)
    elif not text:
        errors[name] = Message("{label} wajib diisi.", label=label)
    elif len(text) < low:
        errors[name] = Message("{label} terlalu pendek (minimal {low} karakter).",
                               label=label, low=low)
    elif len(text) > high:
        errors[name] = Message("{label} terlalu panjang (maksimal {high} karakter).",
                               label=label, high=high)


def _check_contact(errors: dict[str, str], contact: ContactInput) -> None:
    for name in ("name", "phone", "email"):
        if CONTROL_CHARS.search(getattr(contact, name) or ""):
            errors[f"contact.{name}"] = Message("Memuat karakter yang tidak sah.")
            return
    if contact.name and len(contact.name.strip()) > 120:
        errors["contact.name"] = Message("Nama terlalu panjang (maksimal 120 karakter).")
    if contact.phone and not PHONE_RE.match(contact.phone.strip()):
        errors["contact.phone"] = Message("Nomor telepon tidak valid (contoh: 081234567890).")
    if contact.email and not EMAIL_RE.match(contact.email.strip()):
        errors["contact.email"] = Message("Alamat e-mail tidak valid.")


def _classify(ctx: ServiceContext, text: str) -> list[tuple[str, float]]:
    if ctx.classifier is None:
        return []
    try:
        return ctx.classifier.predict([text], k=3)[0]
    except Exception:  # a broken model must not lose the complaint: triage takes it
        log.exception("classification failed; routing to triage")
        return []


def _resolve_place(session: Session, data: ComplaintInput, region_code: str):
    region = session.scalar(select(Region).where(Region.code == region_code))
    if region is None:
        raise ValidationFailed(
            {"region": Message("Wilayah {region} belum terdaftar.", region=region_code)})
    if data.channel == "lapor" and not (data.kecamatan or "").strip():
        return region, None, None
    district = session.scalar(
        select(District).where(
            District.region_id == region.id,
            func.lower(District.name) == data.kecamatan.strip().lower(),
        )
    )
    if district is None:
        raise ValidationFailed({"kecamatan": Message(
            "Kecamatan '{kecamatan}' tidak dikenal.", kecamatan=data.kecamatan)})
    village = session.scalar(
        select(Village).where(
            Village.district_id == district.id,
            func.lower(Village.name) == data.kelurahan.strip().lower(),
        )
    )
    if village is None:
        raise ValidationFailed({"kelurahan": Message(
            "Kelurahan '{kelurahan}' tidak ada di Kecamatan {kecamatan}.",
            kelurahan=data.kelurahan, kecamatan=district.name)})
    return region, district, village


def _store(
    ctx: ServiceContext,
    session: Session,
    data: ComplaintInput,
    photos: list[CheckedPhoto],
    top: list[tuple[str, float]],
    upload_dir,
    stored: list[str],
) -> SubmitResult:
    region, district, village = _resolve_place(
        session, data, data.region_code or ctx.settings.app.region_code
    )
    agencies = {
        agency.code: agency
        for agency in session.scalars(
            select(Agency).where(Agency.region_id == region.id, Agency.active.is_(True))
        )
    }
    if TRIAGE not in agencies:
        raise ValidationFailed({"region": Message(
            "Wilayah {region} belum punya antrean verifikasi.", region=region.name)})
    routable = {code for code, agency in agencies.items() if not agency.is_triage}
    decision = decide(top, ctx.settings.classifier.threshold, routable)
    if data.agency_code in routable:
        decision = RoutingDecision(data.agency_code, decision.predicted_code,
                                   decision.confidence, decision.top, "lapor_disposition")
    now = ctx.clock()
    reporter_key = secrets.token_urlsafe(16)
    complaint = Complaint(
        tracking_number=new_tracking_number(),
        reporter_key_hash=hash_reporter_key(reporter_key),
        region_id=region.id,
        title=data.title.strip(),
        description=data.description.strip(),
        channel=data.channel,
        district_id=district.id if district else None,
        village_id=village.id if village else None,
        lat=data.lat,
        lon=data.lon,
        is_anonymous=data.anonim,
        is_secret=data.rahasia,
        predicted_agency_id=_agency_id(agencies, decision.predicted_code),
        confidence=decision.confidence,
        model_version=getattr(ctx.classifier, "version", None),
        predictions=[[label, round(score, 4)] for label, score in decision.top],
        agency_id=agencies[decision.agency_code].id,
        status=Status.SUBMITTED.value,
        lapor_id=data.lapor_id,
        created_at=now,
        updated_at=now,
    )
    session.add(complaint)
    if data.contact is not None and any(vars(data.contact).values()):
        complaint.contact = ReporterContact(
            name=(data.contact.name or "").strip() or None,
            phone=(data.contact.phone or "").strip() or None,
            email=(data.contact.email or "").strip() or None,
            telegram_chat_id=data.contact.telegram_chat_id,
        )
    session.add(
        ComplaintEvent(
            complaint=complaint, kind="submitted", actor_type="resident",
            to_status=Status.SUBMITTED.value, note=f"kanal: {data.channel}", created_at=now,
        )
    )
    _record_routing(session, complaint, decision, agencies, now)
    refresh_stored_clock(ctx.settings.sla, complaint, decision.agency_code, now)
    for photo in photos:
        stored_name = store_photo(photo, upload_dir, now)
        stored.append(stored_name)
        session.add(
            Attachment(
                complaint=complaint, original_name=photo.original_name, stored_name=stored_name,
                content_type=photo.content_type, size_bytes=len(photo.content),
                sha256=photo.sha256, created_at=now,
            )
        )
    if data.channel != "lapor":
        session.add(
            OutboxMessage(
                complaint=complaint, kind="create", idempotency_key=uuid.uuid4().hex,
                payload={"tracking_number": complaint.tracking_number},
                next_attempt_at=now, created_at=now, updated_at=now,
            )
        )
    session.flush()
    if data.contact is not None and data.contact.telegram_chat_id is not None:
        subscribe(session, complaint, data.contact.telegram_chat_id)
    agency = agencies[decision.agency_code]
    return SubmitResult(
        tracking_number=complaint.tracking_number,
        reporter_key=reporter_key,
        status=Status(complaint.status),
        agency_code=agency.code,
        agency_name=agency.name,
        confidence=decision.confidence,
        to_triage=decision.to_triage,
    )


def _record_routing(session, complaint, decision: RoutingDecision, agencies, now) -> None:
    model = getattr(complaint, "model_version", None) or "tanpa model"
    if decision.to_triage:
        session.add(
            ComplaintEvent(
                complaint=complaint, kind="triage", actor_type="system", actor_label=model,
                from_status=Status.SUBMITTED.value, to_status=Status.SUBMITTED.value,
                agency_id=agencies[TRIAGE].id, note=decision.reason, created_at=now,
            )
        )
        return
    complaint.status = apply(Status.SUBMITTED, Action.DISPOSE).value
    complaint.disposed_at = complaint.first_disposed_at = now
    session.add(
        ComplaintEvent(
            complaint=complaint, kind="disposed", actor_type="system", actor_label=model,
            from_status=Status.SUBMITTED.value, to_status=Status.DISPOSED.value,
            agency_id=agencies[decision.agency_code].id,
            note="disposisi SP4N-LAPOR!" if decision.reason == "lapor_disposition"
            else f"otomatis, keyakinan {decision.confidence:.0%}", created_at=now,
        )
    )


def _agency_id(agencies: dict[str, Agency], code: str | None) -> int | None:
    agency = agencies.get(code) if code else None
    return agency.id if agency else None
