"""JSON API v1 and the health check; each endpoint's ``Operation`` validates and documents it.

Complaints are filed under a service category (``domain.categories``): a client may send
the code the resident confirmed (``category``), ``GET /api/v1/categories`` lists them and
``POST /api/v1/categories/suggest`` offers the likeliest ones for a text.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from sqlalchemy import text

from lapor_bridge.domain import categories
from lapor_bridge.domain.routing import (
    LAPOR_DISPOSITION,
    LEGACY_AGENCY_MODEL,
    LOW_CONFIDENCE,
    MODEL_CATEGORY,
    NO_AGENCY_FOR_CATEGORY,
    NO_MODEL,
    NO_SUCH_AGENCY,
    RESIDENT_CATEGORY,
)
from lapor_bridge.domain.status import Status
from lapor_bridge.services.errors import NotFound, ValidationFailed
from lapor_bridge.services.intake.routing import SUGGEST_TEXT_LIMIT, suggest_categories
from lapor_bridge.services.intake.submit import (
    DESCRIPTION_LIMITS,
    LAT_RANGE,
    LON_RANGE,
    TITLE_LIMITS,
    ComplaintInput,
    ContactInput,
    submit_complaint,
    swapped_message,
)
from lapor_bridge.services.public_search import PublicQuery, PublicSummary, find_public
from lapor_bridge.services.tracking import PublicView, public_view
from lapor_bridge.services.uploads import UploadedFile
from lapor_bridge.translations import Message
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
MAX_SUGGEST_BYTES = 65_536
JSON = "application/json"
MULTIPART = "multipart/form-data"
STATUSES = tuple(status.value for status in Status)
ROUTE_REASONS = (RESIDENT_CATEGORY, NO_AGENCY_FOR_CATEGORY, MODEL_CATEGORY, LEGACY_AGENCY_MODEL,
                 LOW_CONFIDENCE, NO_SUCH_AGENCY, NO_MODEL, LAPOR_DISPOSITION)
CATEGORY_CODES = categories.CODES

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
    Field("kecamatan", str, description="Nama kecamatan; wajib kecuali lat dan lon dikirim",
          max_length=80, example="Margadana"),
    Field("kelurahan", str, max_length=80, example="Krandon",
          description="Nama kelurahan di kecamatan itu; wajib kecuali lat dan lon dikirim "
                      "(tanpa kelurahan, kecamatan dan kelurahan diambil dari titik itu; "
                      "bila dikirim, nama ini yang dipakai)"),
    Field("lat", float, description="Lintang (WGS84); isi bersama bujur. Titik di luar "
                                    "wilayah layanan: 422 yang menyebut wilayahnya",
          minimum=LAT_RANGE[0], maximum=LAT_RANGE[1]),
    Field("lon", float, description="Bujur (WGS84); isi bersama lintang",
          minimum=LON_RANGE[0], maximum=LON_RANGE[1]),
    Field("anonim", bool, description="Sembunyikan identitas pelapor, juga dari instansi"),
    Field("rahasia", bool, description="Sembunyikan laporan dari halaman publik"),
    Field("contact", dict, description="Kontak pelapor", nested=CONTACT_FIELDS),
    Field("category", str, max_length=48, enum=CATEGORY_CODES, example="pju",
          description="Kode kategori layanan yang dikonfirmasi pelapor (GET /api/v1/categories); "
                      "lainnya atau kosong: model yang menentukan"),
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
    Field("category", str, required=True, nullable=True, enum=CATEGORY_CODES,
          description="Kode kategori tempat laporan diajukan (pilihan pelapor atau model); "
                      "null: belum ada, petugas verifikasi yang menentukan"),
    Field("category_name", str, required=True, nullable=True, description="Nama kategori"),
    Field("route_reason", str, required=True, enum=ROUTE_REASONS,
          description="Cara laporan dirutekan: resident_category (kategori pilihan pelapor "
                      "lewat tabel rute wilayah), no_agency_for_category (kategori itu belum "
                      "punya instansi di wilayah ini: verifikasi), model_category, "
                      "low_confidence, no_model, legacy_agency_model, no_such_agency, "
                      "lapor_disposition"),
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
GROUP_FIELDS = (
    Field("code", str, required=True, example="prasarana"),
    Field("name", str, required=True, example="Jalan, saluran dan prasarana"),
    Field("name_en", str, required=True, example="Roads, drains and infrastructure"),
)
CATEGORY_FIELDS = (
    Field("code", str, required=True, enum=CATEGORY_CODES, example="pju",
          description="Kode tetap (dikirim sebagai category / service_code Open311)"),
    Field("name", str, required=True, example="Penerangan jalan umum (PJU)"),
    Field("name_en", str, required=True, example="Street lights"),
    Field("group", dict, required=True, nested=GROUP_FIELDS, description="Kelompok daftar"),
    Field("description", str, required=True,
          example="Lampu jalan mati, berkedip atau belum ada."),
    Field("lapor_category", str, required=True, nullable=True,
          example="Pekerjaan Umum dan Penataan Ruang",
          description="Kategori SP4N-LAPOR! padanannya; null bila tidak ada"),
)
CATEGORY_LIST_FIELDS = (
    Field("items", list, required=True, nested=CATEGORY_FIELDS,
          description="Seluruh daftar, urut per kelompok; sama untuk setiap wilayah"),
)
SUGGEST_FIELDS = (
    Field("text", str, required=True, min_length=1, max_length=SUGGEST_TEXT_LIMIT,
          description="Judul dan uraian yang sudah diketik pelapor",
          example="Lampu jalan di depan masjid mati sejak seminggu"),
)
SUGGESTION_FIELDS = (
    Field("code", str, required=True, enum=CATEGORY_CODES, example="pju"),
    Field("name", str, required=True, example="Penerangan jalan umum (PJU)"),
    Field("name_en", str, required=True, example="Street lights"),
    Field("probability", float, required=True, minimum=0, maximum=1, example=0.82),
)
SUGGESTIONS_FIELDS = (
    Field("items", list, required=True, nested=SUGGESTION_FIELDS,
          description="Paling banyak 3, paling mungkin dulu; lainnya tidak pernah disarankan; "
                      "kosong tanpa model kategori"),
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
CATEGORIES = Operation(
    "get", "/api/v1/categories", "listCategories", "Daftar kategori layanan",
    description="Apa yang bisa dilaporkan, sama di setiap wilayah; tiap wilayah memetakan "
                "kategori ke instansinya sendiri.",
    security=("apiKey",),
    responses={200: Response("Seluruh daftar", CATEGORY_LIST_FIELDS), **_errors(401, 429)},
)
SUGGEST = Operation(
    "post", "/api/v1/categories/suggest", "suggestCategories",
    "Saran kategori untuk teks keluhan",
    description="Tiga kategori paling mungkin menurut model, untuk ditawarkan kepada pelapor "
                "sebelum mengirim. Tidak menyimpan apa pun.",
    body=SUGGEST_FIELDS, security=("apiKey",),
    responses={200: Response("Saran", SUGGESTIONS_FIELDS),
               400: Response("JSON rusak, bukan objek, atau text kosong/terlalu panjang/"
                             "memuat karakter tidak sah; error.fields menyebut kolomnya",
                             ref="Error"),
               **_errors(401, 413, 415, 429)},
)
HEALTH = Operation(
    "get", "/healthz", "healthz", "Kesehatan layanan (basis data, model)", tag="ops",
    responses={200: Response("Sehat", HEALTH_FIELDS),
               503: Response("Basis data tidak terjangkau", HEALTH_FIELDS)},
)
OPERATIONS = (CREATE, LIST, VIEW, CATEGORIES, SUGGEST, HEALTH)


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
        raw_category = request.form.get("category")
        raw_point = _numbers(request.form.get("lat"), request.form.get("lon"))
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
        raw_category = body.get("category") if isinstance(body, dict) else None
        raw_point = _numbers(*((body.get("lat"), body.get("lon")) if isinstance(body, dict)
                               else (None, None)))
        photos = ()
    else:
        return error_body(415, "unsupported_media_type",
                          "Kirim isi dengan Content-Type: application/json "
                          "atau multipart/form-data.")
    if "category" in errors:
        errors["category"] = _category_error(errors["category"], raw_category)
    if swapped := swapped_message(*raw_point):
        errors.pop("lon", None)
        errors["lat"] = swapped
    if not {"lat", "lon", "body"} & (set(values) | set(errors)):  # no point: names needed
        for name in ("kecamatan", "kelurahan"):
            if name not in values and name not in errors:
                errors[name] = "Wajib diisi, kecuali lat dan lon dikirim."
    if errors:
        return error_body(422, "invalid_fields", "Beberapa kolom tidak valid.", errors)
    contact = values.get("contact") or {}
    data = ComplaintInput(
        title=values["title"],
        description=values["description"],
        kecamatan=values.get("kecamatan", ""),
        kelurahan=values.get("kelurahan", ""),
        channel="api",
        lat=values.get("lat"),
        lon=values.get("lon"),
        anonim=values.get("anonim", False),
        rahasia=values.get("rahasia", False),
        contact=ContactInput(**contact) if contact else None,
        photos=photos,
        region_code=client.scope.region_code if client else None,
        category=values.get("category"),
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
        **category_json(result.category),
        route_reason=result.route_reason,
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


@bp.route("/api/v1/categories")
@limiter.limit(read_limit, key_func=rate_limit_key)
def list_categories():
    """The service-category list with its groups (the same in every region)."""
    if refused := _refuse_bad_key():
        return refused
    groups = {group.code: {"code": group.code, "name": group.name, "name_en": group.name_en}
              for group in categories.GROUPS}
    items = [{"code": category.code, "name": category.name, "name_en": category.name_en,
              "group": groups[category.group], "description": category.description,
              "lapor_category": category.lapor_category}
             for category in categories.CATEGORIES]
    response = jsonify(items=items)
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@bp.route("/api/v1/categories/suggest", methods=["POST"])
@limiter.limit(read_limit, key_func=rate_limit_key)
def suggest():
    """The model's three likeliest categories for what the resident has typed."""
    if refused := _refuse_bad_key():
        return refused
    if not request.is_json:
        return error_body(415, "unsupported_media_type",
                          "Kirim isi dengan Content-Type: application/json.")
    if request.content_length is not None and request.content_length > MAX_SUGGEST_BYTES:
        return error_body(413, "payload_too_large", "Isi permintaan melebihi 64 KB.")
    request.max_content_length = MAX_SUGGEST_BYTES
    body = request.get_json(silent=True)
    if body is None:
        return error_body(400, "bad_json", "Isi permintaan bukan JSON yang sah.")
    values, errors = parse_body(body, SUGGEST_FIELDS)
    if not errors:
        try:
            found = suggest_categories(service_context(), values["text"])
        except ValidationFailed as exc:
            errors = dict(exc.errors)
    if errors:
        return error_body(400, "invalid_fields", "Beberapa kolom tidak valid.", errors)
    response = jsonify(items=[{"code": item.code, "name": item.name, "name_en": item.name_en,
                               "probability": item.probability} for item in found])
    response.headers["Cache-Control"] = "no-store"
    return response


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


def category_json(code: str | None) -> dict:
    """``category`` and ``category_name`` of a complaint filed under ``code`` (None: none)."""
    category = categories.get(code)
    if category is None:
        return {"category": None, "category_name": None}
    return {"category": category.code, "category_name": category.name}


def _category_error(message: str, raw) -> str:
    """The intake's own words for a category that is text but not on the list."""
    if isinstance(raw, str):
        return Message("Kategori '{category}' tidak dikenal.", category=raw[:48])
    return message


def _numbers(lat, lon) -> tuple[float | None, float | None]:
    """A raw lat/lon pair (JSON numbers or form text) as floats; None where not a number."""
    def number(value):
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            return None
        try:
            return float(value)
        except ValueError:
            return None
    return number(lat), number(lon)


def _refuse_bad_key():
    """401 when the request carries a key that is unknown or revoked (counted by the limit)."""
    if key_was_refused():
        return error_body(401, "unauthorized",
                          f"Kunci API ({API_KEY_HEADER}) tidak dikenal atau sudah dicabut.")
    return None


def _default_region() -> str:
    return service_context().settings.app.region_code
