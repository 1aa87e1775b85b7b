"""The simulated SP4N-LAPOR! v3 API: the contract of ``LAPOR_API.md`` on the wire.

Every answer is ``{"results": {...}}``; lists are ``results.data`` with
``results.pagination``; errors are ``results.message`` with a 4xx status. Times are
``d-m-Y H:i:s`` in Asia/Jakarta, booleans 0/1.
"""

from __future__ import annotations

import hmac
import random
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from flask import Blueprint, Response, jsonify, request

from lapor_bridge.lapor.simulator.clock import WIB
from lapor_bridge.lapor.simulator.faults import DISORDER_KEY
from lapor_bridge.lapor.simulator.state import current_sim
from lapor_bridge.lapor.simulator.store import NewComplaint, NewFollowup, SimError, UploadedFile

MAX_PAGE_SIZE = 1000
DEFAULT_PAGE_SIZE = 10
_ATTACHMENT_FIELD = re.compile(r"attachment\[(\d+)\]")

api = Blueprint("lapor_api", __name__)


@api.before_request
def require_credentials() -> tuple[Response, int] | None:
    """Both ``Authorization: Bearer <secret>`` and ``token: <token>`` must match."""
    sim = current_sim()
    authorization = request.headers.get("Authorization", "").encode()
    token = request.headers.get("token", "").encode()
    expected_authorization = f"Bearer {sim.secret}".encode()
    if hmac.compare_digest(authorization, expected_authorization) and hmac.compare_digest(
        token, sim.token.encode()
    ):
        return None
    return _message("Unauthenticated.", 401)


@api.errorhandler(SimError)
def refused(error: SimError) -> tuple[Response, int]:
    """A request the simulated LAPOR! refuses."""
    return _message(error.message, error.status)


@api.get("/masters/institutions/external")
def institutions() -> Response:
    """The instansi master list."""
    page, page_size = _paging()
    items, total = current_sim().store.institutions(page, page_size)
    return _page(items, page, page_size, total)


@api.get("/masters/templates")
def templates() -> Response:
    """Reply templates for follow-ups."""
    page, page_size = _paging()
    items, total = current_sim().store.templates(page, page_size)
    return _page(items, page, page_size, total)


@api.post("/complaints/complaint/file")
def upload() -> Response:
    """Store ``attachments[]`` files; their ids go into a create's ``attachments``."""
    files = request.files.getlist("attachments[]")
    if not files:
        raise SimError(422, "attachments[] wajib diisi")
    docs = current_sim().store.add_docs([_uploaded(item) for item in files])
    return jsonify({"results": {"docs": docs}})


@api.post("/complaints/complaint")
def create() -> Response:
    """Create a report; answers ``results.data.complaint_id``."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise SimError(422, "badan permintaan harus objek JSON")
    new = NewComplaint(
        title=_text(body, "title"),
        content=_text(body, "content"),
        disposition_id=_integer(body, "disposition_id"),
        channel=_integer(body, "channel", required=False),
        classification_id=_integer(body, "classification_id", required=False),
        category_id=_integer(body, "category_id", required=False),
        location_id=_integer(body, "location_id", required=False),
        user_id=_integer(body, "user_id", required=False),
        date_of_incident=body.get("date_of_incident"),
        tags=tuple(str(body.get("tags_raw") or "").split(",")),
        is_anonymous=_flag(body, "is_anonymous"),
        is_secret=_flag(body, "is_secret"),
        attachment_ids=tuple(
            _as_int(item, "attachments") for item in body.get("attachments") or ()
        ),
    )
    sim = current_sim()
    complaint_id = sim.store.create_complaint(new, dispose=sim.auto_dispose)
    return jsonify({"results": {"data": {"complaint_id": complaint_id}, "message": "Berhasil"}})


@api.get("/complaints")
def search() -> Response:
    """Reports by current disposition and/or tag (assumed endpoint, see README)."""
    page, page_size = _paging()
    items, total = current_sim().store.search(
        page,
        page_size,
        disposition_id=_integer(request.args, "disposition_id", required=False),
        tag=request.args.get("tag"),
    )
    return _page([wire_complaint(item) for item in items], page, page_size, total)


@api.post("/complaints/process/<int:complaint_id>/reject")
def reject(complaint_id: int) -> Response:
    """ "Bukan wewenang": forward the report to the instansi named in ``reason``."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise SimError(422, "badan permintaan harus objek JSON")
    if not (_flag(body, "not_authority") and _flag(body, "is_request")):
        raise SimError(422, "hanya penolakan bukan wewenang yang didukung")
    target = _integer(body, "reason")
    store = current_sim().store
    store.reject_not_authority(complaint_id, target, str(body.get("reason_description") or ""))
    complaint = store.complaint(complaint_id)
    return jsonify({"results": {"data": wire_complaint(complaint), "message": "Berhasil"}})


@api.get("/complaints/<int:complaint_id>/complaint")
def detail(complaint_id: int) -> Response:
    """A report with its history in ``results.data_logs``."""
    store = current_sim().store
    complaint = store.complaint(complaint_id)
    logs = _maybe_disorder([wire_log(log) for log in store.logs(complaint_id)])
    return jsonify({"results": {"data": wire_complaint(complaint), "data_logs": logs}})


@api.get("/complaints/<int:complaint_id>/followups")
def followups(complaint_id: int) -> Response:
    """A report's follow-ups, oldest first."""
    page, page_size = _paging()
    items, total = current_sim().store.followups(complaint_id, page, page_size)
    data = _maybe_disorder([wire_followup(item) for item in items])
    return _page(data, page, page_size, total)


