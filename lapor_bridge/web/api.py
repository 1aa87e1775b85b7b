"""JSON API v1 and the health check; each endpoint's ``Operation`` validates and documents it."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from sqlalchemy import text

from lapor_bridge.domain.status import Status
from lapor_bridge.services.errors import NotFound, ValidationFailed
from lapor_bridge.services.intake.submit import (
    DESCRIPTION_LIMITS,
    LAT_RANGE,
    LON_RANGE,
    TITLE_LIMITS,
    ComplaintInput,
    ContactInput,
    submit_complaint,
)
from lapor_bridge.services.public_search import PublicQuery, PublicSummary, find_public
from lapor_bridge.services.tracking import PublicView, public_view
from lapor_bridge.services.uploads import UploadedFile
from lapor_bridge.web import limiter, service_context
from lapor_bridge.web.api_auth import (
    API_KEY_HEADER,
    current_client,
    intake_limit,
    key_was_refused,
    rate_limit_key,
    read_limit,
)
from lapor_bridge.web.errors import error_body
from lapor_bridge.web.pagination import cursor_param, encode_cursor
from lapor_bridge.web.schema import (
    Field,
    Operation,
    Response,
    check_limits,
    parse_body,
    parse_params,
)

bp = Blueprint("api", __name__)

MAX_JSON_BYTES = 1_048_576
JSON = "application/json"
MULTIPART = "multipart/form-data"
STATUSES = tuple(status.value for status in Status)

AGENCY_FIELDS = (
    Field("code", str, required=True, description="Kode instansi (OPD)", example="PDAM"),
    Field("name", str, required=True, description="Nama instansi"),
)
CONTACT_FIELDS = (
    Field("name", str, description="Nama pelapor", max_length=120),
    Field("phone", str, description="Nomor telepon/WhatsApp", max_length=32,
          example="081234567890"),
    Field("email", str, description="Alamat e-mail", max_length=254),
)
COMPLAINT_FIELDS = (
    Field("title", str, required=True, description="Judul singkat",
          min_length=TITLE_LIMITS[0], max_length=TITLE_LIMITS[1], example="Air PDAM keruh"),
    Field("description", str, required=True, description="Uraian keluhan",
          min_length=DESCRIPTION_LIMITS[0], max_length=DESCRIPTION_LIMITS[1]),
    Field("kecamatan", str, required=True, description="Nama kecamatan", max_length=80,
          example="Margadana"),
    Field("kelurahan", str, required=True, description="Nama kelurahan di kecamatan itu",
          max_length=80, example="Krandon"),
    Field("lat", float, description="Lintang (WGS84); isi bersama bujur",
          minimum=LAT_RANGE[0], maximum=LAT_RANGE[1]),
    Field("lon", float, description="Bujur (WGS84); isi bersama lintang",
          minimum=LON_RANGE[0], maximum=LON_RANGE[1]),
    Field("anonim", bool, description="Sembunyikan identitas pelapor, juga dari instansi"),
    Field("rahasia", bool, description="Sembunyikan laporan dari halaman publik"),
    Field("contact", dict, description="Kontak pelapor", nested=CONTACT_FIELDS),
)
PHOTO_FIELD = Field("photo", list, description="Foto JPEG, PNG atau WebP (diperiksa isinya)",
                    item=str)
CREATED_FIELDS = (
    Field("tracking_number", str, required=True, description="Nomor pelacakan",
          example="K7P2MX9Q"),
    Field("reporter_key", str, required=True,
          description="Kunci pribadi pelapor untuk tampilan lengkap; diberikan sekali ini saja"),
    Field("status", str, required=True, enum=STATUSES, description="Status laporan"),
    Field("agency", dict, required=True, nested=AGENCY_FIELDS,
          description="Instansi tujuan (atau TRIAGE untuk verifikasi admin)"),
    Field("confidence", float, required=True, nullable=True,
          description="Keyakinan model penentu instansi (0–1)"),
)
EVENT_FIELDS = (
    Field("at", str, required=True, format="date-time"),
    Field("label", str, required=True),
    Field("status", str, required=True, nullable=True, enum=STATUSES),
    Field("agency", str, required=True, nullable=True, description="Nama instansi"),
)
VIEW_FIELDS = (
    Field("tracking_number", str, required=True),
    Field("status", str, required=True, enum=STATUSES),
    Field("status_label", str, required=True),
    Field("agency", dict, required=True, nested=AGENCY_FIELDS),
    Field("title", str, required=True, nullable=True,
          description="Kosong untuk laporan rahasia kecuali dengan kunci pelapor"),
    Field("description", str, required=True, nullable=True),
    Field("kecamatan", str, required=True, nullable=True),
    Field("kelurahan", str, required=True, nullable=True),
    Field("rahasia", bool, required=True),
    Field("created_at", str, required=True, format="date-time"),
    Field("updated_at", str, required=True, format="date-time"),
    Field("history", list, required=True, nested=EVENT_FIELDS),
)
SUMMARY_FIELDS = (
    Field("tracking_number", str, required=True),
    Field("status", str, required=True, enum=STATUSES),
    Field("status_label", str, required=True),
    Field("agency", dict, required=True, nested=AGENCY_FIELDS),
    Field("title", str, required=True),
    Field("kecamatan", str, required=True, nullable=True),
    Field("kelurahan", str, required=True, nullable=True),
    Field("created_at", str, required=True, format="date-time"),
    Field("updated_at", str, required=True, format="date-time"),
)
PAGE_FIELDS = (
    Field("items", list, required=True, nested=SUMMARY_FIELDS),
    Field("next_cursor", str, required=True, nullable=True,
          description="Kirim sebagai ?cursor= untuk halaman berikutnya; null di halaman terakhir"),
)
LIST_QUERY = (
    Field("status", str, enum=STATUSES, description="Hanya laporan berstatus ini"),
    Field("agency", str, max_length=32, description="Hanya laporan di instansi ini (kode)"),
    Field("limit", int, minimum=1, maximum=100, description="Jumlah per halaman (bawaan 20)"),
    Field("cursor", str, max_length=200, description="Dari next_cursor halaman sebelumnya"),
)
HEALTH_CHECK_FIELDS = (
    Field("ok", bool, required=True),
    Field("version", str),
    Field("error", str),
)
HEALTH_FIELDS = (
    Field("status", str, required=True, enum=("ok", "fail")),
    Field("checks", dict, required=True, nested=(
        Field("database", dict, required=True, nested=HEALTH_CHECK_FIELDS),
        Field("model", dict, required=True, nested=HEALTH_CHECK_FIELDS),
    )),
)
ETAG = Field("ETag", str, description="Versi tampilan; kirim di If-None-Match")


def _errors(*statuses: int) -> dict[int, Response]:
    return {status: Response(ERROR_TEXT[status], ref="Error") for status in statuses}


ERROR_TEXT = {
    400: "Permintaan tidak dapat dibaca (JSON rusak, parameter salah)",
    401: "Kunci API tidak dikenal atau sudah dicabut",
    403: "Kunci API tidak mencakup aksi ini",
    404: "Tidak ditemukan",
    413: "Isi permintaan terlalu besar",
    415: "Content-Type tidak didukung",
    422: "Kolom tidak valid; error.fields menyebut setiap kolom",
    429: "Terlalu banyak permintaan; lihat Retry-After",
}

CREATE = Operation(
    "post", "/api/v1/complaints", "createComplaint", "Kirim laporan",
    description="JSON, atau multipart/form-data dengan kolom yang sama (kontak sebagai "
                "contact.name dst.) dan berkas `photo`. Tanpa kunci API dibatasi per alamat IP.",
    body=COMPLAINT_FIELDS, body_types=(JSON, MULTIPART), security=("apiKey",),
    files=(PHOTO_FIELD,),
    responses={201: Response("Laporan tersimpan", CREATED_FIELDS,
                             headers=(Field("Location", str),)),
               **_errors(400, 401, 403, 413, 415, 422, 429)},
)
LIST = Operation(
    "get", "/api/v1/complaints", "listComplaints", "Daftar laporan publik (terbaru dulu)",
    description="Laporan rahasia tidak ikut. Halaman demi halaman dengan cursor.",
    query=LIST_QUERY, security=("apiKey",),
    responses={200: Response("Satu halaman", PAGE_FIELDS), **_errors(400, 401, 429)},
)
VIEW = Operation(
    "get", "/api/v1/complaints/{tracking_number}", "getComplaint",
    "Tampilan publik dan riwayat satu laporan",
    path_params=(Field("tracking_number", str, required=True, max_length=32),),
    query=(Field("key", str, max_length=64,
                 description="Kunci pelapor: tampilan lengkap laporan rahasia"),),
    security=("apiKey",),
    responses={200: Response("Tampilan laporan", VIEW_FIELDS, headers=(ETAG,)),
               304: Response("Tidak berubah sejak ETag yang dikirim", content_types=()),
               **_errors(400, 401, 404, 429)},
)
HEALTH = Operation(
    "get", "/healthz", "healthz", "Kesehatan layanan (basis data, model)", tag="ops",
    responses={200: Response("Sehat", HEALTH_FIELDS),
               503: Response("Basis data tidak terjangkau", HEALTH_FIELDS)},
)
OPERATIONS = (CREATE, LIST, VIEW, HEALTH)


@bp.route("/api/v1/complaints", methods=["POST"])
@limiter.limit(intake_limit, key_func=rate_limit_key)
def create_complaint():
    """File a complaint; 201 with the tracking number and the agency it went to."""
    if refused := _refuse_bad_key():
        return refused
    client = current_client()
    if client is not None and not client.may("complaints.create"):
        return error_body(403, "forbidden", "Kunci API ini tidak boleh mengirim laporan.")
    if request.mimetype == MULTIPART:
        values, errors = parse_params(request.form, COMPLAINT_FIELDS, strict=True)
        photos = tuple(UploadedFile(upload.filename or "foto", upload.read())
                       for upload in request.files.getlist(PHOTO_FIELD.name))
        unexpected = set(request.files) - {PHOTO_FIELD.name}
        errors.update({name: "Kolom tidak dikenal." for name in unexpected})
    elif request.is_json:
        if request.content_length is not None and request.content_length > MAX_JSON_BYTES:
            return error_body(413, "payload_too_large", "Isi permintaan melebihi 1 MB.")
        request.max_content_length = MAX_JSON_BYTES
        body = request.get_json(silent=True)
        if body is None:
            return error_body(400, "bad_json", "Isi permintaan bukan JSON yang sah.")
        values, errors = parse_body(body, COMPLAINT_FIELDS)
        photos = ()
    else:
        return error_body(415, "unsupported_media_type",
                          "Kirim isi dengan Content-Type: application/json "
                          "atau multipart/form-data.")
    if errors:
        return error_body(422, "invalid_fields", "Beberapa kolom tidak valid.", errors)
    contact = values.get("contact") or {}
    data = ComplaintInput(
        title=values["title"],
        description=values["description"],
        kecamatan=values["kecamatan"],
        kelurahan=values["kelurahan"],
        channel="api",
        lat=values.get("lat"),
        lon=values.get("lon"),
        anonim=values.get("anonim", False),
        rahasia=values.get("rahasia", False),
        contact=ContactInput(**contact) if contact else None,
        photos=photos,
        region_code=client.scope.region_code if client else None,
    )
    try:
        result = submit_complaint(service_context(), data)
    except ValidationFailed as exc:
        return error_body(422, "invalid_fields", "Beberapa kolom tidak valid.", exc.errors)
    response = jsonify(
        tracking_number=result.tracking_number,
        reporter_key=result.reporter_key,
        status=result.status.value,
        agency={"code": result.agency_code, "name": result.agency_name},
        confidence=result.confidence,
    )
    response.status_code = 201
    response.headers["Location"] = f"/api/v1/complaints/{result.tracking_number}"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/api/v1/complaints")
@limiter.limit(read_limit, key_func=rate_limit_key)
def list_complaints():
    """One page of public complaints, newest first, with the cursor of the next."""
    if refused := _refuse_bad_key():
        return refused
    values, errors = parse_params(request.args, LIST_QUERY)
    after = cursor_param(values, errors)
    if errors:
        return error_body(400, "invalid_parameters", "Parameter tidak valid.", errors)
    client = current_client()
    limit = values.get("limit", 20)
    rows = find_public(service_context(), PublicQuery(
        region_code=client.scope.region_code if client else _default_region(),
        agency_codes=(values["agency"],) if "agency" in values else None,
        statuses=(Status(values["status"]),) if "status" in values else None,
        after=after, limit=limit + 1,
    ))
    page = rows[:limit]
    next_cursor = (encode_cursor(page[-1].created_at, page[-1].id)
                   if len(rows) > limit else None)
    return jsonify(items=[summary_json(row) for row in page], next_cursor=next_cursor)


@bp.route("/api/v1/complaints/<tracking_number>")
@limiter.limit(read_limit, key_func=rate_limit_key)
def get_complaint(tracking_number: str):
    """The public view of one complaint (``?key=`` for the reporter's full view), with an ETag."""
    if refused := _refuse_bad_key():
        return refused
    if check_limits(VIEW.path_params[0], tracking_number):
        return error_body(404, "not_found", "Nomor laporan tidak dikenal.")
    values, errors = parse_params(request.args, VIEW.query)
    if errors:
        return error_body(400, "invalid_parameters", "Parameter tidak valid.", errors)
    try:
        view = public_view(service_context(), tracking_number, values.get("key"))
    except NotFound as exc:
        return error_body(404, "not_found", str(exc))
    response = jsonify(public_json(view))
    response.headers["Cache-Control"] = "private, no-store" if view.is_reporter else "no-cache"
    response.add_etag()
    return response.make_conditional(request)


@bp.route("/healthz")
def healthz():
    """Liveness and the state of the database and the routing model."""
    context = service_context()
    checks = {}
    try:
        with context.read() as session:
            session.execute(text("SELECT 1"))
        checks["database"] = {"ok": True}
    except Exception as exc:  # the check reports any database failure
        checks["database"] = {"ok": False, "error": type(exc).__name__}
    model = context.classifier
    checks["model"] = (
        {"ok": True, "version": model.version}
        if model is not None
        else {"ok": False, "error": "no model loaded: every complaint goes to triage"}
    )
    healthy = checks["database"]["ok"]
    response = jsonify(status="ok" if healthy else "fail", checks=checks)
    response.status_code = 200 if healthy else 503
    return response


def public_json(view: PublicView) -> dict:
    """The JSON form of a public view."""
    return {
        "tracking_number": view.tracking_number,
        "status": view.status.value,
        "status_label": view.status.label_id,
        "agency": {"code": view.agency_code, "name": view.agency_name},
        "title": view.title,
        "description": view.description,
        "kecamatan": view.kecamatan,
        "kelurahan": view.kelurahan,
        "rahasia": view.is_secret,
        "created_at": view.created_at.isoformat(),
        "updated_at": view.updated_at.isoformat(),
        "history": [
            {
                "at": event.at.isoformat(),
                "label": event.label,
                "status": event.status.value if event.status else None,
                "agency": event.agency_name,
            }
            for event in view.history
        ],
    }


def summary_json(row: PublicSummary) -> dict:
    """The JSON form of one complaint in a list."""
    return {
        "tracking_number": row.tracking_number,
        "status": row.status.value,
        "status_label": row.status.label_id,
        "agency": {"code": row.agency_code, "name": row.agency_name},
        "title": row.title,
        "kecamatan": row.kecamatan,
        "kelurahan": row.kelurahan,
        "created_at": row.created_at.isoformat(),
        "updated_at": row.updated_at.isoformat(),
    }


def _refuse_bad_key():
    """401 when the request carries a key that is unknown or revoked (counted by the limit)."""
    if key_was_refused():
        return error_body(401, "unauthorized",
                          f"Kunci API ({API_KEY_HEADER}) tidak dikenal atau sudah dicabut.")
    return None


def _default_region() -> str:
    return service_context().settings.app.region_code
