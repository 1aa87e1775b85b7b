"""API v1 for staff: the caller's queue, the staff view of a complaint, and its actions.

Who may call: a machine with an API key (``X-API-Key``) whose scope has the
operation's action (:data:`~lapor_bridge.services.api_keys.STAFF_OPERATIONS`), acting
as :meth:`~lapor_bridge.services.api_keys.ApiClient.principal`; or a person logged in
at ``/masuk`` (the session cookie). A presented key always wins: a cookie never adds
authority to a key, and a bad key is a 401 even with a valid session.

CSRF: the blueprint is exempt from the app-wide form check because key-authenticated
calls carry no form token; instead every state-changing call authenticated by the
cookie alone must send the session's token in ``X-CSRFToken`` (checked by
:func:`_cookie_caller`). A cross-site page can send the cookie but can neither read
the token nor set the header, so it can never act. GET responses to cookie callers
carry the token in the same header.

Complaints outside the caller's scope are 404, never 403. The staff view's ``ETag``
is the complaint's version; every write needs it in ``If-Match`` (428 without, 412
when stale) and answers with the case as it is afterwards and its new ``ETag``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from flask import Blueprint, g, jsonify, request
from flask_wtf.csrf import CSRFError, generate_csrf

from lapor_bridge.domain.errors import DomainError
from lapor_bridge.domain.status import Status
from lapor_bridge.domain.transitions import Action
from lapor_bridge.services import staff_api
from lapor_bridge.services.accounts import Principal
from lapor_bridge.services.api_keys import STAFF_OPERATIONS, ApiClient
from lapor_bridge.services.casework import AttachmentRef, CaseView, case_view
from lapor_bridge.services.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from lapor_bridge.services.queue import QueueItem
from lapor_bridge.services.scope import STAFF_ROLES
from lapor_bridge.services.workflow import TEXT_LIMITS
from lapor_bridge.web import csrf, limiter, service_context
from lapor_bridge.web.api import (
    AGENCY_FIELDS,
    CATEGORY_CODES,
    ERROR_TEXT,
    JSON,
    STATUSES,
    category_json,
)
from lapor_bridge.web.api_auth import current_client, key_was_refused, rate_limit_key, read_limit
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

bp = Blueprint("api_staff", __name__)
csrf.exempt(bp)  # replaced by the header check for cookie callers, see the module docstring

CSRF_HEADER = "X-CSRFToken"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
ETAG_PATTERN = re.compile(r'^"v(\d{1,18})"$')
# Workflow actions the API serves, by their operation name.
API_ACTIONS = {
    Action.CLAIM: "claim", Action.RESPOND: "respond", Action.REQUEST_INFO: "request-info",
    Action.TRANSFER: "transfer", Action.RESOLVE: "resolve", Action.REOPEN: "reopen",
}
OPERATION_NAMES = (*API_ACTIONS.values(), "notes", "category")
# How each service error answers (first match wins: StaleVersion is a Conflict).
SERVICE_ERRORS = (
    (NotFound, 404, "not_found"),
    (PermissionDenied, 403, "forbidden"),
    (staff_api.StaleVersion, 412, "precondition_failed"),
    (Conflict, 409, "conflict"),
    (DomainError, 409, "illegal_transition"),
)
REFUSALS = (ValidationFailed, *(kind for kind, _, _ in SERVICE_ERRORS))

NUMBER = Field("tracking_number", str, required=True, max_length=32)
IF_MATCH = Field("If-Match", str, required=True,
                 description="ETag tampilan petugas terakhir yang dibaca, misalnya \"v7\"")
ETAG = Field("ETag", str, description="Versi laporan; kirim di If-Match saat mengubah")
CSRF_OUT = Field(CSRF_HEADER, str,
                 description="Hanya untuk sesi login: token yang wajib dikirim saat mengubah")
QUEUE_QUERY = (
    Field("status", str, enum=STATUSES, description="Hanya berstatus ini (mengabaikan view)"),
    Field("view", str, enum=("aktif", "semua"),
          description="aktif (bawaan): yang belum selesai; semua: termasuk yang selesai"),
    Field("limit", int, minimum=1, maximum=100, description="Jumlah per halaman (bawaan 20)"),
    Field("cursor", str, max_length=200, description="Dari next_cursor halaman sebelumnya"),
)
SLA_FIELDS = (
    Field("due_at", str, required=True, nullable=True, format="date-time",
          description="Tenggat tahap sekarang; null bila selesai"),
    Field("overdue", bool, required=True),
    Field("paused", bool, required=True, description="Jam berhenti: menunggu pelapor"),
)
QUEUE_ITEM_FIELDS = (
    Field("tracking_number", str, required=True),
    Field("title", str, required=True),
    Field("status", str, required=True, enum=STATUSES),
    Field("status_label", str, required=True),
    Field("agency", str, required=True, description="Nama instansi"),
    Field("kecamatan", str, required=True, nullable=True),
    Field("kelurahan", str, required=True, nullable=True),
    Field("reporter", str, required=True,
          description="Nama pelapor, atau \"Anonim\" (identitas tidak pernah dibuka)"),
    Field("rahasia", bool, required=True),
    Field("claimed_by", str, required=True, nullable=True),
    Field("created_at", str, required=True, format="date-time"),
    Field("sla", dict, required=True, nested=SLA_FIELDS),
)
QUEUE_PAGE_FIELDS = (
    Field("items", list, required=True, nested=QUEUE_ITEM_FIELDS),
    Field("next_cursor", str, required=True, nullable=True,
          description="Kirim sebagai ?cursor= untuk halaman berikutnya; null di halaman terakhir"),
)
FILE_FIELDS = (
    Field("id", int, required=True),
    Field("name", str, required=True),
    Field("content_type", str, required=True),
)
HISTORY_FIELDS = (
    Field("at", str, required=True, format="date-time"),
    Field("kind", str, required=True, example="responded"),
    Field("actor", str, required=True, description="Petugas, kunci API, pelapor, sistem"),
    Field("from_status", str, required=True, nullable=True, enum=STATUSES),
    Field("to_status", str, required=True, nullable=True, enum=STATUSES),
    Field("agency", str, required=True, nullable=True),
    Field("note", str, required=True, nullable=True),
    Field("internal", bool, required=True, description="Catatan internal: hanya petugas"),
    Field("attachments", list, required=True, nested=FILE_FIELDS),
)
CASE_FIELDS = (
    Field("tracking_number", str, required=True),
    Field("version", int, required=True, description="Sama dengan ETag"),
    Field("status", str, required=True, enum=STATUSES),
    Field("status_label", str, required=True),
    Field("agency", dict, required=True, nested=AGENCY_FIELDS),
    Field("title", str, required=True),
    Field("description", str, required=True),
    Field("channel", str, required=True),
    Field("kecamatan", str, required=True, nullable=True),
    Field("kelurahan", str, required=True, nullable=True),
    Field("lat", float, required=True, nullable=True),
    Field("lon", float, required=True, nullable=True),
    Field("reporter", str, required=True,
          description="Nama pelapor, atau \"Anonim\" (identitas tidak pernah dibuka)"),
    Field("anonim", bool, required=True),
    Field("rahasia", bool, required=True),
    Field("created_at", str, required=True, format="date-time"),
    Field("claimed_by", str, required=True, nullable=True),
    Field("sla", dict, required=True, nested=SLA_FIELDS),
    Field("photos", list, required=True, nested=FILE_FIELDS),
    Field("history", list, required=True, nested=HISTORY_FIELDS,
          description="Seluruh riwayat, termasuk catatan internal"),
    Field("actions", list, required=True, item=str,
          description="Aksi yang boleh dilakukan pemanggil sekarang: "
                      + ", ".join(OPERATION_NAMES)),
    Field("transfer_targets", list, required=True, nested=AGENCY_FIELDS,
          description="Instansi tujuan yang bisa dipilih untuk transfer"),
    Field("category", str, required=True, nullable=True, enum=CATEGORY_CODES,
          description="Kode kategori layanan laporan (GET /api/v1/categories); null: belum ada"),
    Field("category_name", str, required=True, nullable=True, description="Nama kategori"),
    Field("categories", list, required=True, nested=(
        Field("code", str, required=True, enum=CATEGORY_CODES),
        Field("name", str, required=True),
    ), description="Kategori yang bisa dipilih (seluruh daftar)"),
)
ACTED_FIELDS = (
    Field("message", str, required=True),
    Field("case", dict, required=True, nullable=True, nested=CASE_FIELDS,
          description="null bila laporan keluar dari cakupan pemanggil (transfer)"),
)


def _errors(*statuses: int) -> dict[int, Response]:
    return {status: Response(STAFF_ERRORS.get(status) or ERROR_TEXT[status], ref="Error")
            for status in statuses}


STAFF_ERRORS = {
    401: "Tanpa kunci API atau sesi login; atau kunci tidak dikenal/dicabut",
    403: "Kunci tanpa aksi ini, peran tanpa hak ini, atau token CSRF sesi tidak ada/salah",
    404: "Laporan tidak ada atau di luar cakupan pemanggil",
    409: "Tidak bisa pada status ini, atau sudah diambil petugas lain",
    412: "If-Match tidak sama dengan versi sekarang: baca ulang lalu ulangi",
    428: "If-Match wajib (ETag dari tampilan petugas)",
}
QUEUE = Operation(
    "get", "/api/v1/queue", "listQueue", "Antrean pemanggil (terbaru dulu)",
    description="Petugas/kunci instansi: antrean instansinya; admin wilayah/kunci wilayah: "
                "antrean verifikasi. Aksi kunci: queue.read.",
    tag="staff", query=QUEUE_QUERY, security=("apiKey", "session"), anonymous=False,
    responses={200: Response("Satu halaman", QUEUE_PAGE_FIELDS, headers=(CSRF_OUT,)),
               **_errors(400, 401, 403, 429)},
)
CASE = Operation(
    "get", "/api/v1/complaints/{tracking_number}/case", "getCase",
    "Tampilan petugas: teks lengkap, riwayat dengan catatan internal, aksi yang boleh",
    description="Identitas pelapor anonim tidak pernah dibuka. Aksi kunci: queue.read.",
    tag="staff", path_params=(NUMBER,), security=("apiKey", "session"), anonymous=False,
    responses={200: Response("Tampilan petugas", CASE_FIELDS, headers=(ETAG, CSRF_OUT)),
               **_errors(401, 403, 404, 429)},
)


@dataclass(frozen=True)
class Write:
    """One write operation: its id, body fields and the service keyword each one fills."""

    operation_id: str
    summary: str
    fields: tuple[Field, ...] | None = None
    keywords: tuple[tuple[str, str], ...] = ()

    def operation(self, name: str) -> Operation:
        """The declaration of ``POST …/{name}``."""
        return Operation(
            "post", f"/api/v1/complaints/{{tracking_number}}/{name}", self.operation_id,
            self.summary, description=f"Aksi kunci: {STAFF_OPERATIONS[name]}. Perlu If-Match.",
            tag="staff", path_params=(NUMBER,), headers=(IF_MATCH,), body=self.fields,
            security=("apiKey", "session"), anonymous=False,
            responses={200: Response("Berhasil; laporan sesudahnya", ACTED_FIELDS,
                                     headers=(ETAG,)),
                       **_errors(401, 403, 404, 409, 412, 415, 422, 428, 429)},
        )


def _text(name: str, low: int = TEXT_LIMITS[0], required: bool = True) -> Field:
    return Field(name, str, required=required, min_length=low if required else None,
                 max_length=TEXT_LIMITS[1])


WRITES = {
    "claim": Write("claimComplaint", "Ambil laporan (mulai ditangani)"),
    "respond": Write("respondToComplaint", "Kirim tindak lanjut ke pelapor", (_text("text"),)),
    "request-info": Write("requestInfo", "Minta keterangan pelapor (tenggat berhenti)",
                          (_text("question"),)),
    "transfer": Write("transferComplaint", "Alihkan ke instansi lain (bukan wewenang)",
                      (Field("agency", str, required=True, max_length=32,
                             description="Kode instansi tujuan"), _text("reason", 5)),
                      (("agency", "agency_code"),)),
    "resolve": Write("resolveComplaint", "Tandai selesai", (_text("note", required=False),)),
    "reopen": Write("reopenComplaint", "Buka kembali laporan yang selesai",
                    (_text("reason", 5),)),
    "notes": Write("addNote", "Catatan internal (hanya petugas)", (_text("text", 2),)),
    "category": Write("setCategory", "Kategori layanan laporan",
                      (Field("category", str, required=True, max_length=48,
                             enum=("", *CATEGORY_CODES),
                             description="Kode kategori dari categories; kosong menghapusnya"),)),
}
WRITE_OPERATIONS = {name: write.operation(name) for name, write in WRITES.items()}
OPERATIONS = (QUEUE, CASE, *WRITE_OPERATIONS.values())


@bp.route("/api/v1/queue")
@limiter.limit(read_limit, key_func=rate_limit_key)
def queue():
    """One page of the caller's queue, newest first, with the cursor of the next."""
    caller = _caller("queue")
    if not isinstance(caller, Principal):
        return caller
    values, errors = parse_params(request.args, QUEUE_QUERY)
    after = cursor_param(values, errors)
    if errors:
        return error_body(400, "invalid_parameters", "Parameter tidak valid.", errors)
    query = staff_api.StaffQueueQuery(
        statuses=(Status(values["status"]),) if "status" in values else None,
        open_only="status" not in values and values.get("view", "aktif") == "aktif",
        after=after, limit=values.get("limit", 20),
    )
    try:
        page = staff_api.queue_page(service_context(), caller, query)
    except REFUSALS as exc:
        return _service_error(exc)
    next_cursor = encode_cursor(*page.next_after) if page.next_after else None
    return _private(jsonify(items=[_queue_json(item) for item in page.items],
                            next_cursor=next_cursor))


