"""``submit_complaint``: the one intake path of every channel.

validate → classify → route → store complaint, contact, photos, first events and
the LAPOR! outbox row, all in one transaction (on PostgreSQL, a complaint without
contact or photos is one statement, atomic by itself: see ``intake.store``).
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from dataclasses import dataclass, field, replace

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from lapor_bridge.domain import categories
from lapor_bridge.domain.routing import (
    LAPOR_DISPOSITION,
    RESIDENT_CATEGORY,
    TRIAGE,
    RoutingDecision,
)
from lapor_bridge.domain.sla import Timeline
from lapor_bridge.domain.status import Status
from lapor_bridge.domain.transitions import Action, apply
from lapor_bridge.services.context import ServiceContext
from lapor_bridge.services.errors import ValidationFailed
from lapor_bridge.services.intake.routing import Scores, model_scores, route
from lapor_bridge.services.intake.store import (
    Place,
    insert_attachment,
    insert_complaint,
    insert_complaint_alone,
    insert_contact,
    insert_subscriber,
    outbox_create_row,
    writes_in_one_statement,
)
from lapor_bridge.services.places.coordinates import Axes, classify
from lapor_bridge.services.places.lookup import Located, LocationRefused, locate
from lapor_bridge.services.sla_clock import timeline_snapshot
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
    # blank with lat/lon given: taken from the point (the resident's names win when given)
    kecamatan: str = ""
    kelurahan: str = ""
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
    # the service category the resident confirmed (domain.categories code; "lainnya" or
    # None: not sure, the model decides)
    category: str | None = None


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
    category: str | None = None
    route_reason: str = ""


def submit_complaint(ctx: ServiceContext, data: ComplaintInput) -> SubmitResult:
    """Validate, classify, route and store one complaint; raise ValidationFailed on bad input."""
    photos = _validate_fields(ctx, data)
    data = _place_from_point(ctx, data)
    scores = model_scores(ctx, f"{data.title.strip()}\n{data.description.strip()}")
    upload_dir = ctx.settings.path(ctx.settings.app.upload_dir) if photos else None
    alone = (not photos and not _has_contact(data)
             and writes_in_one_statement(ctx.engine.dialect.name))
    for attempt in range(3):
        stored: list[str] = []
        try:
            return _store(ctx, data, photos, scores, upload_dir, stored, alone)
        except IntegrityError as exc:
            remove_stored(upload_dir, stored)
            if "tracking_number" not in str(exc.orig) or attempt == 2:
                raise
            log.warning("tracking number collision, drawing another")
        except AgencyGone:
            remove_stored(upload_dir, stored)
            ctx.places.forget()
            if attempt == 2:
                raise
            log.info("the routed agency was deactivated meanwhile; routing again")
        except BaseException:
            remove_stored(upload_dir, stored)
            raise
    raise AssertionError("unreachable")


def new_tracking_number() -> str:
    """A random, hard-to-guess tracking number such as ``K7P2MX9Q`` (40 random bits: each
    random byte picks one of the 32 letters, and 256 is a multiple of 32, so evenly)."""
    return "".join(TRACKING_ALPHABET[byte % 32] for byte in secrets.token_bytes(TRACKING_LENGTH))


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
    if data.category is not None and not categories.is_category(data.category):
        errors["category"] = Message("Kategori '{category}' tidak dikenal.",
                                     category=str(data.category)[:48])
    has_point = data.lat is not None and data.lon is not None
    place_optional = data.channel == "lapor" or has_point
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
    elif swapped := swapped_message(data.lat, data.lon):
        errors["lat"] = swapped
    elif has_point:
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


def swapped_message(lat: float | None, lon: float | None) -> Message | None:
    """The message for a latitude/longitude pair that lies in Indonesia only when read the
    other way round (a common client mistake), else None."""
    if lat is None or lon is None or isinstance(lat, bool) or isinstance(lon, bool):
        return None
    try:
        axes = classify(float(lon), float(lat), float(lon), float(lat))
    except (TypeError, ValueError):
        return None
    if axes is not Axes.SWAPPED:
        return None
    return Message("Lintang dan bujur tampak tertukar (lintang {lat}, bujur {lon}): di "
                   "Indonesia lintang antara -11,5 dan 6,5 dan bujur antara 94 dan 141,5.",
                   lat=lat, lon=lon)


def place_of_point(ctx: ServiceContext, lat: float, lon: float,
                   region_code: str | None = None) -> Located:
    """The kelurahan at a point of ``region_code`` (default: this instance's region), or
    ``ValidationFailed`` in the resident's terms: swapped coordinates, or where the point
    lies when no kelurahan of the region takes it ("Titik ini berada di Kabupaten
    Brebes, di luar wilayah layanan Kota Tegal.")."""
    region_code = region_code or ctx.settings.app.region_code
    try:
        return locate(ctx, lat, lon, region_code)
    except LocationRefused as refused:
        raise ValidationFailed(_refusal(ctx, refused, region_code)) from refused


def _place_from_point(ctx: ServiceContext, data: ComplaintInput) -> ComplaintInput:
    """Fill the kecamatan/kelurahan the resident left blank from the point, when there
    is one; names the resident gave are kept (they may correct the map)."""
    kecamatan, kelurahan = (data.kecamatan or "").strip(), (data.kelurahan or "").strip()
    if data.channel == "lapor" or data.lat is None or data.lon is None or kelurahan:
        return data
    found = place_of_point(ctx, data.lat, data.lon, data.region_code)
    if kecamatan and kecamatan.lower() != found.kecamatan.lower():
        raise ValidationFailed({"kelurahan": Message("Pilih kelurahan.")})
    return replace(data, kecamatan=found.kecamatan, kelurahan=found.kelurahan)


def _refusal(ctx: ServiceContext, refused: LocationRefused, region_code: str) -> dict:
    """The refusal in the resident's terms: where the point is, when outside our region."""
    field_name, message = next(iter(refused.errors.items()))
    code = refused.region_code
    if refused.region_name and code != region_code and not code.startswith(region_code + "."):
        place = ctx.places.find(ctx.engine, region_code, "", "")
        message = Message("Titik ini berada di {found}, di luar wilayah layanan {region}.",
                          found=refused.region_name,
                          region=place.region_name if place else region_code)
    return {field_name: message}


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


class AgencyGone(Exception):
    """The agency a complaint was routed to was deactivated before it was stored."""


def _resolve_place(ctx: ServiceContext, data: ComplaintInput, region_code: str) -> Place:
    place = ctx.places.find(ctx.engine, region_code, data.kecamatan, data.kelurahan)
    if place is None:
        raise ValidationFailed(
            {"region": Message("Wilayah {region} belum terdaftar.", region=region_code)})
    if data.channel == "lapor" and not (data.kecamatan or "").strip():
        return place
    if place.district_id is None:
        raise ValidationFailed({"kecamatan": Message(
            "Kecamatan '{kecamatan}' tidak dikenal.", kecamatan=data.kecamatan)})
    if place.village_id is None:
        raise ValidationFailed({"kelurahan": Message(
            "Kelurahan '{kelurahan}' tidak ada di Kecamatan {kecamatan}.",
            kelurahan=data.kelurahan, kecamatan=place.district_name)})
    return place


def _store(
    ctx: ServiceContext,
    data: ComplaintInput,
    photos: list[CheckedPhoto],
    scores: Scores,
    upload_dir,
    stored: list[str],
    alone: bool,
) -> SubmitResult:
    """Route among the place's agencies and write the complaint: ``alone`` as one
    autocommitted statement, else in a transaction with its contact and photos."""
    place = _resolve_place(ctx, data, data.region_code or ctx.settings.app.region_code)
    decision = route(ctx, place, scores, data.category, data.agency_code)
    now = ctx.clock()
    reporter_key = secrets.token_urlsafe(16)
    model = getattr(ctx.classifier, "version", None)
    complaint = _complaint_row(ctx, data, place, decision, reporter_key, model, now)
    events = [_event("submitted", "resident", None, Status.SUBMITTED, None,
                     f"kanal: {data.channel}"),
              _routing_event(decision, place.agencies, model or "tanpa model")]
    outbox = outbox_create_row(complaint["tracking_number"]) if data.channel != "lapor" else None
    if alone:
        complaint_id = insert_complaint_alone(ctx.engine, complaint, events, outbox)
    else:
        with ctx.sql_transaction() as connection:
            complaint_id = insert_complaint(connection, complaint, events, outbox)
            if complaint_id is not None:
                _store_details(connection, complaint_id, data, photos, upload_dir, stored, now)
    if complaint_id is None:
        raise AgencyGone(decision.agency_code)
    agency = place.agencies[decision.agency_code]
    return SubmitResult(
        tracking_number=complaint["tracking_number"],
        reporter_key=reporter_key,
        status=Status(complaint["status"]),
        agency_code=agency.code,
        agency_name=agency.name,
        confidence=decision.confidence,
        to_triage=decision.to_triage,
        category=decision.category,
        route_reason=decision.reason,
    )


def _store_details(connection: Connection, complaint_id: int, data: ComplaintInput,
                   photos: list[CheckedPhoto], upload_dir, stored: list[str], now) -> None:
    """The contact, the photos (files first, names noted in ``stored``) and the
    reporting Telegram chat's subscription, in the complaint's transaction."""
    if _has_contact(data):
        insert_contact(
            connection, complaint_id,
            name=(data.contact.name or "").strip() or None,
            phone=(data.contact.phone or "").strip() or None,
            email=(data.contact.email or "").strip() or None,
            telegram_chat_id=data.contact.telegram_chat_id,
        )
    for photo in photos:
        stored_name = store_photo(photo, upload_dir, now)
        stored.append(stored_name)
        insert_attachment(
            connection, complaint_id, original_name=photo.original_name,
            stored_name=stored_name, content_type=photo.content_type,
            size_bytes=len(photo.content), sha256=photo.sha256, created_at=now,
        )
    if data.contact is not None and data.contact.telegram_chat_id is not None:
        insert_subscriber(connection, complaint_id, data.contact.telegram_chat_id, now)


def _has_contact(data: ComplaintInput) -> bool:
    return data.contact is not None and any(vars(data.contact).values())


def _complaint_row(ctx: ServiceContext, data: ComplaintInput, place: Place,
                   decision: RoutingDecision, reporter_key: str, model: str | None,
                   now) -> dict:
    """Every column of the new complaint, its SLA clock included."""
    status = Status.SUBMITTED if decision.to_triage else apply(Status.SUBMITTED, Action.DISPOSE)
    disposed_at = None if decision.to_triage else now
    clock = timeline_snapshot(ctx.settings.sla, Timeline(
        status=status, submitted_at=now, disposed_at=disposed_at,
        first_disposed_at=disposed_at), decision.agency_code, now)
    predicted = place.agencies.get(decision.predicted_code or "")
    return {
        "tracking_number": new_tracking_number(),
        "reporter_key_hash": hash_reporter_key(reporter_key),
        "region_id": place.region_id,
        "title": data.title.strip(),
        "description": data.description.strip(),
        "channel": data.channel,
        "district_id": place.district_id,
        "village_id": place.village_id,
        "lat": data.lat,
        "lon": data.lon,
        "is_anonymous": data.anonim,
        "is_secret": data.rahasia,
        "predicted_agency_id": predicted.id if predicted else None,
        "confidence": decision.confidence,
        "model_version": model,
        "predictions": [[label, round(score, 4)] for label, score in decision.top],
        "agency_id": place.agencies[decision.agency_code].id,
        "category": decision.category,
        "resident_category": data.category,
        "suggested_category": decision.suggested_category,
        "route_reason": decision.reason,
        "status": status.value,
        "lapor_id": data.lapor_id,
        "disposed_at": disposed_at,
        "first_disposed_at": disposed_at,
        "sla_stage": clock.current.stage.value if clock.current else None,
        "sla_due_at": clock.due_at,
        "pauses": [],
        "created_at": now,
        "updated_at": now,
    }


def _routing_event(decision: RoutingDecision, agencies, model: str) -> dict:
    if decision.to_triage:
        return _event("triage", "system", model, Status.SUBMITTED, agencies[TRIAGE].id,
                      decision.reason)
    if decision.reason == LAPOR_DISPOSITION:
        note = "disposisi SP4N-LAPOR!"
    elif decision.reason == RESIDENT_CATEGORY:
        note = f"kategori pilihan pelapor: {categories.label(decision.category)}"
    elif decision.category:
        note = (f"kategori {categories.label(decision.category)}, "
                f"keyakinan {decision.confidence:.0%}")
    else:
        note = f"otomatis, keyakinan {decision.confidence:.0%}"
    return _event("disposed", "system", model, Status.DISPOSED,
                  agencies[decision.agency_code].id, note)


def _event(kind, actor_type, actor_label, to_status: Status, agency_id, note) -> dict:
    """One first-history row (stamped with the complaint's time); all carry the same keys."""
    return {"kind": kind, "actor_type": actor_type, "actor_label": actor_label,
            "from_status": None if kind == "submitted" else Status.SUBMITTED.value,
            "to_status": to_status.value, "agency_id": agency_id, "note": note}
