"""Retry delays: exponential growth, a cap, and jitter so failed senders do not retry in step."""

from __future__ import annotations

import random
from collections.abc import Callable


def backoff_seconds(
    attempt: int,
    base: float,
    cap: float,
    draw: Callable[[], float] = random.random,
) -> float:
    """Delay before the retry that follows failed attempt number ``attempt`` (1-based).

    "Equal jitter": half of ``min(cap, base * 2**(attempt-1))`` is fixed, the other half
    random, so the delay is bounded by ``cap``, never below half the step, and its
    expectation grows with ``attempt`` until the cap.
    """
    if attempt < 1:
        raise ValueError("attempt counts from 1")
    step = min(cap, base * 2.0 ** min(attempt - 1, 62))
    return step / 2 + draw() * step / 2
