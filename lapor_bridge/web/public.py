"""Public pages: the complaint form and the tracking page. No login."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _

from lapor_bridge.domain.errors import DomainError
from lapor_bridge.services.errors import NotFound, ValidationFailed
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
from lapor_bridge.translations import N_
from lapor_bridge.web import limiter, service_context
from lapor_bridge.web.i18n import translated, translated_errors

bp = Blueprint("public", __name__)


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
    }
    return redirect(url_for("public.submitted", tracking_number=result.tracking_number))


@bp.route("/terkirim/<tracking_number>")
def submitted(tracking_number: str):
    """Confirmation after submit; the private link is shown once, to this browser only."""
    receipt = session.pop("just_submitted", None)
    if not receipt or receipt["tracking_number"] != tracking_number:
        return redirect(url_for("public.track", tracking_number=tracking_number))
    return render_template("public/submitted.html", receipt=receipt)


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
    )


def _optional_float(form, name: str, errors: dict[str, str]) -> float | None:
    raw = (form.get(name) or "").strip()
    if not raw:
        return None
    try:
        return float(raw)
    except ValueError:
        errors[name] = N_("Koordinat harus berupa angka.")
        return None
