"""The SP4N-LAPOR! v3 HTTP client: one method per endpoint, errors mapped to our own.

Paths, credentials, timeouts and master ids come from :class:`LaporSettings`. The
client never retries by itself; callers (the outbox, the poller) own the backoff and
read :mod:`lapor_bridge.lapor.errors` to decide what to do. A ``requests.Session`` is
not guaranteed thread-safe: give each worker thread its own client.
"""

from __future__ import annotations

import email.utils
import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

import requests
import urllib3.exceptions
from requests.adapters import HTTPAdapter

from lapor_bridge.config import LaporSettings
from lapor_bridge.lapor import mapping
from lapor_bridge.lapor.errors import (
    LaporAuthError,
    LaporConnectionError,
    LaporError,
    LaporNotFound,
    LaporPermanentError,
    LaporRateLimited,
    LaporRetryableError,
    LaporServerError,
    LaporTimeout,
)
from lapor_bridge.lapor.marker import marker_tag
from lapor_bridge.lapor.models import (
    Attachment,
    ComplaintDraft,
    FollowupDraft,
    Institution,
    LaporComplaint,
    LaporFollowup,
    Template,
)

log = logging.getLogger(__name__)
T = TypeVar("T")

_BAD_URL_ERRORS = (
    requests.exceptions.MissingSchema,
    requests.exceptions.InvalidSchema,
    requests.exceptions.InvalidURL,
)


