"""Staff API v1: the key × operation matrix, session login with CSRF, ETag/If-Match, paging."""

from __future__ import annotations

import jsonschema_rs
import pytest
from sqlalchemy import select

from lapor_bridge.db.models import Complaint, ComplaintEvent
from lapor_bridge.services import workflow
from lapor_bridge.services.api_keys import Scope, authenticate, create_key

ALL = "queue.read,complaints.respond,complaints.transfer,complaints.resolve"
OPERATIONS = ("queue", "case", "claim", "respond", "request-info", "transfer", "resolve",
              "reopen", "notes", "category")
BODIES = {
    "claim": None,
    "respond": {"text": "Sampah sudah kami angkut hari ini."},
    "request-info": {"question": "Di depan rumah nomor berapa tepatnya?"},
    "transfer": {"agency": "PUPR", "reason": "Saluran air, bukan sampah."},
    "resolve": {"note": "Selesai diangkut."},
    "reopen": {"reason": "Pelapor: masih menumpuk."},
    "notes": {"text": "Truk baru bisa besok."},
    "category": {"category": "sampah"},
}
# The workflow steps (as a DLH machine officer) that make each operation legal.
SETUP = {
    "request-info": (("claim", ()),),
    "resolve": (("respond", ("Sudah diangkut.  ",)),),
    "reopen": (("respond", ("Sudah diangkut sore tadi.",)), ("resolve", ())),
}
KEYS = {
    "none": None,
    "unknown": "lbk_abcdefgh_" + "x" * 43,
    "revoked": (f"33.76/DLH:{ALL}", True),
    "read_only": ("33.76/DLH:queue.read", False),
    "in_scope": (f"33.76/DLH:{ALL}", False),
    "other_agency": (f"33.76/DINKES:{ALL}", False),
    "region": (f"33.76:{ALL}", False),
    "province": (f"33:{ALL}", False),
}
# Status per key kind, in the order of OPERATIONS. A regional (admin) key may not claim
# or ask the reporter (officers' actions); a province has no queue of its own.
MATRIX = {
    "none": (401,) * 10,
    "unknown": (401,) * 10,
    "revoked": (401,) * 10,
    "read_only": (200, 200) + (403,) * 8,
    "in_scope": (200,) * 10,
    "other_agency": (200,) + (404,) * 9,
    "region": (200, 200, 403, 200, 403, 200, 200, 200, 200, 200),
    "province": (403,) + (404,) * 9,
}


def etag_of(ctx, number: str) -> str:
    with ctx.read() as session:
        version = session.scalar(select(Complaint.version)
                                 .where(Complaint.tracking_number == number))
    return f'"v{version}"'


@pytest.fixture
def machine(ctx):
    """A DLH key's principal, to bring complaints into the state an operation needs."""
    key, _ = create_key(ctx, "Persiapan", Scope.parse(f"33.76/DLH:{ALL}"))
    return authenticate(ctx, key).principal()


@pytest.fixture
def prepared(ctx, file_to, machine):
    """A DLH complaint in the state where ``operation`` is legal."""

    def _prepare(operation: str) -> str:
        number = file_to("DLH")
        for step, args in SETUP.get(operation, ()):
            getattr(workflow, step)(ctx, machine, number, *args)
        return number

    return _prepare


def call(client, ctx, operation: str, number: str, headers: dict):
    if operation == "queue":
        return client.get("/api/v1/queue", headers=headers)
    if operation == "case":
        return client.get(f"/api/v1/complaints/{number}/case", headers=headers)
    return client.post(f"/api/v1/complaints/{number}/{operation}", json=BODIES[operation],
                       headers={**headers, "If-Match": etag_of(ctx, number)})


