"""The dashboard statistics job: bring ``complaint_metrics`` up to date."""

from __future__ import annotations

from lapor_bridge.services.context import ServiceContext
from lapor_bridge.services.dashboards.refresh import RefreshSummary, refresh_metrics

STATS = "dashboard-stats"
STATS_INTERVAL_MINUTES = 5


def refresh_daily_stats(ctx: ServiceContext, *, full: bool = False) -> RefreshSummary:
    """Recompute the dashboard rows of complaints new or changed since the last run.

    Idempotent and incremental; ``full`` rebuilds every row.
    """
    return refresh_metrics(ctx, full=full)
