"""API keys: stored hashed, scoped, revocable; the CLI; the authorisation matrix; the admin page.

The matrix of the staff endpoints is in test_staff_api.py.
"""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from lapor_bridge.db.models_api import ApiKey
from lapor_bridge.services.api_keys import Scope, authenticate, create_key, revoke_key
from lapor_bridge.services.errors import ValidationFailed

DESCRIPTION = "Air PDAM di rumah kami keruh dan berbau sejak tiga hari, tidak bisa dipakai."
COMPLAINT = {"title": "Air PDAM keruh", "description": DESCRIPTION,
             "kecamatan": "Margadana", "kelurahan": "Krandon"}


def test_only_the_hash_is_stored_and_the_key_authenticates_until_revoked(ctx):
    key, info = create_key(ctx, "Kios Krandon", Scope.parse("33.76/PDAM:queue.read"))
    with ctx.read() as session:
        row = session.scalar(select(ApiKey).where(ApiKey.prefix == info.prefix))
    assert key not in (row.key_hash, row.prefix) and len(row.key_hash) == 64
    client = authenticate(ctx, key)
    assert client.scope == Scope("33.76", "PDAM", frozenset({"queue.read"}))
    assert client.may("queue.read") and not client.may("complaints.create")
    assert authenticate(ctx, key[:-1] + ("A" if key[-1] != "A" else "B")) is None
    revoke_key(ctx, info.prefix)
    assert authenticate(ctx, key) is None


@pytest.mark.parametrize(
    "scope",
    ["", "33.76", "33.76:", "33.76:delete.everything", "Kota Tegal:queue.read",
     "99.99:queue.read", "33.76/NOPE:queue.read"],
)
def test_bad_scopes_are_refused(ctx, scope):
    with pytest.raises(ValidationFailed):
        create_key(ctx, "x", Scope.parse(scope))


def test_cli_creates_prints_once_lists_and_revokes(settings, ctx):
    from lapor_bridge.cli import main

    runner = CliRunner()
    env = {"LAPOR_BRIDGE_DATABASE__URL": settings.database.url}
    created = runner.invoke(main, ["api-key", "create", "--name", "Gateway WA",
                                   "--scope", "33.76:complaints.create"], env=env)
    assert created.exit_code == 0, created.output
    key = created.stdout.splitlines()[1]
    assert authenticate(ctx, key) is not None
    listed = runner.invoke(main, ["api-key", "list"], env=env).output
    prefix = key.split("_")[1]
    assert prefix in listed and "Gateway WA" in listed and key not in listed
    assert runner.invoke(main, ["api-key", "revoke", prefix], env=env).exit_code == 0
    assert "revoked" in runner.invoke(main, ["api-key", "list"], env=env).output
    assert authenticate(ctx, key) is None
    bad = runner.invoke(main, ["api-key", "create", "--name", "x", "--scope", "33.76:nope"],
                        env=env)
    assert bad.exit_code == 2 and "Aksi tidak dikenal" in bad.output


KEYS = {
    "none": None,
    "unknown": "lbk_abcdefgh_" + "x" * 43,
    "malformed": "hunter2",
    "revoked": ("33.76:complaints.create", True),
    "no_create_action": ("33.76:queue.read", False),
    "other_region": ("33:complaints.create", False),
    "agency_scoped": ("33.76/PDAM:complaints.create", False),
    "valid": ("33.76:complaints.create", False),
}
# Expected status per key kind: (API v1 POST, Open311 POST, API v1 GET list).
MATRIX = {
    "none": (201, 403, 200),
    "unknown": (401, 403, 401),
    "malformed": (401, 403, 401),
    "revoked": (401, 403, 401),
    "no_create_action": (403, 403, 200),
    "other_region": (422, 403, 200),
    "agency_scoped": (201, 200, 200),
    "valid": (201, 200, 200),
}


@pytest.mark.parametrize("kind", list(MATRIX))
def test_authorisation_matrix(client, make_key, kind):
    spec = KEYS[kind]
    key = make_key(spec[0], revoked=spec[1]) if isinstance(spec, tuple) else spec
    headers = {"X-API-Key": key} if key else {}
    v1 = client.post("/api/v1/complaints", json=COMPLAINT, headers=headers)
    open311 = client.post("/open311/v2/requests.json", data={
        "api_key": key or "", "service_code": "air_pdam", "description": DESCRIPTION,
        "attribute[kelurahan]": "Margadana/Krandon"})
    listing = client.get("/api/v1/complaints", headers=headers)
    assert (v1.status_code, open311.status_code, listing.status_code) == MATRIX[kind]


def test_admin_page_lists_creates_once_and_revokes_keys(client, login, csrf, make_key):
    key = make_key("33.76/DLH:queue.read")
    assert client.get("/api/v1/queue", headers={"X-API-Key": key}).status_code == 200
    login("petugas.dlh")
    assert client.get("/admin/kunci-api").status_code == 403
    login("sysadmin")
    page = client.get("/admin/kunci-api").get_data(as_text=True)
    prefix = key.split("_")[1]
    assert prefix in page and key not in page
    created = client.post("/admin/kunci-api", data={
        "name": "Gateway DLH", "scope": "33.76/DLH:queue.read",
        "csrf_token": csrf("/admin/kunci-api")})
    assert created.status_code == 200 and created.headers["Cache-Control"] == "no-store"
    new_key = re.search(r'<code id="new-key">([^<]+)</code>', created.get_data(as_text=True))[1]
    assert new_key not in client.get("/admin/kunci-api").get_data(as_text=True)
    bad = client.post("/admin/kunci-api", data={"name": "x", "scope": "33.76:nope",
                                                  "csrf_token": csrf("/admin/kunci-api")})
    assert bad.status_code == 422 and "Aksi tidak dikenal" in bad.get_data(as_text=True)
    assert client.post(f"/admin/kunci-api/{prefix}/cabut").status_code == 400  # no CSRF token
    revoked = client.post(f"/admin/kunci-api/{prefix}/cabut",
                          data={"csrf_token": csrf("/admin/kunci-api")})
    assert revoked.status_code == 302
    assert client.get("/api/v1/queue", headers={"X-API-Key": key}).status_code == 401
    assert client.get("/api/v1/queue", headers={"X-API-Key": new_key}).status_code == 200
    assert client.post("/admin/kunci-api/zzzzzzzz/cabut",
                       data={"csrf_token": csrf("/admin/kunci-api")}).status_code == 404
