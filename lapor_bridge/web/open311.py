"""Open311 GeoReport v2 at ``/open311/v2/``: XML and JSON by the ``.xml``/``.json`` suffix.

Follows the specification's letter: Spark-convention JSON (arrays at the top),
schemaless XML with a UTF-8 declaration, errors as ``errors``/``error`` with ``code``
and ``description`` and HTTP 400 (bad request, an unknown ``service_code`` in a
POST), 403 (missing or invalid ``api_key``) or 404 (unknown jurisdiction, service
definition, request or token). Services are the service categories (see
``services/open311.py``). Extensions,
documented in docs/api.md: ``updated_after``/``updated_before`` on GET requests,
and ``media`` photo files on a multipart POST.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import datetime

from flask import Blueprint, Response, current_app, jsonify, request

from lapor_bridge.domain import categories
from lapor_bridge.domain.calendar import WIB
from lapor_bridge.services.errors import ValidationFailed
from lapor_bridge.services.intake.submit import (
    DESCRIPTION_LIMITS,
    LAT_RANGE,
    LON_RANGE,
    swapped_message,
)
from lapor_bridge.services.open311 import (
    SPECIFICATION,
    NewRequest,
    RequestFilter,
    ServiceRequest,
    UnknownService,
    find_requests,
    find_service,
    list_services,
    parse_w3_datetime,
    place_options,
    request_window,
    submit_request,
)
from lapor_bridge.services.uploads import UploadedFile
from lapor_bridge.web import csrf, limiter, service_context
from lapor_bridge.web.api_auth import current_client, intake_limit, rate_limit_key, read_limit
from lapor_bridge.web.errors import register_renderer
from lapor_bridge.web.schema import Field, Operation, parse_params
from lapor_bridge.web.schema import Response as Documented

bp = Blueprint("open311", __name__, url_prefix="/open311/v2")
csrf.exempt(bp)

FORMAT = "<any(json,xml):fmt>"
FORM = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"
MAX_FORM_BYTES = 131_072
CHANGESET = "2026-12-08T00:00:00+07:00"  # services became the service categories
ITEM_NAMES = {"services": "service", "service_requests": "request", "attributes": "attribute",
              "values": "value", "endpoints": "endpoint", "formats": "format", "errors": "error"}
XML_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

JURISDICTION = Field("jurisdiction_id", str, max_length=64,
                     description="Kode wilayah (BPS) layanan ini, mis. 33.76; boleh kosong")
ERROR_FIELDS = (
    Field("code", int, required=True, description="Kode kesalahan (biasanya status HTTP)"),
    Field("description", str, required=True, description="Penjelasan untuk pengguna"),
)
SERVICE_CODE_TEXT = ("Kode kategori layanan (GET /api/v1/categories); lainnya: tidak tahu, "
                     "model yang memilih")
SERVICE_FIELDS = (
    Field("service_code", str, required=True, enum=categories.CODES,
          description=SERVICE_CODE_TEXT, example="pju"),
    Field("service_name", str, required=True, example="Penerangan jalan umum (PJU)"),
    Field("description", str, required=True),
    Field("metadata", bool, required=True,
          description="true: definisi layanan punya atribut kelurahan"),
    Field("type", str, required=True, enum=("realtime", "batch", "blackbox")),
    Field("keywords", str, required=True, description="Kata kunci, dipisah koma"),
    Field("group", str, required=True, description="Nama kelompok kategori",
          example="Jalan, saluran dan prasarana"),
)
VALUE_FIELDS = (Field("key", str, required=True), Field("name", str, required=True))
ATTRIBUTE_FIELDS = (
    Field("variable", bool, required=True),
    Field("code", str, required=True),
    Field("datatype", str, required=True, enum=("string", "number", "datetime", "text",
                                                 "singlevaluelist", "multivaluelist")),
    Field("required", bool, required=True),
    Field("datatype_description", str, required=True, nullable=True),
    Field("order", int, required=True),
    Field("description", str, required=True),
    Field("values", list, required=True, nested=VALUE_FIELDS),
)
DEFINITION_FIELDS = (
    Field("service_code", str, required=True),
    Field("attributes", list, required=True, nested=ATTRIBUTE_FIELDS),
)
CREATED_FIELDS = (
    Field("service_request_id", str, required=True, description="Nomor pelacakan"),
    Field("service_notice", str, required=True),
)
REQUEST_FIELDS = (
    Field("service_request_id", str, required=True),
    Field("status", str, required=True, enum=("open", "closed")),
    Field("status_notes", str, required=True, nullable=True),
    Field("service_name", str, required=True, description="Nama kategori laporan"),
    Field("service_code", str, required=True, enum=categories.CODES,
          description="Kategori laporan; lainnya bila belum ada (dan untuk laporan rahasia)"),
    Field("description", str, required=True, nullable=True,
          description="Kosong untuk laporan rahasia"),
    Field("agency_responsible", str, required=True),
    Field("service_notice", str, required=True, nullable=True),
    Field("requested_datetime", str, required=True, format="date-time"),
    Field("updated_datetime", str, required=True, format="date-time"),
    Field("expected_datetime", str, required=True, nullable=True, format="date-time",
          description="Batas waktu tahap SLA saat ini (hari kerja)"),
    Field("address", str, required=True, nullable=True),
    Field("address_id", str, required=True, nullable=True),
    Field("zipcode", str, required=True, nullable=True),
    Field("lat", float, required=True, nullable=True),
    Field("long", float, required=True, nullable=True),
    Field("media_url", str, required=True, nullable=True),
)
DISCOVERY_FIELDS = (
    Field("changeset", str, required=True),
    Field("contact", str, required=True),
    Field("key_service", str, required=True),
    Field("endpoints", list, required=True, nested=(
        Field("specification", str, required=True),
        Field("url", str, required=True),
        Field("changeset", str, required=True),
        Field("type", str, required=True, enum=("production", "test")),
        Field("formats", list, required=True, item=str),
    )),
)
POST_FIELDS = (
    Field("api_key", str, required=True, max_length=100, description="Kunci API klien"),
    JURISDICTION,
    Field("service_code", str, required=True, max_length=32, enum=categories.CODES,
          description=SERVICE_CODE_TEXT + "; kode lain: 400"),
    Field("lat", float, minimum=LAT_RANGE[0], maximum=LAT_RANGE[1],
          description="Lintang WGS84, bersama long: cukup untuk menentukan kelurahan "
                      "(di luar wilayah layanan: 400 yang menyebut wilayahnya)"),
    Field("long", float, minimum=LON_RANGE[0], maximum=LON_RANGE[1]),
    Field("address_string", str, max_length=500,
          description="Alamat; menyebut kelurahan bila attribute[kelurahan] tidak dikirim"),
    Field("address_id", str, max_length=64),
    Field("attribute[kelurahan]", str, max_length=200,
          description="Kecamatan/Kelurahan dari definisi layanan"),
    Field("email", str, max_length=254),
    Field("device_id", str, max_length=200),
    Field("account_id", str, max_length=200),
    Field("first_name", str, max_length=60),
    Field("last_name", str, max_length=60),
    Field("phone", str, max_length=32),
    Field("description", str, required=True, min_length=DESCRIPTION_LIMITS[0], max_length=4000),
    Field("media_url", str, max_length=500, description="Tautan http(s) ke foto; tidak diunduh"),
)
REQUESTS_QUERY = (
    JURISDICTION,
    Field("service_request_id", str, max_length=2000, description="Nomor, dipisah koma; "
          "mengabaikan filter lain"),
    Field("service_code", str, max_length=500,
          description="Kode kategori, dipisah koma (lainnya: juga yang tanpa kategori)"),
    Field("start_date", str, max_length=40, description="W3C datetime, mis. 2026-01-01T00:00:00Z"),
    Field("end_date", str, max_length=40, description="Rentang paling lama 90 hari; bawaan: "
          "90 hari terakhir"),
    Field("status", str, max_length=20, description="open, closed, atau open,closed"),
    Field("updated_after", str, max_length=40,
          description="Ekstensi: hanya yang berubah sejak waktu ini (terlama dulu)"),
    Field("updated_before", str, max_length=40, description="Ekstensi: berubah sebelum waktu ini"),
)
DATE_PARAMS = ("start_date", "end_date", "updated_after", "updated_before")


def _errors(*statuses: int) -> dict[int, Documented]:
    texts = {400: "Permintaan tidak valid", 403: "api_key tidak ada atau tidak sah",
             404: "Wilayah, layanan, laporan atau token tidak ditemukan",
             413: "Isi permintaan terlalu besar", 429: "Terlalu banyak permintaan"}
    return {status: Documented(texts[status], ref="Open311Errors") for status in statuses}


def _op(method: str, path: str, operation_id: str, summary: str, responses, **more) -> Operation:
    return Operation(method, f"/open311/v2/{path}.json", operation_id, summary,
                     responses={**responses, **_errors(400, 404, 429)}, tag="open311", **more)


CODE_PARAM = Field("service_code", str, required=True, max_length=32)
OPERATIONS = (
    _op("get", "discovery", "open311Discovery", "Service discovery",
        {200: Documented("Titik akhir dan format", DISCOVERY_FIELDS)}),
    _op("get", "services", "open311Services", "Daftar layanan (satu per kategori layanan)",
        {200: Documented("Layanan", SERVICE_FIELDS, many=True)}, query=(JURISDICTION,)),
    _op("get", "services/{service_code}", "open311ServiceDefinition", "Definisi layanan",
        {200: Documented("Atribut layanan", DEFINITION_FIELDS)},
        path_params=(CODE_PARAM,), query=(JURISDICTION,)),
    _op("post", "requests", "open311CreateRequest", "Kirim laporan (api_key wajib)",
        {200: Documented("Laporan tersimpan", CREATED_FIELDS, many=True),
         **_errors(403, 413)},
        body=POST_FIELDS, body_types=(FORM, MULTIPART),
        files=(Field("media", list, description="Ekstensi: foto JPEG/PNG/WebP"),),
        description="application/x-www-form-urlencoded sesuai spesifikasi; multipart/form-data "
                    "boleh untuk melampirkan foto sebagai `media`."),
    _op("get", "requests", "open311Requests", "Cari laporan",
        {200: Documented("Laporan", REQUEST_FIELDS, many=True)}, query=REQUESTS_QUERY),
    _op("get", "requests/{service_request_id}", "open311Request", "Satu laporan",
        {200: Documented("Laporan", REQUEST_FIELDS, many=True)},
        path_params=(Field("service_request_id", str, required=True, max_length=32),),
        query=(JURISDICTION,)),
    _op("get", "tokens/{token}", "open311Token", "Nomor laporan dari token (tidak dipakai: "
        "semua layanan realtime)", {}, path_params=(Field("token", str, required=True),),
        query=(JURISDICTION,)),
)


@bp.record_once
def _register_error_renderer(state) -> None:
    register_renderer(state.app, "/open311/", _render_http_error)


@bp.route(f"/discovery.{FORMAT}")
@limiter.limit(read_limit, key_func=rate_limit_key)
def discovery(fmt: str):
    """Where the endpoint is, which formats it speaks and how to get a key."""
    region = _region_code()
    document = {
        "changeset": CHANGESET,
        "contact": f"Admin layanan pengaduan wilayah {region}.",
        "key_service": "Kunci API diberikan admin sistem (lapor-bridge api-key create).",
        "endpoints": [{
            "specification": SPECIFICATION,
            "url": request.host_url.rstrip("/") + bp.url_prefix,
            "changeset": CHANGESET,
            "type": "production",
            "formats": ["text/xml", "application/json"],
        }],
    }
    return _render(fmt, "discovery", document)


@bp.route(f"/services.{FORMAT}")
@limiter.limit(read_limit, key_func=rate_limit_key)
def services(fmt: str):
    """The service list: one service per category of the list."""
    if refused := _check_jurisdiction(fmt):
        return refused
    listed = [{"service_code": service.service_code, "service_name": service.service_name,
               "description": service.description, "metadata": True, "type": "realtime",
               "keywords": service.keywords, "group": service.group}
              for service in list_services()]
    return _render(fmt, "services", listed)


@bp.route(f"/services/<service_code>.{FORMAT}")
@limiter.limit(read_limit, key_func=rate_limit_key)
def service_definition(service_code: str, fmt: str):
    """The definition of one service: the kelurahan attribute and its values."""
    if refused := _check_jurisdiction(fmt):
        return refused
    ctx, region = service_context(), _region_code()
    try:
        find_service(service_code)
    except UnknownService:
        return _error(fmt, 404, f"service_code {service_code} tidak ditemukan.")
    attribute = {
        "variable": True, "code": "kelurahan", "datatype": "singlevaluelist",
        "required": False,
        "datatype_description": "Wajib bila address_string tidak menyebut nama kelurahan.",
        "order": 1, "description": "Kelurahan lokasi masalah",
        "values": [{"key": option.key, "name": option.name}
                   for option in place_options(ctx, region)],
    }
    return _render(fmt, "service_definition",
                   {"service_code": service_code, "attributes": [attribute]})


@bp.route(f"/requests.{FORMAT}", methods=["POST"])
@limiter.limit(intake_limit, key_func=rate_limit_key)
def create_request(fmt: str):
    """POST a service request (api_key required); answers with the tracking number."""
    if request.mimetype == FORM:
        request.max_content_length = MAX_FORM_BYTES
    elif request.mimetype != MULTIPART:
        return _error(fmt, 400, "Kirim sebagai application/x-www-form-urlencoded.", code=415)
    if refused := _check_jurisdiction(fmt):
        return refused
    client = current_client()
    if client is None:
        return _error(fmt, 403, "api_key tidak ada atau tidak sah.")
    if not client.may("complaints.create") or client.scope.region_code != _region_code():
        return _error(fmt, 403, "api_key ini tidak boleh mengirim laporan di wilayah ini.")
    values, errors = parse_params(request.form, POST_FIELDS)
    if refused := _check_service_code(fmt, errors):
        return refused
    errors.update(_location_errors(values))
    if swapped := swapped_message(*_floats(request.form.get("lat"), request.form.get("long"))):
        errors.pop("long", None)
        errors["lat"] = swapped
    media_url = values.get("media_url")
    if media_url and not media_url.lower().startswith(("http://", "https://")):
        errors["media_url"] = "Harus tautan http(s)."
    if errors:
        return _field_errors(fmt, errors)
    new = NewRequest(
        service_code=values["service_code"], description=values["description"],
        region_code=client.scope.region_code, lat=values.get("lat"), lon=values.get("long"),
        address_string=values.get("address_string"), kelurahan=values.get("attribute[kelurahan]"),
        first_name=values.get("first_name"), last_name=values.get("last_name"),
        email=values.get("email"), phone=values.get("phone"), media_url=media_url,
        photos=tuple(UploadedFile(upload.filename or "media", upload.read())
                     for upload in request.files.getlist("media")),
    )
    try:
        number, notice = submit_request(service_context(), new)
    except UnknownService:
        return _unknown_service_code(fmt, new.service_code)
    except ValidationFailed as exc:
        return _field_errors(fmt, exc.errors)
    return _render(fmt, "service_requests",
                   [{"service_request_id": number, "service_notice": notice}])


@bp.route(f"/requests.{FORMAT}")
@limiter.limit(read_limit, key_func=rate_limit_key)
def requests_index(fmt: str):
    """GET service requests with the specification's filters and defaults."""
    if refused := _check_jurisdiction(fmt):
        return refused
    values, errors = parse_params(request.args, REQUESTS_QUERY)
    moments: dict[str, datetime] = {}
    for name in DATE_PARAMS:
        if name in values:
            try:
                moments[name] = parse_w3_datetime(values[name])
            except ValueError:
                errors[name] = "Format waktu W3C dengan zona waktu, mis. 2026-01-01T00:00:00Z."
    statuses = _split(values.get("status"))
    if statuses and not set(statuses) <= {"open", "closed"}:
        errors["status"] = "Pilihan: open, closed."
    if not errors:
        try:
            request_window(moments.get("start_date"), moments.get("end_date"),
                           service_context().clock())
        except ValueError as exc:
            errors["end_date"] = str(exc)
    if errors:
        return _field_errors(fmt, errors)
    search = RequestFilter(
        service_request_ids=_split(values.get("service_request_id"), upper=True),
        service_codes=_split(values.get("service_code")),
        start_date=moments.get("start_date"), end_date=moments.get("end_date"),
        statuses=statuses, updated_after=moments.get("updated_after"),
        updated_before=moments.get("updated_before"),
    )
    ctx = service_context()
    found = find_requests(ctx, _region_code(), search, ctx.clock())
    return _render(fmt, "service_requests", [_request_json(row) for row in found])