class LaporClient:
    """Blocking client for one LAPOR! deployment."""

    def __init__(self, settings: LaporSettings, session: requests.Session | None = None) -> None:
        self.settings = settings
        self._base_url = settings.base_url.rstrip("/")
        self._timeout = (settings.connect_timeout, settings.read_timeout)
        self._headers = {"Authorization": f"Bearer {settings.secret}", "token": settings.token}
        self._session = session or _pooled_session(settings.pool_size)

    def close(self) -> None:
        """Close pooled connections."""
        self._session.close()

    def __enter__(self) -> LaporClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- master data -------------------------------------------------------

    def list_institutions(self) -> list[Institution]:
        """The whole instansi master list."""
        items = self._paged(self.settings.path_institutions, {}, self.settings.master_page_size)
        return [_parse(mapping.institution_from_wire, item) for item in items]

    def list_templates(self) -> list[Template]:
        """The whole reply-template master list."""
        items = self._paged(self.settings.path_templates, {}, self.settings.master_page_size)
        return [_parse(mapping.template_from_wire, item) for item in items]

    # -- reports -----------------------------------------------------------

    def upload_attachments(self, attachments: Sequence[Attachment]) -> list[int]:
        """Upload files for a coming create; returns the doc ids to put in the draft."""
        files = [
            ("attachments[]", (item.filename, item.content, item.content_type))
            for item in attachments
        ]
        results = self._call("POST", self.settings.path_upload, files=files)
        return _parse(lambda r: [int(doc["id"]) for doc in r["docs"]], results)

    def create_complaint(self, draft: ComplaintDraft, idempotency_key: str) -> int:
        """Create a report tagged with ``idempotency_key``; returns LAPOR!'s tracking id.

        Not idempotent by itself: prefer :meth:`create_complaint_once`.
        """
        payload = mapping.draft_to_payload(draft, self.settings, idempotency_key)
        results = self._call("POST", self.settings.path_create, json=payload)
        return _parse(lambda r: int(r["data"]["complaint_id"]), results)

    def find_by_marker(self, idempotency_key: str) -> LaporComplaint | None:
        """The report created for ``idempotency_key``, or ``None`` (the oldest if several)."""
        params = {"tag": marker_tag(idempotency_key)}
        found = list(self._paged(self.settings.path_search, params, self.settings.page_size))
        if not found:
            return None
        if len(found) > 1:
            log.warning("LAPOR! holds %d reports for key %s", len(found), idempotency_key)
        return min(
            (_parse(mapping.complaint_from_wire, item) for item in found),
            key=lambda complaint: complaint.id,
        )

    def create_complaint_once(self, draft: ComplaintDraft, idempotency_key: str) -> int:
        """Create a report at most once per ``idempotency_key``; returns its tracking id.

        Looks the marker up first (an earlier attempt may have committed), creates
        when absent, and after an unknown-outcome failure looks once more before
        re-raising.
        """
        existing = self.find_by_marker(idempotency_key)
        if existing is not None:
            return existing.id
        try:
            return self.create_complaint(draft, idempotency_key)
        except LaporRetryableError as exc:
            if not exc.outcome_unknown:
                raise
            recovered = self.find_by_marker(idempotency_key)
            if recovered is None:
                raise
            log.info("recovered LAPOR! report #%d for key %s", recovered.id, idempotency_key)
            return recovered.id

    def get_complaint(self, complaint_id: int) -> LaporComplaint:
        """A report's detail with its history logs."""
        path = self.settings.path_detail.format(complaint_id=complaint_id)
        results = self._call("GET", path)
        return _parse(
            lambda r: mapping.complaint_from_wire(r["data"], r.get("data_logs") or ()), results
        )

    def list_disposed_to(self, institution_id: int) -> Iterator[LaporComplaint]:
        """Reports currently disposed to ``institution_id``, oldest first, page by page.

        Uses the assumed search endpoint (``path_search?disposition_id=``), see README.
        """
        params = {"disposition_id": institution_id}
        for item in self._paged(self.settings.path_search, params, self.settings.page_size):
            yield _parse(mapping.complaint_from_wire, item)

    def reject_not_authority(
        self, complaint_id: int, target_institution_id: int, reason: str
    ) -> None:
        """Forward a report as "bukan wewenang" to ``target_institution_id``."""
        path = self.settings.path_reject.format(complaint_id=complaint_id)
        payload = {
            "is_request": 1,
            "reason": target_institution_id,
            "reason_description": reason,
            "not_authority": 1,
        }
        self._call("POST", path, json=payload)

    # -- follow-ups --------------------------------------------------------

    def list_followups(self, complaint_id: int) -> list[LaporFollowup]:
        """Every follow-up of a report, in the order LAPOR! gives them."""
        path = self.settings.path_followups.format(complaint_id=complaint_id)
        items = self._paged(path, {}, self.settings.page_size)
        return [_parse(mapping.followup_from_wire, item) for item in items]

    def add_followup(self, draft: FollowupDraft) -> int:
        """Post a follow-up; returns its id. Not idempotent: prefer :meth:`add_followup_once`."""
        fields = {
            "user_id": self.settings.user_id,
            "institution_from_id": draft.institution_from_id,
            "institution_to_id": "" if draft.institution_to_id is None else draft.institution_to_id,
            "complaint_id": draft.complaint_id,
            "template_code": draft.template_code,
            "rating": draft.rating,
            "is_secret": int(draft.is_secret),
            "content": draft.content,
        }
        files = [
            (f"attachment[{index}]", (item.filename, item.content, item.content_type))
            for index, item in enumerate(draft.attachments)
        ]
        results = self._call(
            "POST", self.settings.path_followup_add, data=fields, files=files or None
        )
        return _parse(lambda r: int(r["data"]["id"]), results)

    def add_followup_once(self, draft: FollowupDraft) -> int:
        """Post a follow-up unless one from the same instansi with the same content exists.

        Same recovery as :meth:`create_complaint_once`; the content itself is the
        marker, so identical text from the same instansi is posted only once.
        """
        existing = self._find_followup(draft)
        if existing is not None:
            return existing
        try:
            return self.add_followup(draft)
        except LaporRetryableError as exc:
            if not exc.outcome_unknown:
                raise
            recovered = self._find_followup(draft)
            if recovered is None:
                raise
            return recovered

    def _find_followup(self, draft: FollowupDraft) -> int | None:
        for followup in self.list_followups(draft.complaint_id):
            if (
                not followup.from_reporter
                and followup.institution_from_id == draft.institution_from_id
                and followup.content == draft.content
            ):
                return followup.id
        return None

    # -- transport ---------------------------------------------------------

    def _paged(
        self, path: str, params: Mapping[str, Any], page_size: int
    ) -> Iterator[Mapping[str, Any]]:
        """Items of ``results.data`` over all pages; a short page is the last one."""
        page = 1
        while True:
            results = self._call(
                "GET", path, params={**params, "page": page, "page_size": page_size}
            )
            items = _parse(lambda r: list(r["data"]), results)
            yield from items
            if len(items) < page_size:
                return
            page += 1

    def _call(self, method: str, path: str, **kwargs: Any) -> Mapping[str, Any]:
        """Send one request; returns ``results`` or raises a :class:`LaporError`."""
        write = method != "GET"
        where = f"{method} {path}"
        try:
            response = self._session.request(
                method,
                self._base_url + path,
                headers=self._headers,
                timeout=self._timeout,
                **kwargs,
            )
        except requests.exceptions.ConnectTimeout as exc:
            raise LaporTimeout(f"{where}: connect timeout") from exc
        except requests.exceptions.Timeout as exc:
            raise LaporTimeout(f"{where}: read timeout", outcome_unknown=write) from exc
        except _BAD_URL_ERRORS as exc:
            raise LaporPermanentError(f"{where}: bad base_url: {exc}") from exc
        except requests.exceptions.RequestException as exc:
            sent = _request_was_sent(exc)
            raise LaporConnectionError(
                f"{where}: connection failed: {exc}", outcome_unknown=write and sent
            ) from exc
        if 200 <= response.status_code < 300:
            try:
                body = response.json()
            except ValueError as exc:
                raise LaporServerError(
                    f"{where}: answer is not JSON",
                    status_code=response.status_code,
                    outcome_unknown=write,
                ) from exc
            return _parse(lambda b: dict(b["results"]), body)
        raise _http_error(where, response, write)


