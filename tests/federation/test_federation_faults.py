"""Faults between a member and its province: lost answers, errors, 429, dead letters, keys."""

from __future__ import annotations

import dataclasses
import json
from datetime import timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from lapor_bridge.db.models import Complaint
from lapor_bridge.db.models_federation import FederationOutbox, FederationUplink
from lapor_bridge.services.federation.client import FederationAuthError
from lapor_bridge.services.federation.push import push_changes
from tests.conftest import serving
from tests.federation.conftest import as_member
from tests.sync.conftest import submit


def _later(ctx, seconds: float):
    base = ctx.clock
    return dataclasses.replace(ctx, clock=lambda: base() + timedelta(seconds=seconds))


class Faulty:
    """The province's app behind faults: the first ``count`` record posts get ``status``
    (``after=True``: the province stores the batch first, then the answer is lost)."""

    def __init__(self, app, status: int, count: int, *, after: bool = False,
                 retry_after: str | None = None) -> None:
        self.app, self.status, self.left, self.after = app, status, count, after
        self.retry_after = retry_after

    def __call__(self, environ, start_response):
        if environ["PATH_INFO"].endswith("/records") and self.left > 0:
            self.left -= 1
            if self.after:
                body = b"".join(self.app(environ, lambda *args, **kwargs: None))
                assert body  # the province did the work
            headers = [("Content-Type", "application/json")]
            if self.retry_after:
                headers.append(("Retry-After", self.retry_after))
            start_response(f"{self.status} Fault", headers)
            return [json.dumps({"error": "injected"}).encode()]
        return self.app(environ, start_response)


def _point_at(member, url: str) -> None:
    with member.transaction() as session:
        session.scalar(select(FederationUplink)).province_url = url


def _held(province) -> int:
    with province.read() as session:
        return session.scalar(select(func.count()).select_from(Complaint))


def test_a_lost_answer_is_resent_and_stored_once(member, province, province_app):
    submit(member, 1)
    with serving(Faulty(province_app, 502, 1, after=True)) as url:
        _point_at(member, url)
        first = push_changes(member)
        assert first.retried == 1 and _held(province) == 1  # stored, but the member can't know
        second = push_changes(_later(member, 5))
    assert second.results == {"duplicate": 1} and _held(province) == 1
    with member.read() as session:
        assert session.scalar(select(FederationOutbox.state)) == "sent"


def test_429_waits_at_least_retry_after(member, province_app):
    submit(member, 2)
    with serving(Faulty(province_app, 429, 1, retry_after="120")) as url:
        _point_at(member, url)
        result = push_changes(member)
        assert result.retried == 1
        with member.read() as session:
            due = session.scalar(select(FederationOutbox.next_attempt_at))
        assert due >= member.clock() + timedelta(seconds=119)
        assert push_changes(_later(member, 60)).sent == 0  # not yet
        assert push_changes(_later(member, 121)).sent == 1


def test_repeated_failures_dead_letter_then_retry_dead_sends(member, province, province_app):
    number = submit(member, 3)
    attempts = member.settings.federation.max_attempts
    with serving(Faulty(province_app, 500, attempts)) as url:
        _point_at(member, url)
        for step in range(attempts):
            push_changes(_later(member, 10 * step))
        with member.read() as session:
            row = session.scalar(select(FederationOutbox))
        assert (row.state, row.attempts) == ("dead", attempts)
        assert push_changes(_later(member, 1000)).sent == 0  # dead stays dead
        from lapor_bridge.services.federation.outbox import retry_dead

        assert retry_dead(member) == 1
        assert push_changes(_later(member, 1000)).sent == 1
    with province.read() as session:
        assert session.scalar(select(Complaint.tracking_number)) == number


def test_a_new_change_revives_a_dead_row(member, province):
    from lapor_bridge.services.federation.outbox import enqueue_changes
    from lapor_bridge.services.workflow import claim
    from tests.federation.test_federation_http import _officer

    number = submit(member, 4, category="jalan")
    assert enqueue_changes(member) == 1
    with member.transaction() as session:
        row = session.scalar(select(FederationOutbox))
        row.state, row.attempts, row.last_error = "dead", 8, "HTTP 500: injected"
    assert push_changes(member).sent == 0  # dead stays dead while nothing changes
    claim(member, _officer(member), number)
    assert push_changes(member).results == {"stored": 1}
    with province.read() as session:
        assert session.scalar(select(Complaint.status)) == "in_progress"


def test_a_member_without_key_or_with_a_wrong_key_stops_untouched(ctx, member, province_http):
    submit(member, 5)
    for key in ("", "lbf_00000000_" + "A" * 43):
        with pytest.raises(FederationAuthError):
            push_changes(as_member(ctx, key))
    with member.read() as session:
        assert session.scalar(select(FederationOutbox.state)) == "pending"
        assert session.scalar(select(FederationOutbox.attempts)) == 0


def test_the_cli_registers_joins_pushes_and_removes(ctx, province, province_http, tmp_path):
    from lapor_bridge.cli import main

    def run(context, *args):
        env = {"LAPOR_BRIDGE_DATABASE__URL": context.settings.database.url,
               "LAPOR_BRIDGE_APP__REGION_CODE": context.settings.app.region_code,
               "LAPOR_BRIDGE_APP__INSTANCE_DIR": str(tmp_path)}
        env.update(extra)
        result = CliRunner().invoke(main, ["federation", *args], env=env)
        assert result.exit_code == 0, result.output
        return result.output

    extra: dict[str, str] = {}
    added = run(province, "add-member", "Kota Tegal", "--region", "33.76=Kota Tegal",
                "--url", "https://lapor.tegalkota.go.id")
    key = added.splitlines()[1]
    assert key.startswith("lbf_")
    extra["LAPOR_BRIDGE_FEDERATION__KEY"] = key
    assert "Kota Tegal" in run(ctx, "join", province_http)
    submit(ctx, 6)
    assert '"sent": 1' in run(ctx, "push")
    assert "0 pending, 1 sent, 0 dead" in run(ctx, "status")
    assert '"missing": 0' in run(ctx, "drift")
    listed = run(province, "members")
    assert "Kota Tegal\taktif\t33.76\t1 laporan" in listed
    assert "dicabut" in run(province, "remove-member", "Kota Tegal")
    submit(ctx, 7)
    refused = CliRunner().invoke(main, ["federation", "push"], env={
        "LAPOR_BRIDGE_DATABASE__URL": ctx.settings.database.url,
        "LAPOR_BRIDGE_FEDERATION__KEY": key, "LAPOR_BRIDGE_APP__INSTANCE_DIR": str(tmp_path)})
    assert refused.exit_code == 1 and "403" in refused.output
    assert "1 laporan" in run(province, "members")  # records kept


def test_joining_again_resends_everything_and_the_province_keeps_one(member, province,
                                                                      province_http):
    from lapor_bridge.services.federation.uplink import join

    submit(member, 8)
    submit(member, 9)
    assert push_changes(member).results == {"stored": 2}
    join(member, province_http)
    assert push_changes(member).results == {"duplicate": 2}
    assert _held(province) == 2