@bp.route(f"/requests/<service_request_id>.{FORMAT}")
@limiter.limit(read_limit, key_func=rate_limit_key)
def request_detail(service_request_id: str, fmt: str):
    """GET one service request (an array of one, as the specification has it)."""
    if refused := _check_jurisdiction(fmt):
        return refused
    number = service_request_id.strip().upper()
    found = []
    if re.fullmatch(r"[A-Z0-9]{1,32}", number):
        ctx = service_context()
        found = find_requests(ctx, _region_code(),
                              RequestFilter(service_request_ids=(number,)), ctx.clock())
    if not found:
        return _error(fmt, 404, f"service_request_id {service_request_id} tidak ditemukan.")
    return _render(fmt, "service_requests", [_request_json(found[0])])


@bp.route(f"/tokens/<token>.{FORMAT}")
@limiter.limit(read_limit, key_func=rate_limit_key)
def token(token: str, fmt: str):
    """Tokens are never issued (every service is realtime), so every token is unknown."""
    if refused := _check_jurisdiction(fmt):
        return refused
    return _error(fmt, 404, "Token tidak dikenal: layanan ini memberi service_request_id "
                            "langsung saat laporan dikirim.")


def _region_code() -> str:
    return service_context().settings.app.region_code


def _check_jurisdiction(fmt: str) -> Response | None:
    given = request.values.get("jurisdiction_id")
    if given and given != _region_code():
        return _error(fmt, 404, f"jurisdiction_id {given[:64]} tidak dilayani di sini; "
                                f"pakai {_region_code()}.")
    return None


