"""What may happen to a complaint in each state, and who may make it happen.

The table mirrors the SP4N-LAPOR! lifecycle (Belum Terverifikasi → Terverifikasi →
Terdisposisi → Ditindaklanjuti → Selesai / Selesai otomatis; Diarsipkan, Ditolak).
Every pair not listed is illegal and :func:`apply` raises :class:`IllegalTransition`.

=================  ==============  ================  ==================================
state              action          new state         note
=================  ==============  ================  ==================================
submitted          verify          verified
submitted          dispose         disposed          verification implied (auto-routing)
submitted          archive         archived          wrong format, too general, ...
submitted          reject          rejected
verified           dispose         disposed
verified           archive         archived
verified           reject          rejected
disposed           claim           in_progress       an officer takes it
disposed           respond         responded         follow-up without a claim first
disposed           transfer        disposed          "bukan wewenang": another agency
in_progress        request_info    waiting_reporter  the clock pauses
in_progress        respond         responded
in_progress        transfer        disposed
waiting_reporter   reporter_reply  in_progress       the clock resumes
waiting_reporter   respond         responded         answer with what is known
waiting_reporter   transfer        disposed
responded          respond         responded         a further follow-up
responded          reporter_reply  in_progress       "Ditanggapi oleh Pelapor"
responded          resolve         resolved
responded          auto_close      auto_closed       10 working days without a reply
resolved           reopen          in_progress       the resident disputes
auto_closed        reopen          in_progress
archived, rejected —               —                 final
=================  ==============  ================  ==================================

Decisions: ``request_info`` is only possible once claimed, so ``reporter_reply``
always returns to ``in_progress``. ``claim`` only starts work on a disposed
complaint; handing an in-progress complaint to another officer changes the
assignee, not the state. ``transfer`` is not possible after a follow-up: the
resident answers first (``reporter_reply``), then the agency transfers.
``resolve`` needs a follow-up first, as LAPOR! does.

Roles: ``coordinator`` is read-only; ``resident``, ``system`` (our own jobs and
auto-routing) and ``lapor`` (changes arriving from the national channel) are
actors too. ``sysadmin`` has the regional admin's powers except writing
follow-ups, which speak for an agency.
"""

from __future__ import annotations

from enum import StrEnum
from types import MappingProxyType

from lapor_bridge.domain.errors import DomainError
from lapor_bridge.domain.status import Status


class Action(StrEnum):
    """Something a person or system does to a complaint."""

    VERIFY = "verify"
    DISPOSE = "dispose"
    CLAIM = "claim"
    REQUEST_INFO = "request_info"
    REPORTER_REPLY = "reporter_reply"
    RESPOND = "respond"
    TRANSFER = "transfer"
    RESOLVE = "resolve"
    AUTO_CLOSE = "auto_close"
    REOPEN = "reopen"
    ARCHIVE = "archive"
    REJECT = "reject"

    @property
    def label_id(self) -> str:
        """Bahasa Indonesia label."""
        return _LABELS[self][0]

    @property
    def label_en(self) -> str:
        """English label."""
        return _LABELS[self][1]


class Role(StrEnum):
    """Who acts: a logged-in user's role, or one of the non-staff actors."""

    OFFICER = "officer"
    REGIONAL_ADMIN = "regional_admin"
    COORDINATOR = "coordinator"
    SYSADMIN = "sysadmin"
    RESIDENT = "resident"
    SYSTEM = "system"
    LAPOR = "lapor"


class IllegalTransition(DomainError):
    """The action is not allowed in the complaint's current state."""

    def __init__(self, status: Status, action: Action) -> None:
        self.status = status
        self.action = action
        super().__init__(
            f"Tindakan '{action.label_id}' tidak dapat dilakukan pada pengaduan berstatus "
            f"'{status.label_id}'. / Action '{action.label_en}' is not allowed when the "
            f"complaint is '{status.label_en}'."
        )


