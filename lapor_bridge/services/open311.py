"""Open311 GeoReport v2 in our terms: services are agencies, requests are complaints.

* A service is an active agency of the deployment's region (``service_code`` is
  the agency code, TRIAGE included as "not sure which agency"). Its definition has
  one optional attribute, ``kelurahan``, since every complaint needs a kelurahan.
  The routing model still decides the agency: ``service_code`` is the filer's hint,
  and a request shows the agency that holds it now.
* ``service_request_id`` is the tracking number; every service is ``realtime``.
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

from lapor_bridge.db.models import Agency, District, Region
from lapor_bridge.domain.calendar import WIB, OutsideCalendarRange
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
# Groups and keywords of the agencies most kabupaten/kota have (by their usual code).
CATALOGUE = {
    "PUPR": ("infrastruktur", "jalan rusak, jembatan, drainase, trotoar, lampu jalan, banjir"),
    "DINKES": ("kesehatan", "puskesmas, rumah sakit, obat, BPJS, imunisasi, demam berdarah"),
    "DISDIK": ("pendidikan", "sekolah, guru, PPDB, beasiswa, pungutan sekolah"),
    "DISDUKCAPIL": ("kependudukan", "KTP, KK, akta kelahiran, pindah domisili"),
    "DLH": ("lingkungan", "sampah, pencemaran, limbah, taman, pohon tumbang"),
    "DISHUB": ("transportasi", "parkir liar, angkutan umum, lampu lalu lintas, rambu"),
    "SATPOLPP": ("ketertiban", "pedagang kaki lima, bangunan liar, ketertiban umum"),
    "PDAM": ("air bersih", "air keruh, air mati, pipa bocor, tagihan air"),
    "DINSOS": ("sosial", "bansos, PKH, lansia, disabilitas, anak jalanan"),
    "DPMPTSP": ("perizinan", "izin usaha, PBG, NIB, pelayanan perizinan"),
}
TRIAGE_DESCRIPTION = "Belum tahu instansinya? Admin wilayah memeriksa dan meneruskan laporan."


class UnknownService(LookupError):
    """No active agency of the region has this service code."""


@dataclass(frozen=True)
class Service:
    """One Open311 service (an agency)."""

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


def list_services(ctx: ServiceContext, region_code: str) -> list[Service]:
    """The services of a region: its active agencies, ordered by code."""
    with ctx.read() as session:
        agencies = session.scalars(
            select(Agency).join(Region).where(Region.code == region_code,
                                              Agency.active.is_(True)).order_by(Agency.code)
        )
        return [_service(agency) for agency in agencies]


def find_service(ctx: ServiceContext, region_code: str, service_code: str) -> Service:
    """One service by code; UnknownService when the region has no such active agency."""
    for service in list_services(ctx, region_code):
        if service.service_code == service_code:
            return service
    raise UnknownService(service_code)


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
    service = find_service(ctx, new.region_code, new.service_code)
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
        region_code=new.region_code,
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
    the last ``updated_datetime`` it saw)."""
    if search.service_request_ids is not None:
        query = PublicQuery(region_code, tracking_numbers=search.service_request_ids,
                            limit=MAX_REQUESTS)
    else:
        by_update = search.updated_after is not None or search.updated_before is not None
        created_from, created_to = (search.start_date, search.end_date)
        if not by_update or created_from or created_to:
            created_from, created_to = request_window(search.start_date, search.end_date, now)
        query = PublicQuery(
            region_code, agency_codes=search.service_codes,
            statuses=_statuses(search.statuses), created_from=created_from,
            created_to=created_to, updated_from=search.updated_after,
            updated_to=search.updated_before,
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


def _service(agency: Agency) -> Service:
    group, keywords = CATALOGUE.get(agency.code, ("lainnya", ""))
    if agency.is_triage:
        return Service(agency.code, "Lainnya / belum tahu instansinya", TRIAGE_DESCRIPTION,
                       "lainnya", "lainnya, tidak tahu, umum")
    return Service(agency.code, agency.name, f"Pengaduan yang ditangani {agency.name}.",
                   group, keywords)


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
    if not candidates:
        raise ValidationFailed({"address_string": (
            "Lokasi harus menyebut kelurahan: kirim attribute[kelurahan] (lihat definisi "
            "layanan) atau address_string yang memuat nama kelurahan.")})
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
    return ServiceRequest(row, is_open, _expected(ctx, row) if is_open else None, address)


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
                  "kecamatan": "attribute[kelurahan]", "photo": "media"}
