"""The simulator's Flask app factory."""

from __future__ import annotations

import os

from flask import Flask, Response, jsonify
from werkzeug.exceptions import HTTPException

from lapor_bridge.lapor.simulator.api import api
from lapor_bridge.lapor.simulator.control import control
from lapor_bridge.lapor.simulator.faults import FaultConfig, FaultInjector
from lapor_bridge.lapor.simulator.state import SimState
from lapor_bridge.lapor.simulator.store import SimStore

API_PREFIX = "/api/v3"
CONTROL_PREFIX = "/_sim"


def create_sim_app(
    db_path: str | os.PathLike[str],
    token: str,
    secret: str,
    seed: int | None = None,
    faults: FaultConfig | None = None,
    *,
    auto_dispose: bool = False,
) -> Flask:
    """A simulated LAPOR!: the v3 API under ``/api/v3``, the control API under ``/_sim``.

    ``db_path`` is the SQLite store (created and seeded when new). With
    ``auto_dispose`` a report created through the API is verified and disposed to
    its ``disposition_id`` at once, as if the national admin were instantaneous.
    """
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = 20 * 1024 * 1024
    app.register_blueprint(api, url_prefix=API_PREFIX)
    app.register_blueprint(control, url_prefix=CONTROL_PREFIX)
    app.register_error_handler(HTTPException, _http_error)
    injector = FaultInjector(app.wsgi_app, faults or FaultConfig(), seed, API_PREFIX)
    app.wsgi_app = injector  # type: ignore[method-assign]
    app.extensions["lapor_sim"] = SimState(
        store=SimStore(db_path),
        faults=injector,
        token=token,
        secret=secret,
        auto_dispose=auto_dispose,
    )
    return app


def _http_error(error: HTTPException) -> tuple[Response, int]:
    return jsonify({"results": {"message": error.description}}), error.code or 500