@bp.route("/api/v1/complaints/<tracking_number>/case")
@limiter.limit(read_limit, key_func=rate_limit_key)
def case(tracking_number: str):
    """The staff view of one complaint, with its ETag."""
    caller = _caller("case")
    if not isinstance(caller, Principal):
        return caller
    if check_limits(NUMBER, tracking_number):
        return error_body(404, "not_found", "Nomor laporan tidak dikenal.")
    try:
        view = case_view(service_context(), caller, tracking_number)
    except REFUSALS as exc:
        return _service_error(exc)
    return _private(_with_etag(jsonify(_case_json(view, current_client())), view))


@limiter.limit(read_limit, key_func=rate_limit_key)
def write(tracking_number: str, operation: str):
    """Run one workflow action if ``If-Match`` names the current version."""
    caller = _caller(operation)
    if not isinstance(caller, Principal):
        return caller
    if check_limits(NUMBER, tracking_number):
        return error_body(404, "not_found", "Nomor laporan tidak dikenal.")
    spec = WRITES[operation]
    values: dict = {}
    if spec.fields is not None:
        if not request.is_json:
            return error_body(415, "unsupported_media_type",
                              f"Kirim isi dengan Content-Type: {JSON}.")
        values, errors = parse_body(request.get_json(silent=True), spec.fields)
        if errors:
            return error_body(422, "invalid_fields", "Beberapa kolom tidak valid.", errors)
    if_match = (request.headers.get("If-Match") or "").strip()
    if if_match in ("", "*"):
        return error_body(428, "precondition_required",
                          "Kirim If-Match berisi ETag dari tampilan petugas laporan ini.")
    if (version := ETAG_PATTERN.match(if_match)) is None:
        return error_body(412, "precondition_failed",
                          "If-Match bukan ETag laporan ini; baca ulang tampilan petugas.")
    renamed = dict(spec.keywords)
    try:
        result, view = staff_api.act(
            service_context(), caller, operation, tracking_number, int(version[1]),
            **{renamed.get(name, name): value for name, value in values.items()})
    except REFUSALS as exc:
        return _service_error(exc)
    if view is None:
        return _private(jsonify(message=result.message, case=None))
    return _private(_with_etag(
        jsonify(message=result.message, case=_case_json(view, current_client())), view))


