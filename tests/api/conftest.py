"""Fixtures of the API tests: API keys of each kind, the demo place names."""

from __future__ import annotations

import pytest

from lapor_bridge.services.api_keys import Scope, create_key, revoke_key

REGION = "33.76"


@pytest.fixture
def make_key(ctx):
    """Create a key: ``make_key("33.76:complaints.create", revoked=False, rate_limit=…)``."""

    def _make(scope: str = f"{REGION}:complaints.create", *, revoked: bool = False,
              rate_limit: str = "1000 per minute") -> str:
        key, info = create_key(ctx, "test client", Scope.parse(scope), rate_limit)
        if revoked:
            revoke_key(ctx, info.prefix)
        return key

    return _make