_LABELS = {
    Action.VERIFY: ("Verifikasi", "Verify"),
    Action.DISPOSE: ("Disposisi", "Dispose to agency"),
    Action.CLAIM: ("Ambil", "Claim"),
    Action.REQUEST_INFO: ("Minta keterangan pelapor", "Ask the reporter"),
    Action.REPORTER_REPLY: ("Tanggapan pelapor", "Reporter replies"),
    Action.RESPOND: ("Tindak lanjut", "Respond"),
    Action.TRANSFER: ("Bukan wewenang", "Transfer (not our authority)"),
    Action.RESOLVE: ("Selesaikan", "Resolve"),
    Action.AUTO_CLOSE: ("Selesai otomatis", "Close automatically"),
    Action.REOPEN: ("Buka kembali", "Reopen"),
    Action.ARCHIVE: ("Arsipkan", "Archive"),
    Action.REJECT: ("Tolak", "Reject"),
}

_S, _A = Status, Action
TRANSITIONS = MappingProxyType(
    {
        _S.SUBMITTED: {
            _A.VERIFY: _S.VERIFIED,
            _A.DISPOSE: _S.DISPOSED,
            _A.ARCHIVE: _S.ARCHIVED,
            _A.REJECT: _S.REJECTED,
        },
        _S.VERIFIED: {
            _A.DISPOSE: _S.DISPOSED,
            _A.ARCHIVE: _S.ARCHIVED,
            _A.REJECT: _S.REJECTED,
        },
        _S.DISPOSED: {
            _A.CLAIM: _S.IN_PROGRESS,
            _A.RESPOND: _S.RESPONDED,
            _A.TRANSFER: _S.DISPOSED,
        },
        _S.IN_PROGRESS: {
            _A.REQUEST_INFO: _S.WAITING_REPORTER,
            _A.RESPOND: _S.RESPONDED,
            _A.TRANSFER: _S.DISPOSED,
        },
        _S.WAITING_REPORTER: {
            _A.REPORTER_REPLY: _S.IN_PROGRESS,
            _A.RESPOND: _S.RESPONDED,
            _A.TRANSFER: _S.DISPOSED,
        },
        _S.RESPONDED: {
            _A.RESPOND: _S.RESPONDED,
            _A.REPORTER_REPLY: _S.IN_PROGRESS,
            _A.RESOLVE: _S.RESOLVED,
            _A.AUTO_CLOSE: _S.AUTO_CLOSED,
        },
        _S.RESOLVED: {_A.REOPEN: _S.IN_PROGRESS},
        _S.AUTO_CLOSED: {_A.REOPEN: _S.IN_PROGRESS},
        _S.ARCHIVED: {},
        _S.REJECTED: {},
    }
)

_R = Role
_ADMINS = frozenset({_R.REGIONAL_ADMIN, _R.SYSADMIN, _R.LAPOR})
PERMISSIONS = MappingProxyType(
    {
        _A.VERIFY: _ADMINS,
        _A.DISPOSE: _ADMINS | {_R.SYSTEM},
        _A.CLAIM: frozenset({_R.OFFICER}),
        _A.REQUEST_INFO: frozenset({_R.OFFICER}),
        _A.REPORTER_REPLY: frozenset({_R.RESIDENT, _R.LAPOR}),
        _A.RESPOND: frozenset({_R.OFFICER, _R.REGIONAL_ADMIN, _R.LAPOR}),
        _A.TRANSFER: _ADMINS | {_R.OFFICER},
        _A.RESOLVE: _ADMINS | {_R.OFFICER, _R.RESIDENT},
        _A.AUTO_CLOSE: frozenset({_R.SYSTEM, _R.LAPOR}),
        _A.REOPEN: _ADMINS | {_R.OFFICER, _R.RESIDENT},
        _A.ARCHIVE: _ADMINS,
        _A.REJECT: _ADMINS,
    }
)


def apply(status: Status, action: Action) -> Status:
    """Return the state ``action`` leads to from ``status``; raise :class:`IllegalTransition`.

    Plain strings (as stored in the database) are accepted and converted.
    """
    status, action = Status(status), Action(action)
    try:
        return TRANSITIONS[status][action]
    except KeyError:
        raise IllegalTransition(status, action) from None


def allowed_actions(status: Status, role: Role | None = None) -> frozenset[Action]:
    """Actions possible from ``status``; only those ``role`` may perform when given."""
    actions = TRANSITIONS[status].keys()
    return frozenset(a for a in actions if role is None or role in PERMISSIONS[a])


def can_perform(role: Role, action: Action) -> bool:
    """True when ``role`` may perform ``action`` (in a state that allows it)."""
    return role in PERMISSIONS[action]
