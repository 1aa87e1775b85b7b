"""Federation job functions (member side; they do nothing until ``federation join``)."""

from __future__ import annotations

from lapor_bridge.services.context import ServiceContext
from lapor_bridge.services.federation.drift import check_drift
from lapor_bridge.services.federation.push import push_changes

PUSH, DRIFT = "federation-push", "federation-drift"


def run_push(ctx: ServiceContext):
    """Queue changed complaints and send them to the province."""
    return push_changes(ctx)


def run_drift(ctx: ServiceContext):
    """Compare with the province and requeue what differs."""
    return check_drift(ctx)