def _parse(parse: Callable[[Any], T], value: Any) -> T:
    """Apply ``parse``; an answer of the wrong shape becomes a permanent error."""
    try:
        return parse(value)
    except (KeyError, TypeError, ValueError) as exc:
        raise LaporPermanentError(f"unexpected LAPOR! answer: {exc!r}") from exc


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP-date)."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _http_error(where: str, response: requests.Response, write: bool) -> LaporError:
    code = response.status_code
    message = f"{where}: HTTP {code}: {_error_text(response)}"
    retry_after = parse_retry_after(response.headers.get("Retry-After"))
    if code in (401, 403):
        return LaporAuthError(message, status_code=code)
    if code == 404:
        return LaporNotFound(message, status_code=code)
    if code == 429:
        return LaporRateLimited(message, status_code=code, retry_after=retry_after)
    if code == 408:
        return LaporTimeout(message, status_code=code, retry_after=retry_after)
    if code >= 500:
        # 503 means "not handled"; other 5xx on a write may hide a committed change.
        return LaporServerError(
            message,
            status_code=code,
            retry_after=retry_after,
            outcome_unknown=write and code != 503,
        )
    return LaporPermanentError(message, status_code=code)


def _error_text(response: requests.Response) -> str:
    try:
        return str(response.json()["results"]["message"])
    except (ValueError, KeyError, TypeError):
        return response.text[:200] or response.reason or ""


def _request_was_sent(exc: requests.exceptions.RequestException) -> bool:
    """False only when the connection was never established (nothing reached LAPOR!)."""
    reason = exc.args[0] if exc.args else None
    reason = getattr(reason, "reason", reason)
    return not isinstance(reason, urllib3.exceptions.ConnectTimeoutError)


def _pooled_session(pool_size: int) -> requests.Session:
    session = requests.Session()
    adapter = HTTPAdapter(pool_connections=1, pool_maxsize=pool_size, max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session
