"""The transition table and the permission table, checked cell by cell."""

from __future__ import annotations

import itertools

import pytest

from lapor_bridge.domain.errors import DomainError
from lapor_bridge.domain.status import Status
from lapor_bridge.domain.transitions import (
    Action,
    IllegalTransition,
    Role,
    allowed_actions,
    apply,
    can_perform,
)

# state, action -> new state. Every pair missing here must be illegal.
EXPECTED_GRID = """
submitted         verify          verified
submitted         dispose         disposed
submitted         archive         archived
submitted         reject          rejected
verified          dispose         disposed
verified          archive         archived
verified          reject          rejected
disposed          claim           in_progress
disposed          respond         responded
disposed          transfer        disposed
in_progress       request_info    waiting_reporter
in_progress       respond         responded
in_progress       transfer        disposed
waiting_reporter  reporter_reply  in_progress
waiting_reporter  respond         responded
waiting_reporter  transfer        disposed
responded         respond         responded
responded         reporter_reply  in_progress
responded         resolve         resolved
responded         auto_close      auto_closed
resolved          reopen          in_progress
auto_closed       reopen          in_progress
"""
EXPECTED = {
    (Status(state), Action(action)): Status(new)
    for state, action, new in (line.split() for line in EXPECTED_GRID.strip().splitlines())
}

PERMISSION_GRID = """
action          officer regional_admin coordinator sysadmin resident system lapor
verify          -       x              -           x        -        -      x
dispose         -       x              -           x        -        x      x
claim           x       -              -           -        -        -      -
request_info    x       -              -           -        -        -      -
reporter_reply  -       -              -           -        x        -      x
respond         x       x              -           -        -        -      x
transfer        x       x              -           x        -        -      x
resolve         x       x              -           x        x        -      x
auto_close      -       -              -           -        -        x      x
reopen          x       x              -           x        x        -      x
archive         -       x              -           x        -        -      x
reject          -       x              -           x        -        -      x
"""
_header, *_rows = (line.split() for line in PERMISSION_GRID.strip().splitlines())
PERMITTED = {
    (Role(role), Action(row[0])): mark == "x"
    for row in _rows
    for role, mark in zip(_header[1:], row[1:], strict=True)
}


def test_grids_cover_every_action_and_role():
    assert {action for _, action in PERMITTED} == set(Action)
    assert {role for role, _ in PERMITTED} == set(Role)


@pytest.mark.parametrize(("status", "action"), list(itertools.product(Status, Action)))
def test_every_state_and_action(status, action):
    if (status, action) in EXPECTED:
        assert apply(status, action) is EXPECTED[status, action]
    else:
        with pytest.raises(IllegalTransition) as caught:
            apply(status, action)
        assert caught.value.status is status
        assert caught.value.action is action


@pytest.mark.parametrize("status", list(Status))
def test_allowed_actions_match_the_table(status):
    assert allowed_actions(status) == {a for s, a in EXPECTED if s is status}


@pytest.mark.parametrize(("role", "action"), list(itertools.product(Role, Action)))
def test_every_role_and_action(role, action):
    assert can_perform(role, action) is PERMITTED[role, action]


def test_allowed_actions_for_a_role_are_the_permitted_ones():
    assert allowed_actions(Status.DISPOSED, Role.OFFICER) == {
        Action.CLAIM,
        Action.RESPOND,
        Action.TRANSFER,
    }
    assert allowed_actions(Status.RESPONDED, Role.RESIDENT) == {
        Action.REPORTER_REPLY,
        Action.RESOLVE,
    }
    assert allowed_actions(Status.RESPONDED, Role.SYSTEM) == {Action.AUTO_CLOSE}


def test_coordinator_is_read_only():
    assert all(not allowed_actions(status, Role.COORDINATOR) for status in Status)


def test_closed_states_are_final_except_reopen():
    for status in Status:
        if status.is_closed:
            assert allowed_actions(status) <= {Action.REOPEN}


def test_every_open_state_can_reach_a_closed_one():
    reachable = {s for s in Status if s.is_closed}
    changed = True
    while changed:
        before = len(reachable)
        reachable |= {s for (s, _), new in EXPECTED.items() if new in reachable}
        changed = len(reachable) != before
    assert reachable == set(Status)


def test_illegal_transition_message_is_bilingual_and_a_domain_error():
    with pytest.raises(DomainError, match="Ambil.*Selesai.*Claim.*Resolved"):
        apply(Status.RESOLVED, Action.CLAIM)


def test_plain_strings_from_the_database_are_accepted():
    assert apply("in_progress", "request_info") is Status.WAITING_REPORTER
    with pytest.raises(ValueError):
        apply("lost", "claim")


def test_open_and_clock_running_value_lists_partition_the_statuses():
    from lapor_bridge.domain.status import CLOCK_RUNNING_VALUES, CLOSED, OPEN_VALUES, Status

    assert set(OPEN_VALUES) | {s.value for s in CLOSED} == {s.value for s in Status}
    assert not set(OPEN_VALUES) & {s.value for s in CLOSED}
    assert set(OPEN_VALUES) - set(CLOCK_RUNNING_VALUES) == {Status.WAITING_REPORTER.value}
