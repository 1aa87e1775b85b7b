"""Error pages and JSON error bodies: clear words, no stack traces."""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from lapor_bridge.translations import N_
from lapor_bridge.web.i18n import translated

log = logging.getLogger(__name__)

# Bahasa Indonesia, as the API answers; error pages show them in the page's language.
MESSAGES = {
    400: N_("Permintaan tidak dapat dibaca."),
    403: N_("Anda tidak berhak membuka halaman ini."),
    404: N_("Halaman atau laporan tidak ditemukan."),
    405: N_("Metode tidak diizinkan."),
    413: N_("Kiriman terlalu besar. Foto paling besar 5 MB; kirim foto yang lebih kecil."),
    415: N_("Jenis isi kiriman tidak didukung."),
    429: N_("Terlalu banyak kiriman dalam waktu singkat. Coba lagi beberapa saat lagi."),
    500: N_("Terjadi kesalahan pada sistem. Laporan Anda belum tersimpan; coba lagi."),
}


def wants_json() -> bool:
    """True for API paths, where errors are JSON."""
    return request.path.startswith(("/api/", "/healthz"))


def error_body(status: int, code: str, message: str, fields: dict | None = None):
    """The one JSON error shape of the API."""
    body = {"error": {"status": status, "code": code, "message": message}}
    if fields:
        body["error"]["fields"] = fields
    response = jsonify(body)
    response.status_code = status
    return response


def register_renderer(app: Flask, prefix: str, renderer: Callable[[int, str], Response]) -> None:
    """Render errors under the path ``prefix`` with ``renderer(status, message)`` (Open311)."""
    app.extensions.setdefault("error_renderers", {})[prefix] = renderer


def _path_renderer(app: Flask) -> Callable[[int, str], Response] | None:
    for prefix, renderer in app.extensions.get("error_renderers", {}).items():
        if request.path.startswith(prefix):
            return renderer
    return None


def init_app(app: Flask) -> None:
    """Register the handlers on ``app``."""

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        status = exc.code or 500
        message = MESSAGES.get(status, exc.description or N_("Kesalahan."))
        if renderer := _path_renderer(app):
            response = renderer(status, message)
        elif wants_json():
            response = error_body(status, exc.name.lower().replace(" ", "_"), message)
        else:
            response = app.make_response(
                (render_template("error.html", status=status, message=translated(message)), status)
            )
        for header in ("Retry-After", "Allow"):
            if exc.get_headers() and header in dict(exc.get_headers()):
                response.headers[header] = dict(exc.get_headers())[header]
        return response

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        if renderer := _path_renderer(app):
            return renderer(500, MESSAGES[500])
        if wants_json():
            return error_body(500, "internal_error", MESSAGES[500])
        return render_template("error.html", status=500, message=translated(MESSAGES[500])), 500
