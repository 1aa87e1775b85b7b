"""Public pages: the complaint form, its category suggestions and the tracking page.
No login."""

from __future__ import annotations

import json
import re

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from werkzeug.http import HTTP_STATUS_CODES

from lapor_bridge.domain import categories
from lapor_bridge.domain.errors import DomainError
from lapor_bridge.services.errors import NotFound, ValidationFailed
from lapor_bridge.services.intake.routing import SUGGEST_TEXT_LIMIT, suggest_categories
from lapor_bridge.services.intake.submit import (
    ComplaintInput,
    ContactInput,
    normalize_tracking_number,
    submit_complaint,
)
from lapor_bridge.services.reporter import erase_personal_data, reporter_reply
from lapor_bridge.services.tracking import public_view
from lapor_bridge.services.uploads import UploadedFile
from lapor_bridge.services.wilayah import kecamatan_map
from lapor_bridge.translations import N_, Message
from lapor_bridge.web import limiter, service_context
from lapor_bridge.web.errors import error_body, register_renderer
from lapor_bridge.web.i18n import current_language, translated, translated_errors

bp = Blueprint("public", __name__)

# Suggestions are asked for while a resident types (debounced in the page): generous per
# address, as many phones share one carrier address.
SUGGEST_RATE_LIMIT = "120 per minute;2000 per hour"
# A suggestion request is a short JSON object; anything much larger is not one.
SUGGEST_BODY_LIMIT = 64 * 1024
SUGGEST_PATH = "/kategori/"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
SURROGATES = re.compile(r"[\ud800-\udfff]")


def _intake_limit() -> str:
    return current_app.config["LAPOR_SETTINGS"].app.intake_rate_limit


@bp.route("/")
def index():
    """The complaint form."""
    return _render_form({}, {})


@bp.route("/lapor", methods=["POST"])
@limiter.limit(_intake_limit)
def submit():
    """Receive the form; on bad input show it again with every entry kept."""
    form = request.form
    errors: dict[str, str] = {}
    lat, lon = _optional_float(form, "lat", errors), _optional_float(form, "lon", errors)
    photos = tuple(
        UploadedFile(upload.filename or "foto", upload.read())
        for upload in request.files.getlist("photo")
        if upload and upload.filename
    )
    if errors:
        return _render_form(form, errors), 422
    data = ComplaintInput(
        title=form.get("title", ""),
        description=form.get("description", ""),
        kecamatan=form.get("kecamatan", ""),
        kelurahan=form.get("kelurahan", ""),
        channel="web",
        lat=lat,
        lon=lon,
        anonim=form.get("anonim") == "1",
        rahasia=form.get("rahasia") == "1",
        contact=ContactInput(
            name=form.get("contact_name") or None,
            phone=form.get("contact_phone") or None,
            email=form.get("contact_email") or None,
        ),
        photos=photos,
        category=(form.get("category") or "").strip() or None,
    )
    try:
        result = submit_complaint(service_context(), data)
    except ValidationFailed as exc:
        return _render_form(form, exc.errors), 422
    session["just_submitted"] = {
        "tracking_number": result.tracking_number,
        "reporter_key": result.reporter_key,
        "agency_name": result.agency_name,
        "to_triage": result.to_triage,
        "category": result.category,
    }
    return redirect(url_for("public.submitted", tracking_number=result.tracking_number))


@bp.route("/terkirim/<tracking_number>")
def submitted(tracking_number: str):
    """Confirmation after submit; the private link is shown once, to this browser only."""
    receipt = session.pop("just_submitted", None)
    if not receipt or receipt["tracking_number"] != tracking_number:
        return redirect(url_for("public.track", tracking_number=tracking_number))
    code = receipt.get("category")
    category_name = (categories.label(code, current_language())
                     if code and code != categories.OTHER else None)
    return render_template("public/submitted.html", receipt=receipt,
                           category_name=category_name)


@bp.route("/kategori/saran", methods=["POST"])
@limiter.limit(lambda: SUGGEST_RATE_LIMIT)
def suggest():
    """The likeliest service categories for what the resident has typed so far.

    JSON ``{"text": "..."}`` (or a form field ``text``) → ``{"suggestions": [{"code",
    "name", "probability"}, ...], "other": {"code", "name"}}``, names in the page's
    language; none without a category model. One model call, no database. It changes
    nothing, but the page sends its CSRF token (``X-CSRFToken``) like every POST here.
    Errors are JSON: 400 for an empty, over-long or unreadable text, 413 for a body far
    beyond any text.
    """
    too_long = Message("Teks terlalu panjang (maksimal {high} karakter).",
                       high=SUGGEST_TEXT_LIMIT)
    if (request.content_length or 0) > SUGGEST_BODY_LIMIT:
        return _json_error(413, "payload_too_large", too_long)
    request.max_content_length = SUGGEST_BODY_LIMIT  # a body sent without a length too
    text = _suggestion_text()
    if not isinstance(text, str):
        return text
    try:
        found = suggest_categories(service_context(), text)
    except ValidationFailed as exc:
        fields = translated_errors(exc.errors)
        return _json_error(400, "invalid_text", " ".join(fields.values()), fields)
    english = current_language() == "en"
    return jsonify(
        suggestions=[{"code": item.code, "name": item.name_en if english else item.name,
                      "probability": item.probability} for item in found],
        other={"code": categories.OTHER,
               "name": categories.label(categories.OTHER, current_language())},
    )


