"""The province's figures for a member's complaints equal the member's own."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from sqlalchemy import select

from lapor_bridge.db.models import Complaint
from lapor_bridge.db.models_stats import ComplaintMetrics
from lapor_bridge.services.dashboards.refresh import refresh_metrics
from lapor_bridge.services.federation.push import push_changes
from lapor_bridge.services.workflow import claim, resolve, respond
from tests.federation.test_federation_http import _officer
from tests.sync.conftest import submit

FIGURES = ("status", "is_open", "resolved", "rerouted", "triaged", "received_on", "closed_on",
           "first_response_days", "resolution_days", "dispose_met", "response_met",
           "completion_met")


def _later(ctx, days: float):
    base = ctx.clock
    return dataclasses.replace(ctx, clock=lambda: base() + timedelta(days=days))


def _metrics(ctx) -> dict[str, tuple]:
    refresh_metrics(ctx, full=True)
    with ctx.read() as session:
        return {number: tuple(getattr(row, name) for name in FIGURES)
                for number, row in session.execute(
                    select(Complaint.tracking_number, ComplaintMetrics)
                    .join(ComplaintMetrics, ComplaintMetrics.complaint_id == Complaint.id))}


def test_member_targets_travel_so_breaches_agree(member, province):
    """The member gives PUPR one working day for a first response (the default is five): a
    reply after four days is a breach at the member, and must be one at the province."""
    strict = dataclasses.replace(member.settings, sla=dataclasses.replace(
        member.settings.sla, agency_targets=("PUPR.first_response_days=1",)))
    member = dataclasses.replace(member, settings=strict)
    officer = _officer(member)
    late, quick = submit(member, 1, category="jalan"), submit(member, 2, category="jalan")
    claim(member, officer, quick)
    respond(member, officer, quick, "Sudah ditangani tim lapangan hari ini, terima kasih.")
    resolve(member, officer, quick, "Perbaikan selesai dikerjakan.")
    later = _later(member, 6)
    claim(later, officer, late)
    respond(later, officer, late, "Maaf terlambat, tim sudah menambal lubangnya.")
    assert push_changes(later).sent == 2
    at_member = {number: row for number, row in _metrics(later).items()
                 if number in (late, quick)}
    at_province = _metrics(dataclasses.replace(province, clock=later.clock))
    assert at_province == at_member
    response_met = FIGURES.index("response_met")
    assert at_province[late][response_met] is False
    assert at_province[quick][response_met] is True
