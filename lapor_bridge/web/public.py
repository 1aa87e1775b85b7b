"""Public pages: the complaint form, its category suggestions and the tracking page.
No login."""

from __future__ import annotations

import json
import math
import re
import weakref

import shapely
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    make_response,
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
    place_of_point,
    submit_complaint,
)
from lapor_bridge.services.places.lookup import boundary_cache
from lapor_bridge.services.reporter import erase_personal_data, reporter_reply
from lapor_bridge.services.tracking import public_view
from lapor_bridge.services.uploads import UploadedFile
from lapor_bridge.services.wilayah import kecamatan_map
from lapor_bridge.translations import N_, Message
from lapor_bridge.web import limiter, service_context
from lapor_bridge.web.csp import admit_tiles
from lapor_bridge.web.errors import error_body, register_renderer
from lapor_bridge.web.i18n import current_language, translated, translated_errors

bp = Blueprint("public", __name__)

# Suggestions are asked for while a resident types (debounced in the page): generous per
# address, as many phones share one carrier address.
SUGGEST_RATE_LIMIT = "120 per minute;2000 per hour"
# A suggestion request is a short JSON object; anything much larger is not one.
SUGGEST_BODY_LIMIT = 64 * 1024
SUGGEST_PATH = "/kategori/"
# The form's map asks which kelurahan a point is in: once per tap, pin drag or "use my
# location"; a point is a tiny JSON object.
LOCATE_RATE_LIMIT = "60 per minute;1000 per hour"
LOCATE_BODY_LIMIT = 1024
LOCATION_PATH = "/lokasi/"
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


@bp.route("/lokasi/cari", methods=["POST"])
@limiter.limit(lambda: LOCATE_RATE_LIMIT)
def locate_point():
    """The kelurahan at a point, for the form's map and its "Gunakan lokasi saya".

    JSON ``{"lat": -6.87, "lon": 109.13}`` → ``{"kecamatan", "kelurahan", "region_name"}``.
    Changes nothing, but the page sends its CSRF token (``X-CSRFToken``) like every POST
    here. Errors are JSON: 400 for a body that is not two numbers, 422 for a point no
    kelurahan of this region takes (the message says where it is), 413 for a big body.
    """
    if (request.content_length or 0) > LOCATE_BODY_LIMIT:
        return _json_error(413, "payload_too_large", N_("Isi permintaan terlalu besar."))
    request.max_content_length = LOCATE_BODY_LIMIT
    body = request.get_json(silent=True)
    point = (body.get("lat"), body.get("lon")) if isinstance(body, dict) else (None, None)
    if not all(isinstance(value, int | float) and not isinstance(value, bool)
               and math.isfinite(value) for value in point):
        return _json_error(400, "invalid_request",
                           N_('Kirim JSON berisi "lat" dan "lon" berupa angka.'))
    try:
        found = place_of_point(service_context(), *point)
    except ValidationFailed as exc:
        fields = translated_errors(exc.errors)
        return _json_error(422, "outside", " ".join(fields.values()), fields)
    response = jsonify(kecamatan=found.kecamatan, kelurahan=found.kelurahan,
                       region_name=found.region_name)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/lokasi/batas.geojson")
def boundaries():
    """This region's kelurahan boundaries as a GeoJSON FeatureCollection (properties
    ``kecamatan``, ``kelurahan``): the base layer of the form's map. Built once per
    boundary index and process; cacheable for an hour (with an ETag)."""
    context = service_context()
    body = _boundaries_geojson(context, context.settings.app.region_code)
    response = current_app.response_class(body, mimetype="application/geo+json")
    response.headers["Cache-Control"] = "public, max-age=3600"
    response.add_etag()
    return response.make_conditional(request)


_GEOJSON: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _boundaries_geojson(context, region_code: str) -> str:
    """The region's polygons from the in-process boundary index, as GeoJSON text."""
    index = boundary_cache(context).index(context.engine)
    cached = _GEOJSON.setdefault(index, {})
    if region_code not in cached:
        features = []
        for place, polygon in zip(index.places, index.polygons, strict=True):
            if place.region_code != region_code:
                continue
            properties = json.dumps({"kecamatan": place.kecamatan, "kelurahan": place.kelurahan})
            features.append(f'{{"type":"Feature","properties":{properties},'
                            f'"geometry":{shapely.to_geojson(polygon)}}}')
        cached[region_code] = ('{"type":"FeatureCollection","features":['
                               + ",".join(features) + "]}")
    return cached[region_code]


@bp.record_once
def _json_errors_for_locations(state) -> None:
    """Refusals before the view (CSRF, rate limit, size, method) answer in JSON there."""
    register_renderer(state.app, LOCATION_PATH, lambda status, message: _json_error(
        status, HTTP_STATUS_CODES.get(status, "error").lower().replace(" ", "_"), message))


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
    tile_url = service_context().settings.app.map_tile_url
    response = make_response(render_template(
        "public/form.html", form=form, errors=translated_errors(errors),
        wilayah=kecamatan_map(service_context()),
        category_groups=_category_groups(current_language()),
        other_label=categories.label(categories.OTHER, current_language()),
        chosen_category=(form.get("category") or "").strip(),
        map_tile_url=tile_url,
    ))
    return admit_tiles(response, tile_url)


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
