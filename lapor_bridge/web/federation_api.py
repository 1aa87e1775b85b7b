"""The province's federation API for its members (``/federation/v1``, JSON, member keys).

``Authorization: Bearer lbf_…``. An unknown key gets 401, a removed member's key 403;
neither stores anything. ``POST /records`` stores a batch (one result per record),
``GET /state`` pages through what is held, ``POST /drift`` takes a drift summary,
``GET /hello`` says who the key belongs to. See docs/federation.md.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from lapor_bridge.services.errors import ValidationFailed
from lapor_bridge.services.federation.ingest import ingest
from lapor_bridge.services.federation.members import KeyRevoked, Member, authenticate
from lapor_bridge.services.federation.state import held, hello, record_drift
from lapor_bridge.web import service_context

bp = Blueprint("federation_api", __name__, url_prefix="/federation/v1")


def _member() -> Member:
    header = request.headers.get("Authorization", "")
    key = header[7:].strip() if header.startswith("Bearer ") else None
    member = authenticate(service_context(), key)
    if member is None:
        raise _Refused(401, "Kunci anggota tidak dikenal / unknown member key")
    return member


class _Refused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@bp.errorhandler(_Refused)
def _refused(error: _Refused):
    return jsonify(error=str(error)), error.status


@bp.errorhandler(KeyRevoked)
def _revoked(error: KeyRevoked):
    return jsonify(error=str(error)), 403


@bp.errorhandler(ValidationFailed)
def _invalid(error: ValidationFailed):
    return jsonify(error=str(error), errors=error.errors), 400


@bp.get("/hello")
def hello_view():
    """Who this key belongs to."""
    return jsonify(hello(service_context(), _member()))


@bp.post("/records")
def records_view():
    """Store a batch of records: ``{"records": [...]}`` → ``{"results": [...]}``."""
    member = _member()
    body = request.get_json(silent=True)
    records = body.get("records") if isinstance(body, dict) else None
    if not isinstance(records, list):
        raise _Refused(400, 'Badan permintaan harus {"records": [...]} / body must be '
                            '{"records": [...]}')
    limit = service_context().settings.federation.max_records_per_request
    if len(records) > limit:
        raise _Refused(413, f"Paling banyak {limit} catatan per permintaan / at most "
                            f"{limit} records per request")
    outcomes = ingest(service_context(), member, records)
    return jsonify(results=[{"tracking_number": outcome.tracking_number,
                             "result": outcome.result, "error": outcome.error}
                            for outcome in outcomes])


@bp.get("/state")
def state_view():
    """What is held of this member, a page at a time (``after``, ``limit``)."""
    member = _member()
    try:
        limit = int(request.args.get("limit", "1000"))
    except ValueError:
        raise _Refused(400, "limit harus bilangan bulat / limit must be a whole number") from None
    return jsonify(held(service_context(), member, request.args.get("after", ""), limit))


@bp.post("/drift")
def drift_view():
    """Keep the member's drift summary."""
    member = _member()
    record_drift(service_context(), member, request.get_json(silent=True))
    return jsonify(ok=True)
