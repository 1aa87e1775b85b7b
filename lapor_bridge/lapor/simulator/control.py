"""The simulator's control API under ``/_sim/``: play the national side, set faults.

No credentials are asked here: it is for tests and demos on a trusted host. Times
are ISO 8601; a naive time is taken as UTC.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response, jsonify, request

from lapor_bridge.lapor.simulator.clock import utc_now
from lapor_bridge.lapor.simulator.state import current_sim
from lapor_bridge.lapor.simulator.store import (
    DIARSIPKAN,
    NewComplaint,
    NewFollowup,
    SimError,
)

control = Blueprint("lapor_sim_control", __name__)


@control.errorhandler(SimError)
def refused(error: SimError) -> tuple[Response, int]:
    """An action the simulated LAPOR! refuses."""
    return jsonify({"error": error.message}), error.status


@control.errorhandler(ValueError)
def invalid(error: ValueError) -> tuple[Response, int]:
    """A malformed control request."""
    return jsonify({"error": str(error)}), 422


@control.get("/complaints")
def list_complaints() -> Response:
    """Every report the simulator holds, with history and follow-ups, as a JSON list."""
    return jsonify([control_view(item) for item in current_sim().store.all_complaints()])


@control.get("/complaints/<int:complaint_id>")
def show_complaint(complaint_id: int) -> Response:
    """One report in the same shape as the list."""
    return jsonify(_view(complaint_id))


@control.post("/complaints")
def file_nationally() -> tuple[Response, int]:
    """Create a report as if filed on lapor.go.id and disposed to ``institution_id``."""
    body = _body()
    new = NewComplaint(
        title=_required(body, "title"),
        content=_required(body, "content"),
        disposition_id=int(_required(body, "institution_id")),
        tags=tuple(str(tag) for tag in body.get("tags", ())),
        is_anonymous=bool(body.get("is_anonymous", False)),
        is_secret=bool(body.get("is_secret", False)),
    )
    complaint_id = current_sim().store.create_complaint(
        new, source="national", dispose=True, created_at=_time(body.get("created_at"))
    )
    return jsonify(_view(complaint_id)), 201


@control.post("/complaints/<int:complaint_id>/verify")
def verify(complaint_id: int) -> Response:
    """Admin verifies the report."""
    current_sim().store.verify(complaint_id)
    return jsonify(_view(complaint_id))


@control.post("/complaints/<int:complaint_id>/dispose")
def dispose(complaint_id: int) -> Response:
    """Admin disposes the report to ``institution_id``."""
    current_sim().store.dispose(complaint_id, int(_required(_body(), "institution_id")))
    return jsonify(_view(complaint_id))


@control.post("/complaints/<int:complaint_id>/archive")
def archive(complaint_id: int) -> Response:
    """Admin archives the report (``reason`` optional)."""
    current_sim().store.finish(complaint_id, DIARSIPKAN, str(_body().get("reason", "")))
    return jsonify(_view(complaint_id))


@control.post("/complaints/<int:complaint_id>/close")
def close(complaint_id: int) -> Response:
    """Admin closes the report with ``status`` "Selesai" or "Ditolak" (``reason`` optional)."""
    body = _body()
    current_sim().store.finish(complaint_id, _required(body, "status"), str(body.get("reason", "")))
    return jsonify(_view(complaint_id))


@control.post("/complaints/<int:complaint_id>/followups")
def post_followup(complaint_id: int) -> tuple[Response, int]:
    """A follow-up from any instansi (``institution_id``) or the reporter (``reporter: true``)."""
    body = _body()
    reporter = bool(body.get("reporter", False))
    if reporter == ("institution_id" in body):
        raise ValueError("give exactly one of institution_id and reporter: true")
    new = NewFollowup(
        complaint_id=complaint_id,
        content=_required(body, "content"),
        institution_from_id=None if reporter else int(body["institution_id"]),
        institution_to_id=body.get("institution_to_id"),
        created_at=_time(body.get("created_at")),
    )
    followup_id = current_sim().store.add_followup(new, any_sender=True)
    return jsonify({"id": followup_id, "complaint": _view(complaint_id)}), 201


@control.post("/auto-close")
def auto_close() -> Response:
    """Run the auto-close clock at ``now`` (query or body; default: the real time)."""
    now = _time(request.args.get("now") or _body().get("now")) or utc_now()
    return jsonify({"closed": current_sim().store.auto_close(now)})


@control.post("/institutions")
def add_institution() -> tuple[Response, int]:
    """Add an instansi to the master list (``id`` optional)."""
    body = _body()
    institution_id = body.get("id")
    added = current_sim().store.add_institution(
        _required(body, "name"), None if institution_id is None else int(institution_id)
    )
    return jsonify(added), 201


@control.get("/faults")
def show_faults() -> Response:
    """The fault configuration, the seed, and the most recent per-request decisions."""
    injector = current_sim().faults
    return jsonify(
        {
            "config": injector.config.to_json(),
            "seed": injector.seed,
            "recent": [decision.to_json() for decision in injector.recent()],
        }
    )


@control.route("/faults", methods=["PUT", "POST"])
def change_faults() -> Response:
    """Change some fault settings; ``seed`` restarts the random source (and the log)."""
    changes = dict(_body())
    seed = changes.pop("seed", None)
    injector = current_sim().faults
    injector.reconfigure(injector.config.updated(changes), None if seed is None else int(seed))
    return show_faults()


def control_view(complaint: Mapping[str, Any]) -> dict[str, Any]:
    """The control API's shape of a report (times ISO 8601 UTC)."""
    return {
        "id": complaint["id"],
        "title": complaint["title"],
        "content": complaint["content"],
        "institution": complaint["disposition_id"],
        "institution_name": complaint["disposition_name"],
        "status": complaint["status_name"],
        "status_code": complaint["status_code"],
        "source": complaint["source"],
        "tags": [tag for tag in complaint["tags_raw"].split(",") if tag],
        "is_anonymous": bool(complaint["is_anonymous"]),
        "is_secret": bool(complaint["is_secret"]),
        "attachments": complaint["attachments"],
        "created_at": complaint["created_at"].isoformat(),
        "history": [
            {**log, "created_at": log["created_at"].isoformat()} for log in complaint["history"]
        ],
        "followups": [
            {
                "id": followup["id"],
                "institution_from_id": followup["institution_from_id"],
                "institution_from_name": followup["institution_from_name"],
                "is_reporter": bool(followup["is_reporter"]),
                "content": followup["content"],
                "created_at": followup["created_at"].isoformat(),
            }
            for followup in complaint["followups"]
        ],
    }


def _view(complaint_id: int) -> dict[str, Any]:
    return control_view(current_sim().store.full_complaint(complaint_id))


def _body() -> Mapping[str, Any]:
    body = request.get_json(silent=True)
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise ValueError("the body must be a JSON object")
    return body


def _required(body: Mapping[str, Any], name: str) -> Any:
    value = body.get(name)
    if value in (None, ""):
        raise ValueError(f"{name} is required")
    return value


def _time(value: Any) -> datetime | None:
    if value in (None, ""):
        return None
    moment = datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