@pytest.mark.parametrize("kind", list(MATRIX))
def test_authorisation_matrix(client, ctx, make_key, prepared, kind):
    spec = KEYS[kind]
    key = make_key(spec[0], revoked=spec[1]) if isinstance(spec, tuple) else spec
    headers = {"X-API-Key": key} if key else {}
    statuses = []
    for operation in OPERATIONS:
        number = prepared(operation)
        response = call(client, ctx, operation, number, headers)
        statuses.append(response.status_code)
        if response.status_code >= 400:
            assert response.json["error"]["status"] == response.status_code
        if operation == "queue" and response.status_code == 200:
            listed = {item["tracking_number"] for item in response.json["items"]}
            assert (number in listed) is (kind in ("in_scope", "read_only"))
    assert tuple(statuses) == MATRIX[kind]


def test_actions_are_recorded_under_the_keys_name(client, ctx, make_key, file_to):
    number = file_to("DLH")
    key = make_key(f"33.76/DLH:{ALL}")
    response = client.post(f"/api/v1/complaints/{number}/respond", json=BODIES["respond"],
                           headers={"X-API-Key": key, "If-Match": etag_of(ctx, number)})
    assert response.status_code == 200 and response.json["case"]["status"] == "responded"
    assert response.json["case"]["history"][-1]["actor"] == "test client (API)"
    with ctx.read() as session:
        event = session.scalars(select(ComplaintEvent).order_by(ComplaintEvent.id.desc())).first()
    assert (event.kind, event.actor_label, event.actor_id) == ("responded",
                                                               "test client (API)", None)


def test_transfer_out_of_the_keys_agency_answers_without_the_case(client, ctx, make_key,
                                                                  file_to):
    number = file_to("DLH")
    key = make_key(f"33.76/DLH:{ALL}")
    response = client.post(f"/api/v1/complaints/{number}/transfer", json=BODIES["transfer"],
                           headers={"X-API-Key": key, "If-Match": etag_of(ctx, number)})
    assert response.status_code == 200 and response.json["case"] is None
    assert "ETag" not in response.headers
    assert client.get(f"/api/v1/complaints/{number}/case",
                      headers={"X-API-Key": key}).status_code == 404


def test_case_shows_internal_notes_and_allowed_actions_but_never_an_anonymous_reporter(
        client, ctx, make_key, file_to):
    number = file_to("DLH", anonim=True)
    key = make_key("33.76/DLH:queue.read,complaints.respond")
    headers = {"X-API-Key": key}
    noted = client.post(f"/api/v1/complaints/{number}/notes", json=BODIES["notes"],
                        headers={**headers, "If-Match": etag_of(ctx, number)})
    assert noted.status_code == 200
    case = client.get(f"/api/v1/complaints/{number}/case", headers=headers)
    queue = client.get("/api/v1/queue", headers=headers)
    for response in (case, queue):
        assert "Siti Aminah" not in response.get_data(as_text=True)
        assert "siti@example.id" not in response.get_data(as_text=True)
    assert case.json["reporter"] == "Anonim" and case.json["anonim"] is True
    assert case.json["history"][-1] | {"at": None} == {
        "at": None, "kind": "note", "actor": "test client (API)", "from_status": None,
        "to_status": None, "agency": "Dinas Lingkungan Hidup Kota Tegal",
        "note": BODIES["notes"]["text"], "internal": True, "attachments": []}
    assert case.json["actions"] == ["claim", "respond", "notes", "category"]  # no transfer
    public = client.get(f"/api/v1/complaints/{number}").get_data(as_text=True)
    assert BODIES["notes"]["text"] not in public


# --- session login -------------------------------------------------------------------


def test_session_reads_freely_but_writes_only_with_the_csrf_header(client, ctx, login,
                                                                   file_to):
    number = file_to("DLH")
    assert client.get(f"/api/v1/complaints/{number}/case").status_code == 401
    login("petugas.dlh")
    case = client.get(f"/api/v1/complaints/{number}/case")
    assert case.status_code == 200 and case.headers["Cache-Control"] == "private, no-store"
    token, etag = case.headers["X-CSRFToken"], case.headers["ETag"]
    url = f"/api/v1/complaints/{number}/claim"
    for headers in ({"If-Match": etag}, {"If-Match": etag, "X-CSRFToken": "forged"}):
        refused = client.post(url, headers=headers)
        assert refused.status_code == 403 and refused.json["error"]["code"] == "csrf_failed"
    assert etag_of(ctx, number) == etag  # nothing happened
    claimed = client.post(url, headers={"If-Match": etag, "X-CSRFToken": token})
    assert claimed.status_code == 200 and claimed.json["case"]["claimed_by"]
    assert claimed.json["case"]["history"][-1]["actor"] == claimed.json["case"]["claimed_by"]


