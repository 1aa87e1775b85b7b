"""What a LAPOR! report's state means for the local complaint: the precedence rules.

Pure functions over small views (no database): the poller and the alignment report
both use them, so "applied" and "aligned" mean the same thing.

- A closed report at LAPOR! (Selesai, Selesai otomatis, Diarsipkan, Ditolak) is final
  there: the complaint follows, whatever the times.
- Otherwise LAPOR! only moves a complaint forward: verification and disposition
  (to one of our agencies) apply when LAPOR!'s change is not older than the last
  local change (allowing for LAPOR!'s one-second clock resolution)
  and no local transfer is still waiting to be sent. Nothing open at LAPOR! reopens
  or rewinds a local state.
- A disposition to the Pemkot-level instansi (the triage agency's) covers every OPD
  of the region: the local agency may be any of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from lapor_bridge.domain.status import Status
from lapor_bridge.domain.transitions import Action
from lapor_bridge.lapor.mapping import LAPOR_NAME, status_rank

CLOCK_RESOLUTION = timedelta(seconds=1)
CLOSING_ACTION = {
    Status.RESOLVED: Action.RESOLVE,
    Status.AUTO_CLOSED: Action.AUTO_CLOSE,
    Status.ARCHIVED: Action.ARCHIVE,
    Status.REJECTED: Action.REJECT,
}
# The least local state that agrees with an open LAPOR! status (local work may run ahead).
_LEAST_LOCAL = {
    "Belum Terverifikasi": Status.SUBMITTED,
    "Terverifikasi": Status.VERIFIED,
    "Dalam Proses": Status.DISPOSED,
}


@dataclass(frozen=True)
class LocalView:
    """The complaint as we hold it."""

    status: Status
    agency_id: int
    is_triage: bool
    changed_at: datetime | None
    transfer_pending: bool = False


@dataclass(frozen=True)
class RemoteView:
    """The report as LAPOR! shows it; ``agency_id`` is our agency for its disposition."""

    status: Status
    status_name: str
    changed_at: datetime | None
    agency_id: int | None
    agency_is_triage: bool
    disposed_at: datetime | None


@dataclass(frozen=True)
class Plan:
    """One action to apply locally as LAPOR! (``to_agency_id`` for dispose/transfer)."""

    action: Action
    to_agency_id: int | None = None


def plan_remote_change(local: LocalView, remote: RemoteView) -> Plan | None:
    """The action that brings ``local`` in line with ``remote``; None when local stands."""
    if remote.status in CLOSING_ACTION:
        if LAPOR_NAME[local.status] == LAPOR_NAME[remote.status]:
            return None
        return Plan(CLOSING_ACTION[remote.status])
    if local.status.is_closed:
        return None
    moves_agency = (
        remote.agency_id is not None
        and not remote.agency_is_triage
        and remote.agency_id != local.agency_id
        and not local.transfer_pending
        and _not_older(remote.disposed_at, local.changed_at)
    )
    if moves_agency:
        if local.status in (Status.SUBMITTED, Status.VERIFIED):
            return Plan(Action.DISPOSE, remote.agency_id)
        if local.status in (Status.DISPOSED, Status.IN_PROGRESS, Status.WAITING_REPORTER):
            return Plan(Action.TRANSFER, remote.agency_id)
        return None
    if (
        local.status is Status.SUBMITTED
        and status_rank(remote.status) >= status_rank(Status.VERIFIED)
        and _not_older(remote.changed_at, local.changed_at)
    ):
        return Plan(Action.VERIFY)
    return None


def _not_older(remote_at: datetime | None, local_at: datetime | None) -> bool:
    """LAPOR!'s change is not older than ours (LAPOR! times are whole seconds)."""
    if remote_at is None or local_at is None:
        return True
    return remote_at + CLOCK_RESOLUTION > local_at


def agrees(local: LocalView, remote: RemoteView) -> bool:
    """Whether the local state is what the sync should leave for this LAPOR! state."""
    if remote.status in CLOSING_ACTION:
        return LAPOR_NAME[local.status] == LAPOR_NAME[remote.status]
    if local.status in (Status.ARCHIVED, Status.REJECTED):
        return False
    least = _LEAST_LOCAL.get(remote.status_name, Status.DISPOSED)
    if local.is_triage and least is Status.DISPOSED:
        least = Status.SUBMITTED
    return status_rank(local.status) >= status_rank(least)


def institution_agrees(local_agency_id: int, remote: RemoteView) -> bool:
    """LAPOR! holds the report at the local agency, or at the region's Pemkot level."""
    return remote.agency_is_triage or remote.agency_id == local_agency_id
