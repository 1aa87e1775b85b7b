"""The SLA job: escalate overdue complaints and auto-close unanswered ones (idempotent)."""

from __future__ import annotations

from datetime import datetime

from lapor_bridge.services.context import ServiceContext
from lapor_bridge.services.deadlines import SlaCycleSummary, check_deadlines


def run_sla_cycle(ctx: ServiceContext, now: datetime | None = None) -> SlaCycleSummary:
    """One pass of the SLA watch at ``now``; running it twice in a row changes nothing."""
    return check_deadlines(ctx, now)
