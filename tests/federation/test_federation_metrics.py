"""The federation's Prometheus gauges: a member's outbox towards the province, and at the
province each active member's time since its last push and its lag."""

from __future__ import annotations

from sqlalchemy import select

from lapor_bridge.db.models_federation import FederationUplink
from lapor_bridge.observability.metrics import render
from lapor_bridge.services.federation.members import remove_member
from lapor_bridge.services.federation.push import push_changes
from tests.federation.test_federation_http import _later
from tests.ops.test_web_ops import sample
from tests.sync.conftest import submit


def test_a_members_outbox_is_gauged_until_the_province_has_it(member, province_http):
    submit(member, 1)
    submit(member, 2)
    waiting = render(member).decode()
    assert sample(waiting, "lapor_federation_outbox_records", state="pending") == 0  # not scanned
    with member.transaction() as session:  # the province is down: the push fails
        session.scalar(select(FederationUplink)).province_url = "http://127.0.0.1:9"
    push_changes(member)
    later = _later(member, 120)
    queued = render(later).decode()
    assert sample(queued, "lapor_federation_outbox_records", state="pending") == 2
    assert sample(queued, "lapor_federation_outbox_oldest_age_seconds", state="pending") >= 120
    with member.transaction() as session:
        session.scalar(select(FederationUplink)).province_url = province_http
    assert push_changes(_later(member, 3600)).sent == 2
    done = render(member).decode()
    assert sample(done, "lapor_federation_outbox_records", state="pending") == 0
    assert sample(done, "lapor_federation_outbox_oldest_age_seconds", state="pending") == 0


def test_the_province_gauges_each_active_members_push(member, province):
    before = render(province).decode()
    assert "lapor_federation_member_last_push_age_seconds{" not in before
    submit(member, 3)
    push_changes(member)
    pushed = render(_later(province, 90)).decode()
    age = sample(pushed, "lapor_federation_member_last_push_age_seconds", member="Kota Tegal")
    assert 90 <= age < 120
    assert 'lapor_federation_member_lag_seconds{member="Kota Tegal"}' in pushed
    remove_member(province, "Kota Tegal")
    assert "Kota Tegal" not in render(province).decode()
