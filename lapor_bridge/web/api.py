"""JSON API v1 and the health check."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request
from sqlalchemy import text

from lapor_bridge.services.errors import NotFound, ValidationFailed
from lapor_bridge.services.intake import ComplaintInput, ContactInput, submit_complaint
from lapor_bridge.services.tracking import PublicView, public_view
from lapor_bridge.web import limiter, service_context
from lapor_bridge.web.errors import error_body
from lapor_bridge.web.schema import Field, parse_body

bp = Blueprint("api", __name__)

MAX_JSON_BYTES = 1_048_576

CONTACT_FIELDS = (
    Field("name", str, description="Nama pelapor"),
    Field("phone", str, description="Nomor telepon/WhatsApp"),
    Field("email", str, description="Alamat e-mail"),
)
COMPLAINT_FIELDS = (
    Field("title", str, required=True, description="Judul singkat (5–150 karakter)"),
    Field("description", str, required=True, description="Uraian keluhan (20–5000 karakter)"),
    Field("kecamatan", str, required=True, description="Nama kecamatan"),
    Field("kelurahan", str, required=True, description="Nama kelurahan di kecamatan itu"),
    Field("lat", float, description="Lintang (WGS84)"),
    Field("lon", float, description="Bujur (WGS84)"),
    Field("anonim", bool, description="Sembunyikan identitas pelapor, juga dari instansi"),
    Field("rahasia", bool, description="Sembunyikan laporan dari halaman publik"),
    Field("contact", dict, description="Kontak pelapor", nested=CONTACT_FIELDS),
)


def _intake_limit() -> str:
    return current_app.config["LAPOR_SETTINGS"].app.intake_rate_limit


@bp.route("/api/v1/complaints", methods=["POST"])
@limiter.limit(_intake_limit)
def create_complaint():
    """File a complaint; 201 with the tracking number and the agency it went to."""
    if request.content_length is not None and request.content_length > MAX_JSON_BYTES:
        return error_body(413, "payload_too_large", "Isi permintaan melebihi 1 MB.")
    if not request.is_json:
        return error_body(415, "unsupported_media_type", "Kirim isi dengan Content-Type: application/json.")
    body = request.get_json(silent=True)
    if body is None:
        return error_body(400, "bad_json", "Isi permintaan bukan JSON yang sah.")
    values, errors = parse_body(body, COMPLAINT_FIELDS)
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
    return response


@bp.route("/api/v1/complaints/<tracking_number>")
def get_complaint(tracking_number: str):
    """The public view of one complaint (``?key=`` for the reporter's full view)."""
    try:
        view = public_view(service_context(), tracking_number, request.args.get("key"))
    except NotFound as exc:
        return error_body(404, "not_found", str(exc))
    return jsonify(public_json(view))


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