def test_session_scope_and_roles_hold(client, ctx, login, file_to):
    number = file_to("DLH")
    login("petugas.dinkes")
    assert client.get(f"/api/v1/complaints/{number}/case").status_code == 404
    login("koordinator.jateng")
    case = client.get(f"/api/v1/complaints/{number}/case")
    assert case.status_code == 200 and case.json["actions"] == []
    written = client.post(f"/api/v1/complaints/{number}/notes", json=BODIES["notes"],
                          headers={"If-Match": case.headers["ETag"],
                                   "X-CSRFToken": case.headers["X-CSRFToken"]})
    assert written.status_code == 403
    assert client.get("/api/v1/queue").status_code == 403


def test_a_presented_key_decides_even_with_a_session(client, ctx, login, make_key, file_to):
    number = file_to("DLH")
    login("petugas.dlh")
    revoked = make_key(f"33.76/DLH:{ALL}", revoked=True)
    read_only = make_key("33.76/DLH:queue.read")
    assert client.get("/api/v1/queue", headers={"X-API-Key": revoked}).status_code == 401
    response = client.post(f"/api/v1/complaints/{number}/claim",
                           headers={"X-API-Key": read_only, "If-Match": etag_of(ctx, number)})
    assert response.status_code == 403 and "X-CSRFToken" not in response.headers


# --- ETag / If-Match ------------------------------------------------------------------


@pytest.mark.parametrize(("if_match", "status", "code"), [
    (None, 428, "precondition_required"),
    ("*", 428, "precondition_required"),
    ('"v999"', 412, "precondition_failed"),
    ('W/"v1"', 412, "precondition_failed"),
    ("v1", 412, "precondition_failed"),
])
def test_writes_need_the_current_etag(client, ctx, make_key, file_to, if_match, status, code):
    number = file_to("DLH")
    headers = {"X-API-Key": make_key(f"33.76/DLH:{ALL}")}
    if if_match:
        headers["If-Match"] = if_match
    response = client.post(f"/api/v1/complaints/{number}/respond", json=BODIES["respond"],
                           headers=headers)
    assert response.status_code == status
    assert response.json["error"]["status"] == status and response.json["error"]["code"] == code
    assert etag_of(ctx, number) == '"v1"'


def test_a_write_returns_the_new_etag_and_of_two_racing_clients_one_gets_412(
        client, ctx, make_key, file_to):
    number = file_to("DLH")
    first = {"X-API-Key": make_key(f"33.76/DLH:{ALL}")}
    second = {"X-API-Key": make_key(f"33.76/DLH:{ALL}")}
    url = f"/api/v1/complaints/{number}"
    seen = client.get(f"{url}/case", headers=first).headers["ETag"]
    assert client.get(f"{url}/case", headers=second).headers["ETag"] == seen
    won = client.post(f"{url}/respond", json={"text": "Jawaban klien pertama."},
                      headers={**first, "If-Match": seen})
    lost = client.post(f"{url}/respond", json={"text": "Jawaban klien kedua."},
                       headers={**second, "If-Match": seen})
    assert won.status_code == 200 and lost.status_code == 412
    assert won.headers["ETag"] != seen
    assert won.headers["ETag"] == f'"v{won.json["case"]["version"]}"'
    fresh = client.get(f"{url}/case", headers=second)
    assert fresh.headers["ETag"] == won.headers["ETag"]
    assert [e["note"] for e in fresh.json["history"] if e["kind"] == "responded"] == [
        "Jawaban klien pertama."]
    retried = client.post(f"{url}/respond", json={"text": "Jawaban klien kedua."},
                          headers={**second, "If-Match": fresh.headers["ETag"]})
    assert retried.status_code == 200


