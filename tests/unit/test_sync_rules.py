"""Precedence: what LAPOR!'s state may do to a local complaint, and when local wins."""

from datetime import UTC, datetime, timedelta

from lapor_bridge.domain.status import Status
from lapor_bridge.domain.transitions import Action
from lapor_bridge.services.sync.rules import (
    LocalView,
    Plan,
    RemoteView,
    agrees,
    plan_remote_change,
)

T0 = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)
PUPR, DLH, TRIAGE = 1, 2, 9


def local(status, agency=PUPR, at=T0, triage=False, transfer_pending=False):
    return LocalView(Status(status), agency, triage, at, transfer_pending)


def remote(status, name, agency=PUPR, at=T0, triage=False, disposed_at=None):
    return RemoteView(Status(status), name, at, agency, triage, disposed_at or at)


def test_verification_applies_to_a_waiting_complaint():
    plan = plan_remote_change(local("submitted", TRIAGE, triage=True),
                              remote("verified", "Terverifikasi", TRIAGE, T0 + timedelta(1)))
    assert plan == Plan(Action.VERIFY)


def test_an_older_disposition_never_overwrites_a_newer_local_transfer():
    newer_local = local("disposed", DLH, at=T0 + timedelta(hours=2))
    older_remote = remote("disposed", "Dalam Proses", PUPR, at=T0)
    assert plan_remote_change(newer_local, older_remote) is None


def test_a_newer_national_disposition_moves_the_complaint():
    plan = plan_remote_change(local("in_progress", PUPR),
                              remote("disposed", "Dalam Proses", DLH, T0 + timedelta(hours=1)))
    assert plan == Plan(Action.TRANSFER, DLH)


def test_a_pending_local_transfer_wins_over_any_remote_disposition():
    mine = local("disposed", DLH, transfer_pending=True)
    assert plan_remote_change(mine, remote("disposed", "Dalam Proses", PUPR,
                                           T0 + timedelta(days=1))) is None


def test_open_lapor_states_never_rewind_or_reopen():
    assert plan_remote_change(local("responded"), remote("verified", "Terverifikasi",
                                                         at=T0 + timedelta(1))) is None
    assert plan_remote_change(local("resolved"), remote("responded", "Dalam Proses",
                                                        at=T0 + timedelta(1))) is None


def test_same_second_as_local_change_still_counts_as_not_older():
    mine = local("submitted", TRIAGE, at=T0 + timedelta(milliseconds=700), triage=True)
    theirs = remote("verified", "Terverifikasi", TRIAGE, at=T0, triage=True)
    assert plan_remote_change(mine, theirs) == Plan(Action.VERIFY)


def test_closure_at_lapor_is_final_whatever_the_times():
    newer_local = local("in_progress", at=T0 + timedelta(days=3))
    assert plan_remote_change(newer_local, remote("archived", "Diarsipkan", at=T0)) == \
        Plan(Action.ARCHIVE)
    assert plan_remote_change(local("resolved"), remote("resolved", "Selesai")) is None


def test_pemkot_disposition_covers_any_opd_and_agreement_rules():
    at_pemkot = remote("disposed", "Dalam Proses", TRIAGE, T0 + timedelta(1), triage=True)
    assert plan_remote_change(local("in_progress", PUPR), at_pemkot) is None
    assert agrees(local("in_progress", PUPR), at_pemkot)
    assert agrees(local("submitted", TRIAGE, triage=True), at_pemkot)
    assert not agrees(local("submitted", PUPR), at_pemkot)
    assert agrees(local("disposed"), remote("submitted", "Belum Terverifikasi"))
    assert not agrees(local("archived"), remote("submitted", "Belum Terverifikasi"))
    assert not agrees(local("responded"), remote("resolved", "Selesai"))
