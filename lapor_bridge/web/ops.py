"""Operator endpoints: ``/readyz`` (may this process take traffic?) and ``/metrics``."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from lapor_bridge.observability.metrics import render
from lapor_bridge.observability.readiness import readiness
from lapor_bridge.web import service_context

bp = Blueprint("ops", __name__)

PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8"


@bp.route("/readyz")
def readyz():
    """200 when the database answers, its schema is at head and the model is loaded; else 503."""
    checks = readiness(service_context(), need_model=True)
    ready = all(check["ok"] for check in checks.values())
    response = jsonify(status="ok" if ready else "fail", checks=checks)
    response.status_code = 200 if ready else 503
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/metrics")
def metrics():
    """Prometheus text exposition: every web process's counters plus the queue gauges."""
    return Response(render(service_context()), mimetype=None, content_type=PROMETHEUS_TEXT)
