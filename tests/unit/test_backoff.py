"""Retry delays are bounded, jittered, and grow in expectation."""

import random

import pytest

from lapor_bridge.domain.backoff import backoff_seconds


def test_delay_is_between_half_step_and_step():
    assert backoff_seconds(1, 30, 3600, draw=lambda: 0.0) == 15
    assert backoff_seconds(1, 30, 3600, draw=lambda: 1.0) == 30
    assert backoff_seconds(3, 30, 3600, draw=lambda: 0.0) == 60


def test_delay_never_exceeds_the_cap_even_for_huge_attempts():
    for attempt in (10, 100, 10_000):
        assert backoff_seconds(attempt, 30, 3600, draw=lambda: 1.0) == 3600


def test_jitter_spreads_retries():
    rng = random.Random(4)
    delays = {round(backoff_seconds(4, 30, 3600, draw=rng.random), 3) for _ in range(50)}
    assert len(delays) > 40 and min(delays) >= 120 and max(delays) <= 240


def test_expectation_grows_until_the_cap():
    rng = random.Random(5)

    def mean(attempt):
        return sum(backoff_seconds(attempt, 30, 3600, draw=rng.random) for _ in range(400)) / 400

    means = [mean(attempt) for attempt in range(1, 10)]
    assert all(a < b for a, b in zip(means[:7], means[1:8], strict=True))
    assert 3600 * 0.7 < means[-1] <= 3600


def test_attempts_count_from_one():
    with pytest.raises(ValueError):
        backoff_seconds(0, 30, 3600)
