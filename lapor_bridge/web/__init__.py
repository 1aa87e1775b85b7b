"""The Flask application factory."""

from __future__ import annotations

import logging

from flask import Flask
from flask_babel import Babel
from flask_wtf.csrf import CSRFProtect

from lapor_bridge.config import Settings, load_settings
from lapor_bridge.services.context import ServiceContext, build_context
from lapor_bridge.web import csp, errors, filters, i18n
from lapor_bridge.web.ratelimit import RateLimiter
from lapor_bridge.web.sessions import SessionCookies

csrf = CSRFProtect()
babel = Babel()
limiter = RateLimiter()

log = logging.getLogger(__name__)


def create_app(
    settings: Settings | None = None, context: ServiceContext | None = None
) -> Flask:
    """Build the web app; tests pass their own settings or a ready service context."""
    settings = settings or (context.settings if context else load_settings())
    context = context or build_context(settings)
    app = Flask(__name__)
    max_request = settings.app.max_photos * settings.app.max_upload_mb + 8
    app.config.update(
        SECRET_KEY=settings.app.secret_key,
        MAX_CONTENT_LENGTH=max(max_request, 32) * 1_048_576,
        MAX_FORM_MEMORY_SIZE=512 * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.app.session_cookie_secure,
        WTF_CSRF_TIME_LIMIT=None,
        RATELIMIT_STORAGE_URI=settings.app.rate_limit_storage,
        BABEL_DEFAULT_LOCALE=settings.app.default_locale,
        BABEL_DEFAULT_TIMEZONE=settings.app.timezone,
        LAPOR_SETTINGS=settings,
    )
    app.session_interface = SessionCookies()
    app.extensions["lapor_context"] = context
    from lapor_bridge.web import instrumentation

    instrumentation.init_app(app, context)  # first: its request id covers refused requests
    csrf.init_app(app)
    limiter.init_app(app)
    i18n.init_app(app)  # before Babel: it reads the catalogue folder
    babel.init_app(app, locale_selector=i18n.select_locale)
    filters.init_app(app)
    errors.init_app(app)

    from lapor_bridge.web import (
        admin,
        api,
        api_staff,
        auth,
        dashboard,
        federation_api,
        maps,
        officer,
        open311,
        open_data,
        openapi,
        ops,
        oversight,
        public,
        routing_admin,
        sync_admin,
        triage,
    )

    for module in (public, auth, officer, triage, oversight, admin, api, open311, openapi,
                   sync_admin, dashboard, ops, api_staff, routing_admin, federation_api,
                   open_data, maps):
        app.register_blueprint(module.bp)
    csrf.exempt(api.bp)
    csrf.exempt(federation_api.bp)

    @app.after_request
    def _security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Content-Security-Policy", csp.DEFAULT)
        return response

    return app


def service_context() -> ServiceContext:
    """The service context of the running app."""
    from flask import current_app

    return current_app.extensions["lapor_context"]