for _name, _operation in WRITE_OPERATIONS.items():
    bp.add_url_rule(f"/api/v1/complaints/<tracking_number>/{_name}", _operation.operation_id,
                    write, methods=["POST"], defaults={"operation": _name})


def _caller(operation: str):
    """The principal to act as, or the error response (401, 403) that refuses the call."""
    if key_was_refused():
        return error_body(401, "unauthorized", "Kunci API tidak dikenal atau sudah dicabut.")
    client = current_client()
    if client is not None:
        if not client.may(STAFF_OPERATIONS[operation]):
            return error_body(403, "forbidden", f"Kunci API ini tidak mencakup aksi "
                                                f"{STAFF_OPERATIONS[operation]}.")
        return client.principal()
    return _cookie_caller()


def _cookie_caller():
    """The logged-in staff member; writes only with the session's CSRF token in the header."""
    user: Principal | None = g.get("user")
    if user is None or user.role not in STAFF_ROLES:
        return error_body(401, "unauthorized",
                          "Kirim kunci API (X-API-Key) atau masuk lewat /masuk.")
    if request.method not in SAFE_METHODS:
        try:
            csrf.protect()
        except CSRFError:
            return error_body(403, "csrf_failed",
                              f"Dengan sesi login, kirim token CSRF di header {CSRF_HEADER}.")
    return user