def _check_service_code(fmt: str, errors: dict[str, str]) -> Response | None:
    """400 for a missing service_code, or one that is no category of the list."""
    if "service_code" not in errors:
        return None
    given = request.form.get("service_code") or ""
    if not given:
        return _error(fmt, 400, "service_code wajib diisi.")
    return _unknown_service_code(fmt, given)


def _unknown_service_code(fmt: str, given: str) -> Response:
    return _error(fmt, 400, f"service_code {given[:32]} tidak dikenal; pilih salah satu "
                            "service_code dari daftar services.")


def _location_errors(values: dict) -> dict[str, str]:
    has_point = "lat" in values or "long" in values
    if has_point and not ("lat" in values and "long" in values):
        return {"lat" if "lat" not in values else "long": "Kirim lat dan long bersama."}
    places = ("address_string", "address_id", "attribute[kelurahan]")
    if not (has_point or any(values.get(name) for name in places)):
        return {"lat": "Lokasi wajib: lat dan long, address_string, address_id, "
                       "atau attribute[kelurahan]."}
    return {}


def _floats(*texts: str | None) -> tuple[float | None, ...]:
    numbers = []
    for text in texts:
        try:
            numbers.append(float(text))
        except (TypeError, ValueError):
            numbers.append(None)
    return tuple(numbers)


