"""Everything that knows SP4N-LAPOR!: the client, the mapping, the simulator."""

from lapor_bridge.lapor.client import LaporClient, parse_retry_after
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
from lapor_bridge.lapor.models import (
    Attachment,
    ComplaintDraft,
    FollowupDraft,
    Institution,
    LaporComplaint,
    LaporFollowup,
    LaporLog,
    Template,
)

__all__ = [
    "Attachment",
    "ComplaintDraft",
    "FollowupDraft",
    "Institution",
    "LaporAuthError",
    "LaporClient",
    "LaporComplaint",
    "LaporConnectionError",
    "LaporError",
    "LaporFollowup",
    "LaporLog",
    "LaporNotFound",
    "LaporPermanentError",
    "LaporRateLimited",
    "LaporRetryableError",
    "LaporServerError",
    "LaporTimeout",
    "Template",
    "parse_retry_after",
]