def _service_error(exc: Exception):
    if isinstance(exc, ValidationFailed):
        return error_body(422, "invalid_fields", "Beberapa kolom tidak valid.", exc.errors)
    status, code = next((status, code) for kind, status, code in SERVICE_ERRORS
                        if isinstance(exc, kind))
    return error_body(status, code, str(exc))


def _private(response):
    """No caching of staff data; the CSRF token for cookie callers' next write."""
    response.headers["Cache-Control"] = "private, no-store"
    if current_client() is None and request.method in SAFE_METHODS:
        response.headers[CSRF_HEADER] = generate_csrf()
    return response


def _with_etag(response, view: CaseView):
    response.headers["ETag"] = f'"v{view.version}"'
    return response


def _sla_json(due_at: datetime | None, overdue: bool, paused: bool) -> dict:
    return {"due_at": due_at.isoformat() if due_at else None, "overdue": overdue,
            "paused": paused}


def _queue_json(item: QueueItem) -> dict:
    return {
        "tracking_number": item.tracking_number, "title": item.title,
        "status": item.status.value, "status_label": item.status.label_id,
        "agency": item.agency_name, "kecamatan": item.kecamatan, "kelurahan": item.kelurahan,
        "reporter": item.reporter, "rahasia": item.is_secret, "claimed_by": item.claimed_by,
        "created_at": item.created_at.isoformat(),
        "sla": _sla_json(item.due_at, item.overdue, item.paused),
    }


