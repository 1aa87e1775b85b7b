"""Open311 GeoReport v2 in our terms: services are service categories, requests are
complaints.

* A service is a category of the one list (:mod:`lapor_bridge.domain.categories`):
  ``service_code`` is the category code, the same in every region; ``lainnya`` is
  "not sure" (the routing model decides). Its definition has one optional attribute,
  ``kelurahan``, since every complaint needs a kelurahan (a request may instead
  name it in ``address_string`` or send only ``lat``/``long``, which the region's
  boundaries turn into a kelurahan). A request's category is
  routed through the region's routing table to that region's agency, as on the web
  form; a category the table does not map goes to the triage queue.
* ``service_request_id`` is the tracking number; every service is ``realtime``. A
  request's ``service_code`` is the complaint's category now (``lainnya`` while it
  has none), ``agency_responsible`` the agency holding it.
* Status is ``closed`` for resolved, auto-closed, archived and rejected complaints,
  else ``open``. ``expected_datetime`` is the due time of the current SLA stage, or
  for rows without one the first-response deadline in working days.
* Texts meant for people (service descriptions, notices, error descriptions) are in
  Bahasa Indonesia, the language of the residents who read them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lapor_bridge.db.models import District, Region
from lapor_bridge.domain import categories
from lapor_bridge.domain.calendar import WIB, OutsideCalendarRange
from lapor_bridge.domain.categories import ServiceCategory
from lapor_bridge.domain.status import CLOSED, Status
from lapor_bridge.services.context import ServiceContext
from lapor_bridge.services.errors import ValidationFailed
from lapor_bridge.services.intake.submit import ComplaintInput, ContactInput, submit_complaint
from lapor_bridge.services.public_search import (
    NEWEST_FIRST,
    OLDEST_UPDATE_FIRST,
    PublicQuery,
    PublicSummary,
    find_public,
)
from lapor_bridge.services.sla_clock import working_calendar
from lapor_bridge.services.uploads import UploadedFile

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
WINDOW = timedelta(days=90)
MAX_REQUESTS = 1000
TITLE_LENGTH = 80
OTHER_KEYWORDS = "lainnya, tidak tahu, umum"


class UnknownService(LookupError):
    """The service code is not a category of the list."""


@dataclass(frozen=True)
class Service:
    """One Open311 service (a service category)."""

    service_code: str
    service_name: str
    description: str
    group: str
    keywords: str


@dataclass(frozen=True)
class PlaceOption:
    """A kelurahan a request may name: ``key`` is ``Kecamatan/Kelurahan``."""

    key: str
    name: str


@dataclass(frozen=True)
class NewRequest:
    """A POST service request, already parsed from the form."""

    service_code: str
    description: str
    region_code: str
    lat: float | None = None
    lon: float | None = None
    address_string: str | None = None
    kelurahan: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    phone: str | None = None
    media_url: str | None = None
    photos: tuple[UploadedFile, ...] = ()


@dataclass(frozen=True)
class RequestFilter:
    """GET requests filters, as the specification and the updated_* extension name them."""

    service_request_ids: tuple[str, ...] | None = None
    service_codes: tuple[str, ...] | None = None
    start_date: datetime | None = None
    end_date: datetime | None = None
    statuses: tuple[str, ...] | None = None
    updated_after: datetime | None = None
    updated_before: datetime | None = None


@dataclass(frozen=True)
class ServiceRequest:
    """One complaint as an Open311 request."""

    summary: PublicSummary
    open: bool
    expected_at: datetime | None
    address: str | None
    service: Service


def list_services() -> list[Service]:
    """Every service: the category list, in its order (the same in every region)."""
    return [_service(category) for category in categories.CATEGORIES]


def find_service(service_code: str) -> Service:
    """One service by code; UnknownService when no category has that code."""
    category = categories.get(service_code)
    if category is None:
        raise UnknownService(service_code)
    return _service(category)


def place_options(ctx: ServiceContext, region_code: str) -> list[PlaceOption]:
    """Every kelurahan of the region, the values of the ``kelurahan`` attribute."""
    with ctx.read() as session:
        districts = session.scalars(
            select(District).join(Region, District.region_id == Region.id)
            .where(Region.code == region_code)
            .options(selectinload(District.villages)).order_by(District.name)
        )
        return [PlaceOption(f"{district.name}/{village.name}",
                            f"{village.name}, Kec. {district.name}")
                for district in districts for village in district.villages]


def submit_request(ctx: ServiceContext, new: NewRequest) -> tuple[str, str]:
    """File an Open311 request; (service_request_id, service_notice). Raises
    UnknownService or ValidationFailed (with Open311 parameter names)."""
    service = find_service(new.service_code)
    kecamatan, kelurahan = _place(ctx, new)
    contact = ContactInput(
        name=" ".join(part for part in (new.first_name, new.last_name) if part) or None,
        phone=new.phone, email=new.email,
    )
    description = new.description.strip()
    if new.media_url:
        description += f"\n\nTautan media: {new.media_url}"
    data = ComplaintInput(
        title=_title(description, service), description=description,
        kecamatan=kecamatan, kelurahan=kelurahan, channel="open311",
        lat=new.lat, lon=new.lon, contact=contact, photos=new.photos,
        region_code=new.region_code, category=service.service_code,
    )
    try:
        result = submit_complaint(ctx, data)
    except ValidationFailed as exc:
        raise ValidationFailed({_OPEN311_NAMES.get(name, name): message
                                for name, message in exc.errors.items()}) from exc
    if result.to_triage:
        notice = "Laporan diterima dan menunggu verifikasi admin wilayah."
    else:
        notice = f"Laporan diteruskan ke {result.agency_name}."
    return result.tracking_number, notice


def find_requests(ctx: ServiceContext, region_code: str, search: RequestFilter,
                  now: datetime) -> list[ServiceRequest]:
    """GET requests: by ids (overriding everything else), or by the filters within the
    90-day window (or the updated_* window), at most 1000, newest first (oldest update
    first when updated_after/updated_before is used, so a client can continue from
    the last ``updated_datetime`` it saw). ``service_codes`` are category codes
    (``lainnya`` also finds complaints without a category of the list)."""
    if search.service_request_ids is not None:
        query = PublicQuery(region_code, tracking_numbers=search.service_request_ids,
                            limit=MAX_REQUESTS)
    else:
        by_update = search.updated_after is not None or search.updated_before is not None
        created_from, created_to = (search.start_date, search.end_date)
        if not by_update or created_from or created_to:
            created_from, created_to = request_window(search.start_date, search.end_date, now)
        query = PublicQuery(
            region_code, statuses=_statuses(search.statuses), created_from=created_from,
            created_to=created_to, updated_from=search.updated_after,
            updated_to=search.updated_before, categories=search.service_codes,
            order=OLDEST_UPDATE_FIRST if by_update else NEWEST_FIRST, limit=MAX_REQUESTS,
        )
    return [_request(ctx, row) for row in find_public(ctx, query)]


def request_window(start: datetime | None, end: datetime | None,
                   now: datetime) -> tuple[datetime, datetime]:
    """The requested_datetime range: the given one, or 90 days from/to the given end;
    ValueError when it is reversed or spans more than 90 days."""
    if start is None and end is None:
        return now - WINDOW, now
    if start is None:
        return _shift(end, -WINDOW), end
    if end is None:
        return start, _shift(start, WINDOW)
    if end < start:
        raise ValueError("end_date sebelum start_date.")
    if end - start > WINDOW:
        raise ValueError("Rentang start_date–end_date paling lama 90 hari.")
    return start, end


def parse_w3_datetime(text: str) -> datetime:
    """A W3C-profile ISO 8601 moment with its time zone (a bare date is WIB midnight)."""
    text = text.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return datetime.fromisoformat(text).replace(tzinfo=WIB).astimezone(UTC)
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}T[0-9:.]+(Z|[+-]\d{2}:\d{2})", text):
        raise ValueError(text)
    return datetime.fromisoformat(text).astimezone(UTC)


def _service(category: ServiceCategory) -> Service:
    group = next(group.name for group in categories.GROUPS if group.code == category.group)
    if category.code == categories.OTHER:
        keywords = OTHER_KEYWORDS
    else:
        keywords = ", ".join(part.strip(" .").lower()
                             for part in re.split(r"[,;]", category.description)
                             if part.strip(" ."))
    return Service(category.code, category.name, category.description, group, keywords)


def _place(ctx: ServiceContext, new: NewRequest) -> tuple[str, str]:
    options = place_options(ctx, new.region_code)
    if new.kelurahan:
        for option in options:
            if option.key.lower() == new.kelurahan.strip().lower():
                kecamatan, _, kelurahan = option.key.partition("/")
                return kecamatan, kelurahan
        raise ValidationFailed({"attribute[kelurahan]": "Kelurahan tidak dikenal; pilih dari "
                                                        "definisi layanan."})
    text = f" {(new.address_string or '').lower()} "
    named = [option for option in options
             if re.search(rf"\b{re.escape(option.key.partition('/')[2].lower())}\b", text)]
    in_named_district = [option for option in named
                         if option.key.partition("/")[0].lower() in text]
    candidates = in_named_district or named
    if not candidates and new.lat is not None and new.lon is not None:
        return "", ""  # the point decides: intake finds its kelurahan
    if not candidates:
        raise ValidationFailed({"address_string": (
            "Lokasi harus menyebut kelurahan: kirim lat dan long, attribute[kelurahan] "
            "(lihat definisi layanan) atau address_string yang memuat nama kelurahan.")})
    best = max(candidates, key=lambda option: len(option.key))
    kecamatan, _, kelurahan = best.key.partition("/")
    return kecamatan, kelurahan


def _title(description: str, service: Service) -> str:
    first_line = description.splitlines()[0].strip() if description else ""
    if len(first_line) > TITLE_LENGTH:
        first_line = first_line[: TITLE_LENGTH - 1].rsplit(" ", 1)[0].rstrip(",.;:") + "…"
    return first_line if len(first_line) >= 5 else f"Laporan: {service.service_name}"[:150]


def _statuses(names: tuple[str, ...] | None) -> tuple[Status, ...] | None:
    if names is None:
        return None
    wanted: set[Status] = set()
    if "open" in names:
        wanted |= set(Status) - CLOSED
    if "closed" in names:
        wanted |= CLOSED
    return tuple(sorted(wanted))


def _request(ctx: ServiceContext, row: PublicSummary) -> ServiceRequest:
    is_open = not row.status.is_closed
    address = None
    if row.kelurahan:
        address = f"Kel. {row.kelurahan}, Kec. {row.kecamatan}, {row.region_name}"
    # what a rahasia complaint is about stays as hidden as its text (no category shown)
    shown = categories.get(row.category)
    service = _service(shown or categories.BY_CODE[categories.OTHER])
    return ServiceRequest(row, is_open, _expected(ctx, row) if is_open else None, address,
                          service)


def _expected(ctx: ServiceContext, row: PublicSummary) -> datetime | None:
    if row.due_at is not None:
        return row.due_at
    calendar = working_calendar(ctx.settings.sla.cuti_bersama)
    try:
        return calendar.add_working_days(row.created_at, ctx.settings.sla.first_response_days)
    except OutsideCalendarRange:
        return None


def _shift(moment: datetime, delta: timedelta) -> datetime:
    try:
        return moment + delta
    except OverflowError:
        return datetime.max.replace(tzinfo=UTC) if delta > timedelta(0) else datetime.min.replace(
            tzinfo=UTC)


_OPEN311_NAMES = {"lon": "long", "contact.email": "email", "contact.phone": "phone",
                  "contact.name": "first_name", "kelurahan": "attribute[kelurahan]",
                  "kecamatan": "attribute[kelurahan]", "photo": "media",
                  "location": "lat"}