def _suggestion_text():
    """The ``text`` of a suggestion request, or the JSON error response saying why not."""
    not_utf8 = N_("Kirim teks dalam UTF-8.")
    wrong_shape = N_('Kirim JSON berisi kolom "text" dengan teks keluhan.')
    if request.mimetype in FORM_TYPES:
        text = request.form.get("text")
        if text is None:
            return _json_error(400, "invalid_request", wrong_shape)
        if "\ufffd" in text:  # werkzeug replaced bytes that were not UTF-8
            return _json_error(400, "invalid_encoding", not_utf8)
        return text
    try:
        body = request.get_data(cache=False).decode("utf-8")
    except UnicodeDecodeError:
        return _json_error(400, "invalid_encoding", not_utf8)
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return _json_error(400, "bad_json", N_("Isi permintaan bukan JSON yang sah."))
    text = data.get("text") if isinstance(data, dict) else None
    if not isinstance(text, str):
        return _json_error(400, "invalid_request", wrong_shape)
    if SURROGATES.search(text):
        return _json_error(400, "invalid_encoding", not_utf8)
    return text


def _json_error(status: int, code: str, message: str, fields: dict | None = None):
    return error_body(status, code, translated(message), fields)


@bp.record_once
def _json_errors_for_suggestions(state) -> None:
    """Refusals before the view (CSRF, rate limit, size, method) answer in JSON there."""

    def render(status: int, message: str):
        if status == 413:
            message = Message("Teks terlalu panjang (maksimal {high} karakter).",
                              high=SUGGEST_TEXT_LIMIT)
        code = HTTP_STATUS_CODES.get(status, "error").lower().replace(" ", "_")
        return _json_error(status, code, message)

    register_renderer(state.app, SUGGEST_PATH, render)


@bp.route("/lacak")
def track_lookup():
    """The tracking search box; redirects to the complaint's page."""
    number = normalize_tracking_number(request.args.get("nomor", ""))
    if number:
        return redirect(url_for("public.track", tracking_number=number))
    return render_template("public/track_lookup.html")


@bp.route("/lacak/<tracking_number>")
def track(tracking_number: str):
    """A complaint's status and history, without the reporter."""
    try:
        view = public_view(service_context(), tracking_number, request.args.get("kunci"))
    except NotFound:
        abort(404)
    return render_template("public/track.html", view=view)


@bp.route("/lacak/<tracking_number>/tanggapi", methods=["POST"])
@limiter.limit(_intake_limit)
def reply(tracking_number: str):
    """The reporter answers the agency, proving who they are with their private key."""
    key = request.form.get("kunci", "")
    try:
        result = reporter_reply(service_context(), tracking_number, request.form.get("text", ""),
                                reporter_key=key)
    except NotFound:
        abort(404)
    except ValidationFailed as exc:
        flash(" ".join(translated_errors(exc.errors).values()), "error")
    except DomainError:
        flash(_("Laporan ini sedang tidak menunggu tanggapan Anda."), "error")
    else:
        flash(translated(result.message))
    return redirect(url_for("public.track", tracking_number=tracking_number, kunci=key))


@bp.route("/lacak/<tracking_number>/hapus-data", methods=["POST"])
@limiter.limit(_intake_limit)
def erase(tracking_number: str):
    """The reporter asks for their personal data to be erased (UU 27/2022)."""
    key = request.form.get("kunci", "")
    if request.form.get("setuju") != "1":
        flash(_("Centang persetujuan untuk menghapus data pribadi Anda."), "error")
        return redirect(url_for("public.track", tracking_number=tracking_number, kunci=key))
    try:
        erase_personal_data(service_context(), tracking_number, reporter_key=key)
    except NotFound:
        abort(404)
    flash(_("Data pribadi Anda sudah dihapus. Laporannya tetap diproses tanpa identitas Anda."))
    return redirect(url_for("public.track", tracking_number=tracking_number, kunci=key))


def _render_form(form, errors: dict[str, str]):
    return render_template(
        "public/form.html", form=form, errors=translated_errors(errors),
        wilayah=kecamatan_map(service_context()),
        category_groups=_category_groups(current_language()),
        other_label=categories.label(categories.OTHER, current_language()),
        chosen_category=(form.get("category") or "").strip(),
    )


def _category_groups(lang: str) -> list[tuple[str, list[dict[str, str]]]]:
    """The category list under its headings, names in ``lang``, for the picker and the
    plain select ("lainnya" has its own button and is the select's first option)."""
    english = lang == "en"
    groups = []
    for group, members in categories.grouped():
        items = [{"code": item.code,
                  "name": item.name_en if english else item.name,
                  "search": " ".join((item.name, item.name_en, item.description)).lower()}
                 for item in members if item.code != categories.OTHER]
        if items:
            groups.append((group.name_en if english else group.name, items))
    return groups


def _optional_float(form, name: str, errors: dict[str, str]) -> float | None:
    raw = (form.get(name) or "").strip()
    if not raw:
        return None
    try:
        return float(raw)
    except ValueError:
        errors[name] = N_("Koordinat harus berupa angka.")
        return None