def _case_json(view: CaseView, client: ApiClient | None) -> dict:
    offered = [API_ACTIONS[action] for action in view.actions if action in API_ACTIONS]
    offered += ["notes"] if view.can_note else []
    offered += ["category"] if view.can_note and view.categories else []
    if client is not None:
        offered = [name for name in offered if client.may(STAFF_OPERATIONS[name])]
    clock = view.sla.current
    return {
        "tracking_number": view.tracking_number, "version": view.version,
        "status": view.status.value, "status_label": view.status.label_id,
        "agency": {"code": view.agency_code, "name": view.agency_name},
        "title": view.title, "description": view.description, "channel": view.channel,
        "kecamatan": view.kecamatan, "kelurahan": view.kelurahan,
        "lat": view.lat, "lon": view.lon, "reporter": view.reporter,
        "anonim": view.is_anonymous, "rahasia": view.is_secret,
        "created_at": view.created_at.isoformat(), "claimed_by": view.claimed_by,
        "sla": _sla_json(view.sla.due_at, bool(clock and clock.breached),
                         bool(clock and clock.paused)),
        "photos": [_file_json(ref) for ref in view.photos],
        "history": [{
            "at": entry.at.isoformat(), "kind": entry.kind, "actor": entry.actor,
            "from_status": entry.from_status.value if entry.from_status else None,
            "to_status": entry.to_status.value if entry.to_status else None,
            "agency": entry.agency_name, "note": entry.note, "internal": entry.internal,
            "attachments": [_file_json(ref) for ref in entry.attachments],
        } for entry in view.history],
        "actions": offered,
        "transfer_targets": [{"code": code, "name": name}
                             for code, name in view.transfer_targets],
        **category_json(view.category),
        "categories": [{"code": code, "name": name} for code, name in view.categories],
    }


def _file_json(ref: AttachmentRef) -> dict:
    return {"id": ref.id, "name": ref.name, "content_type": ref.content_type}
