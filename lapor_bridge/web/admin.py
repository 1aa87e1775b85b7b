"""System administration pages: staff accounts, agencies, SLA settings (read-only)."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)

from lapor_bridge.services import admin, api_keys
from lapor_bridge.services.errors import NotFound, ValidationFailed
from lapor_bridge.web import service_context
from lapor_bridge.web.auth import roles_required
from lapor_bridge.web.outcome import change_and_return

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/pengguna", methods=["GET", "POST"])
@roles_required("sysadmin")
def users():
    """Staff accounts: list and create."""
    context = service_context()
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = request.form
        try:
            admin.create_user(
                context, g.user, username=form.get("username", ""),
                full_name=form.get("full_name", ""), role=form.get("role", ""),
                password=form.get("password", ""), agency_id=form.get("agency_id", type=int),
                region_id=form.get("region_id", type=int),
                is_agency_head=form.get("is_agency_head") == "1", email=form.get("email", ""))
        except ValidationFailed as exc:
            errors = exc.errors
        else:
            flash("Akun dibuat.")
            return redirect(url_for("admin.users"))
    return render_template(
        "admin/users.html", rows=admin.list_users(context, g.user), roles=admin.ROLES,
        agencies=[a for a in admin.list_agencies(context, g.user) if not a.is_triage],
        regions=admin.list_regions(context), errors=errors, form=request.form,
    ), 422 if errors else 200


@bp.route("/pengguna/<int:user_id>/aktif", methods=["POST"])
@roles_required("sysadmin")
def user_active(user_id: int):
    """Enable or disable an account."""
    active = request.form.get("active") == "1"
    return change_and_return(
        lambda: admin.set_user_active(service_context(), g.user, user_id, active),
        "Akun diaktifkan." if active else "Akun dinonaktifkan.", url_for("admin.users"))


@bp.route("/pengguna/<int:user_id>/email", methods=["POST"])
@roles_required("sysadmin")
def user_email(user_id: int):
    """Set where an account's SLA escalations are mailed."""
    return change_and_return(lambda: admin.set_email(
        service_context(), g.user, user_id, request.form.get("email", "")),
        "Alamat e-mail disimpan.", url_for("admin.users"))


@bp.route("/pengguna/<int:user_id>/sandi", methods=["POST"])
@roles_required("sysadmin")
def user_password(user_id: int):
    """Set a new password for an account."""
    return change_and_return(lambda: admin.reset_password(
        service_context(), g.user, user_id, request.form.get("password", "")),
        "Kata sandi diganti.", url_for("admin.users"))


@bp.route("/instansi")
@roles_required("sysadmin")
def agencies():
    """Every agency with its SP4N-LAPOR! institution id."""
    return render_template("admin/agencies.html",
                           rows=admin.list_agencies(service_context(), g.user))


@bp.route("/instansi/<int:agency_id>", methods=["POST"])
@roles_required("sysadmin")
def agency_update(agency_id: int):
    """Change an agency's name, LAPOR! id or whether it takes complaints."""
    form = request.form
    return change_and_return(lambda: admin.update_agency(
        service_context(), g.user, agency_id, name=form.get("name", ""),
        lapor_institution_id=form.get("lapor_institution_id"),
        active=form.get("active") == "1"), "Instansi disimpan.", url_for("admin.agencies"))


@bp.route("/pengaturan")
@roles_required("sysadmin")
def settings():
    """The SLA settings in force (edited in the configuration file)."""
    return render_template("admin/settings.html",
                           sla=current_app.config["LAPOR_SETTINGS"].sla)


@bp.route("/kunci-api", methods=["GET", "POST"])
@roles_required("sysadmin")
def keys():
    """API keys: list, and create one (the key is shown on this answer only)."""
    context = service_context()
    errors: dict[str, str] = {}
    created = None
    if request.method == "POST":
        try:
            created, _ = api_keys.create_key(
                context, request.form.get("name", ""),
                api_keys.Scope.parse(request.form.get("scope", "")))
        except ValidationFailed as exc:
            errors = exc.errors
    response = current_app.make_response((render_template(
        "admin/api_keys.html", rows=api_keys.list_keys(context), actions=api_keys.ACTIONS,
        created=created, errors=errors, form=request.form if errors else {},
    ), 422 if errors else 200))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/kunci-api/<prefix>/cabut", methods=["POST"])
@roles_required("sysadmin")
def key_revoke(prefix: str):
    """Revoke a key: its next request is refused."""
    try:
        info = api_keys.revoke_key(service_context(), prefix)
    except NotFound:
        abort(404)
    flash(f"Kunci {info.prefix} ({info.name}) dicabut.")
    return redirect(url_for("admin.keys"))
