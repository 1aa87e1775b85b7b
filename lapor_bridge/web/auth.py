"""Login, logout, and the role checks every staff route goes through."""

from __future__ import annotations

import functools
from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from lapor_bridge.services.accounts import Principal, authenticate, load_principal
from lapor_bridge.web import limiter, service_context

bp = Blueprint("auth", __name__)

STAFF_HOME = {
    "officer": "officer.queue",
    "regional_admin": "officer.queue",
    "coordinator": "oversight.index",
    "sysadmin": "admin.users",
}


@bp.before_app_request
def _load_user() -> None:
    user_id = session.get("user_id")
    g.user = load_principal(service_context(), user_id) if user_id else None
    if user_id and g.user is None:
        session.clear()


def roles_required(*roles: str):
    """Let only logged-in users with one of ``roles`` through; others go to login or 403."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            user: Principal | None = g.get("user")
            if user is None:
                return redirect(url_for("auth.login", next=request.full_path))
            if user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


@bp.route("/masuk", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def login():
    """The staff login page."""
    error = None
    if request.method == "POST":
        principal = authenticate(
            service_context(), request.form.get("username", ""), request.form.get("password", "")
        )
        if principal is None:
            error = _("Nama pengguna atau kata sandi salah.")
        else:
            _clear_session()
            session["user_id"] = principal.user_id
            session.permanent = True
            flash(_("Selamat datang, %(name)s.", name=principal.full_name))
            return redirect(safe_next(request.args.get("next"))
                            or url_for(STAFF_HOME[principal.role]))
    return render_template("login.html", error=error), 401 if error else 200


@bp.route("/keluar", methods=["POST"])
def logout():
    """End the session."""
    _clear_session()
    flash(_("Anda telah keluar."))
    return redirect(url_for("auth.login"))


def _clear_session() -> None:
    """Forget everything of the session except the chosen language."""
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language


def safe_next(target: str | None) -> str | None:
    """``target`` when it is a local path (no scheme, no host), else None."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target