def _split(text: str | None, *, upper: bool = False) -> tuple[str, ...] | None:
    if not text:
        return None
    parts = tuple(part.strip().upper() if upper else part.strip()
                  for part in text.split(",") if part.strip())
    return parts or None


def _request_json(found: ServiceRequest) -> dict:
    row = found.summary
    return {
        "service_request_id": row.tracking_number,
        "status": "open" if found.open else "closed",
        "status_notes": row.status.label_id,
        "service_name": found.service.service_name,
        "service_code": found.service.service_code,
        "description": row.description,
        "agency_responsible": row.agency_name,
        "service_notice": None,
        "requested_datetime": _w3(row.created_at),
        "updated_datetime": _w3(row.updated_at),
        "expected_datetime": _w3(found.expected_at) if found.expected_at else None,
        "address": found.address,
        "address_id": None,
        "zipcode": None,
        "lat": row.lat,
        "long": row.lon,
        "media_url": None,
    }


def _w3(moment: datetime) -> str:
    return moment.astimezone(WIB).isoformat(timespec="seconds")


def _render(fmt: str, root: str, payload, status: int = 200) -> Response:
    if fmt == "json":
        response = jsonify(payload)
    else:
        element = _element(root, payload)
        body = ('<?xml version="1.0" encoding="utf-8"?>\n'
                + ET.tostring(element, encoding="unicode"))
        response = current_app.response_class(body, mimetype="text/xml")
    response.status_code = status
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _element(name: str, value) -> ET.Element:
    element = ET.Element(name)
    if isinstance(value, dict):
        element.extend(_element(key, item) for key, item in value.items())
    elif isinstance(value, list):
        element.extend(_element(ITEM_NAMES[name], item) for item in value)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = XML_UNSAFE.sub("", str(value))
    return element


def _error(fmt: str, status: int, description: str, code: int | None = None) -> Response:
    return _render(fmt, "errors", [{"code": code or status, "description": description}],
                   status)


def _field_errors(fmt: str, errors: dict[str, str]) -> Response:
    return _render(fmt, "errors", [{"code": 400, "description": f"{name}: {message}"}
                                   for name, message in errors.items()], 400)


def _format_of(path: str) -> str:
    return "json" if path.endswith(".json") else "xml"


def _render_http_error(status: int, message: str) -> Response:
    return _error(_format_of(request.path), status, message)
