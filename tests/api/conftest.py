"""Fixtures of the API tests: API keys of each kind, the demo place names."""

from __future__ import annotations

import pytest

from lapor_bridge.services.api_keys import Scope, create_key, revoke_key
from tests.fakes import FixedModel

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


@pytest.fixture
def file_to(ctx):
    """File a complaint routed to agency ``code``; return its tracking number."""
    from lapor_bridge.services.intake.submit import ComplaintInput, ContactInput, submit_complaint

    def _file(code: str = "DLH", **fields) -> str:
        ctx.classifier = FixedModel.routing_to(code)
        data = {"title": "Sampah menumpuk", "kecamatan": "Tegal Barat", "kelurahan": "Kraton",
                "description": "Sampah menumpuk di tepi jalan sejak minggu lalu dan berbau.",
                "contact": ContactInput(name="Siti Aminah", email="siti@example.id"), **fields}
        return submit_complaint(ctx, ComplaintInput(**data)).tracking_number

    return _file
