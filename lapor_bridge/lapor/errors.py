"""Exceptions raised by the LAPOR! client, sorted by what a caller should do next.

- :class:`LaporRetryableError` and subclasses: try again later (honour ``retry_after``
  when set). When ``outcome_unknown`` is true the request may have been carried out
  (a write whose response never arrived): look before writing again.
- :class:`LaporPermanentError`: this request will never succeed as sent; record it.
- :class:`LaporAuthError`: the credentials are wrong for every request; stop and alert
  rather than counting it against one row.
"""

from __future__ import annotations


class LaporError(Exception):
    """Any failure talking to LAPOR!."""

    def __init__(self, message: str, *, status_code: int | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code


class LaporRetryableError(LaporError):
    """A transient failure: the same request may succeed later."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        retry_after: float | None = None,
        outcome_unknown: bool = False,
    ) -> None:
        super().__init__(message, status_code=status_code)
        self.retry_after = retry_after
        self.outcome_unknown = outcome_unknown


class LaporTimeout(LaporRetryableError):
    """No answer in time; ``outcome_unknown`` is true when the request was already sent."""


class LaporConnectionError(LaporRetryableError):
    """The connection failed or was reset before a complete response arrived."""


class LaporRateLimited(LaporRetryableError):
    """HTTP 429: slow down for every request, not only this one."""


class LaporServerError(LaporRetryableError):
    """An HTTP 5xx answer (or a body that is not JSON) from LAPOR! or a gateway."""


class LaporPermanentError(LaporError):
    """LAPOR! refused the request as sent (4xx, or an answer of an unexpected shape)."""


class LaporNotFound(LaporPermanentError):
    """HTTP 404: the report (or other resource) does not exist."""


class LaporAuthError(LaporError):
    """HTTP 401/403: token or secret rejected."""
