"""Schema-driven fuzzing: every documented operation, with and without an API key, and
the staff operations with a key that has their actions, on a real complaint.

Schemathesis generates valid and invalid requests from the served OpenAPI document
and sends them in-process through the WSGI app. Any 5xx, any status the document
does not list, any body, content type or header that breaks the documented schema,
and any schema-violating request the app accepts, fails the test.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, note, settings
from schemathesis import GenerationMode, checks
from sqlalchemy import select

from lapor_bridge.db.models import Complaint
from lapor_bridge.web.api_staff import OPERATIONS as STAFF_OPERATIONS

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.response_headers_conformance,
    checks.negative_data_rejection,
]
STAFF_PATHS = {operation.path for operation in STAFF_OPERATIONS}
FUZZ = settings(max_examples=10, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))


@pytest.fixture
def fuzzed_app(app):
    """The app with limits high enough that fuzzing never meets a 429."""
    app.config["LAPOR_API_READ_LIMIT"] = "100000 per minute"
    return app


def fuzz_every_operation(app, key: str | None, real=None, staff: bool | None = None) -> list[str]:
    """Fuzz each operation in both modes; return the operations that were run.

    ``staff`` True/False fuzzes only the staff operations / only the others. With
    ``real`` (a callable giving a tracking number and its current ETag), valid examples
    of path-addressed operations use that complaint, so they reach the service.
    """
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    ran = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if staff is not None and (operation.path in STAFF_PATHS) is not staff:
            continue
        has_input = any(len(part) for part in (operation.path_parameters, operation.query,
                                               operation.body))
        modes = [GenerationMode.POSITIVE] + ([GenerationMode.NEGATIVE] if has_input else [])
        for mode in modes:

            @FUZZ
            @given(case=operation.as_strategy(generation_mode=mode))
            def run(case):
                note(f"{operation.label} ({mode.value})")
                headers = {}
                if key:
                    headers["X-API-Key"] = key
                    if isinstance(case.body, dict) and operation.path.startswith("/open311/"):
                        case.body["api_key"] = key
                if real and mode is GenerationMode.POSITIVE \
                        and "tracking_number" in (case.path_parameters or {}):
                    number, etag = real()
                    case.path_parameters["tracking_number"] = number
                    if operation.method.upper() == "POST":
                        headers["If-Match"] = etag
                case.call_and_validate(headers=headers, checks=CHECKS)

            run()
        ran.append(operation.label)
    return ran


def test_every_operation_anonymously(fuzzed_app):
    """No key, no session: public operations answer, staff ones refuse (401) as documented."""
    ran = fuzz_every_operation(fuzzed_app, None)
    assert "GET /api/v1/queue" in ran and "POST /api/v1/complaints" in ran
    assert "POST /api/v1/categories/suggest" in ran and "GET /api/v1/categories" in ran
    assert len(ran) == 13 + len(STAFF_OPERATIONS)


def test_every_operation_with_a_key(fuzzed_app, make_key):
    """A filing key only: every staff operation refuses it (403) as the document says."""
    ran = fuzz_every_operation(fuzzed_app, make_key())
    assert "POST /open311/v2/requests.json" in ran and "POST /api/v1/complaints" in ran
    assert "POST /api/v1/complaints/{tracking_number}/transfer" in ran


def test_staff_operations_with_a_key_that_has_their_actions(fuzzed_app, make_key, ctx,
                                                             file_to):
    number = file_to("DLH")

    def real():
        with ctx.read() as session:
            version = session.scalar(select(Complaint.version)
                                     .where(Complaint.tracking_number == number))
        return number, f'"v{version}"'

    key = make_key("33.76:queue.read,complaints.respond,complaints.transfer,"
                   "complaints.resolve")
    ran = fuzz_every_operation(fuzzed_app, key, real, staff=True)
    assert len(ran) == len(STAFF_OPERATIONS)