def test_conflicts_that_are_not_stale_versions_are_409(client, ctx, make_key, file_to):
    number = file_to("DLH")
    headers = {"X-API-Key": make_key(f"33.76/DLH:{ALL}"), "If-Match": etag_of(ctx, number)}
    response = client.post(f"/api/v1/complaints/{number}/resolve", json={}, headers=headers)
    assert response.status_code == 409 and response.json["error"]["code"] == "illegal_transition"


def test_bodies_are_checked_against_the_declaration(client, ctx, make_key, file_to):
    number = file_to("DLH")
    headers = {"X-API-Key": make_key(f"33.76/DLH:{ALL}"), "If-Match": etag_of(ctx, number)}
    url = f"/api/v1/complaints/{number}/respond"
    bad = client.post(url, json={"text": "pendek", "extra": 1}, headers=headers)
    assert bad.status_code == 422 and set(bad.json["error"]["fields"]) == {"text", "extra"}
    assert client.post(url, data="text=x", headers=headers).status_code == 415


# --- the queue ------------------------------------------------------------------------


def test_queue_pages_with_cursors_and_filters(client, ctx, make_key, file_to, prepared):
    headers = {"X-API-Key": make_key(f"33.76/DLH:{ALL}")}
    numbers = [file_to("DLH") for _ in range(5)]
    done = prepared("reopen")  # a resolved one
    file_to("DINKES")
    seen, cursor = [], None
    while True:
        page = client.get("/api/v1/queue", query_string={"limit": 2, **(
            {"cursor": cursor} if cursor else {})}, headers=headers).json
        seen += [item["tracking_number"] for item in page["items"]]
        if len(seen) == 2:
            file_to("DLH")  # a newer complaint does not shift the following pages
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == numbers[::-1]
    every = client.get("/api/v1/queue?view=semua&limit=100", headers=headers).json["items"]
    assert done in {item["tracking_number"] for item in every} and len(every) == 7
    resolved = client.get("/api/v1/queue?status=resolved", headers=headers).json["items"]
    assert [item["tracking_number"] for item in resolved] == [done]
    bad = client.get("/api/v1/queue?cursor=nonsense&limit=0", headers=headers)
    assert bad.status_code == 400 and set(bad.json["error"]["fields"]) == {"cursor", "limit"}


# --- responses match the document -----------------------------------------------------


def test_staff_responses_match_the_openapi_document(client, ctx, make_key, file_to):
    doc = client.get("/api/v1/openapi.json").json
    number = file_to("DLH", anonim=True)
    headers = {"X-API-Key": make_key(f"33.76:{ALL}")}
    answers = {
        ("/api/v1/queue", "get"): client.get("/api/v1/queue?view=semua", headers=headers),
        ("/api/v1/complaints/{tracking_number}/case", "get"):
            client.get(f"/api/v1/complaints/{number}/case", headers=headers),
        ("/api/v1/complaints/{tracking_number}/respond", "post"):
            client.post(f"/api/v1/complaints/{number}/respond", json=BODIES["respond"],
                        headers={**headers, "If-Match": etag_of(ctx, number)}),
    }
    for (path, method), response in answers.items():
        assert response.status_code == 200, response.json
        schema = doc["paths"][path][method]["responses"]["200"]["content"][
            "application/json"]["schema"]
        jsonschema_rs.validate(schema, response.json, draft=jsonschema_rs.Draft202012)
    staff = doc["paths"]["/api/v1/complaints/{tracking_number}/respond"]["post"]
    if_match = next(item for item in staff["parameters"] if item["in"] == "header")
    assert (if_match["name"], if_match["required"]) == ("If-Match", True)
    assert {} not in staff["security"]
