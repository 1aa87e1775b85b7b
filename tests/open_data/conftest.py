"""Helpers for the open-data tests: the dashboard tests' desk (complaints filed and worked
at chosen moments), and apps with their own ``[open_data]`` settings."""

from __future__ import annotations

from dataclasses import replace

import pytest

from lapor_bridge.config import OpenDataSettings
from tests.dashboard.conftest import (  # noqa: F401  (fixtures used by these tests)
    december,
    desk,
    other_province,
)


@pytest.fixture
def open_app(ctx):
    """``open_app(min_count=…, …)``: a web app over the test's context with those
    ``[open_data]`` settings (the rest default)."""
    from lapor_bridge.web import create_app, limiter

    def build(**open_data):
        ctx.settings = replace(ctx.settings, open_data=OpenDataSettings(**open_data))
        application = create_app(context=ctx)
        application.config["TESTING"] = True
        limiter.reset()
        return application

    return build
