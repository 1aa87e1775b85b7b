"""The weekly retrain job: history + officers' re-routes → a candidate, promoted if no worse."""

from __future__ import annotations

from lapor_bridge.services.context import ServiceContext
from lapor_bridge.services.retraining import retrain_from_history

RETRAIN = "classifier-retrain"


def run_retrain(ctx: ServiceContext) -> dict:
    """Retrain when ``[classifier] retrain_data`` is set; the result goes into ``job_runs``."""
    data = ctx.settings.classifier.retrain_data
    if not data:
        return {"skipped": "classifier.retrain_data is not set"}
    result = retrain_from_history(ctx, ctx.settings.path(data))
    return {"promoted": result.promoted, "current_score": result.current_score,
            "candidate_score": result.candidate_score, "holdout_size": result.holdout_size,
            "candidate_dir": str(result.model_dir)}
