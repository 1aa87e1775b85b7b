"""Per-request request id, access log line and HTTP metrics.

The id comes from ``X-Request-ID`` when the caller (or the reverse proxy) sent a sane
one, else it is made here; it is echoed in the response and carried by every log line
of the request, with the complaint's tracking number once known (from the URL, or
from where a new complaint's ``Location`` points).
"""

from __future__ import annotations

import logging
import time

from flask import Flask, g, request

from lapor_bridge.observability import logs
from lapor_bridge.observability.metrics import (
    HTTP_REQUESTS,
    HTTP_SECONDS,
    INTAKE,
    TimedClassifier,
)
from lapor_bridge.services.context import ServiceContext

REQUEST_ID_HEADER = "X-Request-ID"
NUMBER_ARGS = ("tracking_number", "nomor", "service_request_id")
INTAKE_ENDPOINTS = {"api.create_complaint": "api", "public.submit": "web",
                    "open311.create_request": "open311"}
QUIET_ENDPOINTS = frozenset({"ops.metrics", "ops.readyz", "api.healthz", "static"})

access_log = logging.getLogger("lapor_bridge.access")


def init_app(app: Flask, context: ServiceContext) -> None:
    """Install the hooks on ``app``; time the context's routing model."""
    if context.classifier is not None and not isinstance(context.classifier, TimedClassifier):
        context.classifier = TimedClassifier(context.classifier)
    app.before_request(_begin)
    app.after_request(_finish)
    app.teardown_request(_forget)


def _begin() -> None:
    g.request_started = time.perf_counter()
    logs.request_id.set(logs.accept_request_id(request.headers.get(REQUEST_ID_HEADER)))
    view_args = request.view_args or {}
    logs.complaint.set(next((str(view_args[name]) for name in NUMBER_ARGS
                             if name in view_args), None))


def _finish(response):
    endpoint = request.endpoint or "unmatched"
    seconds = time.perf_counter() - g.get("request_started", time.perf_counter())
    if logs.request_id.get() is None:  # an earlier hook refused the request before ours ran
        logs.request_id.set(logs.accept_request_id(request.headers.get(REQUEST_ID_HEADER)))
    response.headers[REQUEST_ID_HEADER] = logs.request_id.get()
    channel = INTAKE_ENDPOINTS.get(endpoint)
    if channel and response.status_code < 400:
        INTAKE.labels(channel).inc()
        location = response.headers.get("Location", "")
        if location:
            logs.complaint.set(location.rstrip("/").rsplit("/", 1)[-1])
    HTTP_REQUESTS.labels(endpoint, request.method, str(response.status_code)).inc()
    HTTP_SECONDS.labels(endpoint).observe(seconds)
    if endpoint not in QUIET_ENDPOINTS:
        access_log.info("%s %s %s %.1f ms", request.method, request.path,
                        response.status_code, seconds * 1000,
                        extra={"method": request.method, "path": request.path,
                               "status": response.status_code,
                               "duration_ms": round(seconds * 1000, 2)})
    return response


def _forget(_exc) -> None:
    logs.request_id.set(None)
    logs.complaint.set(None)