@api.post("/complaints/followup/add")
def add_followup() -> Response:
    """Post a follow-up (multipart form with ``attachment[i]`` files)."""
    form = request.form
    files = sorted(
        (int(match.group(1)), item)
        for key, item in request.files.items(multi=True)
        if (match := _ATTACHMENT_FIELD.fullmatch(key))
    )
    new = NewFollowup(
        complaint_id=_integer(form, "complaint_id"),
        content=_text(form, "content"),
        institution_from_id=_integer(form, "institution_from_id"),
        institution_to_id=_integer(form, "institution_to_id", required=False),
        user_id=_integer(form, "user_id", required=False),
        template_code=form.get("template_code", ""),
        rating=_integer(form, "rating", required=False) or 0,
        is_secret=_flag(form, "is_secret"),
    )
    followup_id = current_sim().store.add_followup(new, [_uploaded(item) for _index, item in files])
    return jsonify({"results": {"data": {"id": followup_id}, "message": "Berhasil"}})


def wire_time(moment: datetime) -> str:
    """LAPOR!'s time format: ``d-m-Y H:i:s`` in Asia/Jakarta."""
    return moment.astimezone(WIB).strftime("%d-%m-%Y %H:%M:%S")


def wire_complaint(complaint: Mapping[str, Any]) -> dict[str, Any]:
    """A stored report as LAPOR! shows it."""
    return {
        "id": complaint["id"],
        "title": complaint["title"],
        "content": complaint["content"],
        "status_code": complaint["status_code"],
        "status_name": complaint["status_name"],
        "disposition_id": complaint["disposition_id"],
        "disposition_name": complaint["disposition_name"],
        "channel": complaint["channel"],
        "classification_id": complaint["classification_id"],
        "category_id": complaint["category_id"],
        "location_id": complaint["location_id"],
        "date_of_incident": complaint["date_of_incident"],
        "tags_raw": complaint["tags_raw"],
        "is_anonymous": complaint["is_anonymous"],
        "is_secret": complaint["is_secret"],
        "attachments": complaint["attachments"],
        "created_at": wire_time(complaint["created_at"]),
        "updated_at": wire_time(complaint["updated_at"]),
    }


def wire_log(log: Mapping[str, Any]) -> dict[str, Any]:
    """A stored history entry as LAPOR! shows it."""
    return {
        "id": log["id"],
        "institution_from": log["institution_from"],
        "institution_to": log["institution_to"],
        "status_old": log["status_old"],
        "status_new": log["status_new"],
        "note": log["note"],
        "created_at": wire_time(log["created_at"]),
    }


def wire_followup(followup: Mapping[str, Any]) -> dict[str, Any]:
    """A stored follow-up as LAPOR! shows it."""
    return {
        "id": followup["id"],
        "complaint_id": followup["complaint_id"],
        "institution_from_id": followup["institution_from_id"],
        "institution_from_name": followup["institution_from_name"] or "Pelapor",
        "institution_to_id": followup["institution_to_id"],
        "is_reporter": followup["is_reporter"],
        "content": followup["content"],
        "template_code": followup["template_code"],
        "rating": followup["rating"],
        "is_secret": followup["is_secret"],
        "attachments": followup["attachments"],
        "created_at": wire_time(followup["created_at"]),
    }


def _maybe_disorder(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Shuffle and duplicate one entry when the fault injector asked for disorder."""
    draw: random.Random | None = request.environ.get(DISORDER_KEY)
    if draw is None or not items:
        return items
    disordered = [*items, draw.choice(items)]
    draw.shuffle(disordered)
    return disordered


def _page(items: list[Any], page: int, page_size: int, total: int) -> Response:
    pages = -(-total // page_size)
    pagination = {"page": page, "page_size": page_size, "total": total, "total_pages": pages}
    return jsonify({"results": {"data": items, "pagination": pagination}})


def _paging() -> tuple[int, int]:
    page = _integer(request.args, "page", required=False)
    page_size = _integer(request.args, "page_size", required=False)
    page = 1 if page is None else page
    page_size = DEFAULT_PAGE_SIZE if page_size is None else page_size
    if page < 1 or not 1 <= page_size <= MAX_PAGE_SIZE:
        raise SimError(422, f"page >= 1 dan 1 <= page_size <= {MAX_PAGE_SIZE}")
    return page, page_size


def _message(text: str, status: int) -> tuple[Response, int]:
    return jsonify({"results": {"message": text}}), status


def _uploaded(item: Any) -> UploadedFile:
    return UploadedFile(
        filename=item.filename or "lampiran",
        content_type=item.mimetype or "application/octet-stream",
        data=item.read(),
    )


def _text(source: Mapping[str, Any], name: str) -> str:
    value = source.get(name)
    if not isinstance(value, str) or not value.strip():
        raise SimError(422, f"{name} wajib diisi")
    return value


def _integer(source: Mapping[str, Any], name: str, *, required: bool = True) -> int | None:
    value = source.get(name)
    if value in (None, ""):
        if required:
            raise SimError(422, f"{name} wajib diisi")
        return None
    return _as_int(value, name)


def _as_int(value: Any, name: str) -> int:
    if isinstance(value, bool):
        raise SimError(422, f"{name} harus bilangan bulat")
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise SimError(422, f"{name} harus bilangan bulat") from exc


def _flag(source: Mapping[str, Any], name: str) -> bool:
    value = source.get(name)
    if value in (None, ""):
        return False
    text = str(value).strip().lower()
    if text in ("1", "true"):
        return True
    if text in ("0", "false"):
        return False
    raise SimError(422, f"{name} harus 0 atau 1")
