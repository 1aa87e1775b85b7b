"""Request ids, access log lines, /readyz and /metrics of the web app (SQLite and PostgreSQL)."""

import json
import logging
import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from lapor_bridge.config import load_settings
from lapor_bridge.db.engine import make_engine, make_session_factory
from lapor_bridge.db.models import Complaint
from lapor_bridge.observability import logs, readiness
from lapor_bridge.observability.metrics import error_class
from lapor_bridge.services.context import ServiceContext

COMPLAINT = {"title": "Air PDAM keruh", "kecamatan": "Tegal Barat", "kelurahan": "Kraton",
             "description": "Air PDAM di rumah kami keruh sejak tiga hari yang lalu."}


@pytest.fixture
def access_lines():
    """JSON access-log lines, formatted when written (as a real handler does)."""
    lines: list[dict] = []

    class Collect(logging.Handler):
        def emit(self, entry):
            lines.append(json.loads(self.format(entry)))

    handler = Collect()
    handler.setFormatter(logs.JsonFormatter())
    logger = logging.getLogger("lapor_bridge.access")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield lines
    logger.removeHandler(handler)


def sample(text: str, name: str, **labels) -> float:
    """One sample's value from a Prometheus text page (0 when absent)."""
    wanted = ",".join(f'{key}="{value}"' for key, value in labels.items())
    pattern = re.escape(name) + (r"\{" + re.escape(wanted) + r"\}" if labels else "")
    found = re.search(rf"^{pattern} (\S+)$", text, re.MULTILINE)
    return float(found.group(1)) if found else 0.0


def test_request_id_is_echoed_or_made(client):
    assert client.get("/healthz", headers={"X-Request-ID": "lb-42"}).headers["X-Request-ID"] \
        == "lb-42"
    made = client.get("/healthz", headers={"X-Request-ID": "not sane!"}).headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", made)


def test_access_line_names_request_and_new_complaint(client, access_lines):
    created = client.post("/api/v1/complaints", json=COMPLAINT, headers={"X-Request-ID": "r-1"})
    assert created.status_code == 201
    number = created.get_json()["tracking_number"]
    client.get(f"/api/v1/complaints/{number}", headers={"X-Request-ID": "r-2"})
    first, second = access_lines[-2:]
    assert (first["request_id"], first["complaint"], first["status"]) == ("r-1", number, 201)
    assert (second["request_id"], second["complaint"], second["path"]) == \
        ("r-2", number, f"/api/v1/complaints/{number}")
    assert logs.request_id.get() is None and logs.complaint.get() is None  # nothing leaks


def test_refused_request_still_gets_an_id(client, access_lines):
    refused = client.post("/lapor", data={"title": "x"})  # no CSRF token: refused early
    assert refused.status_code == 400
    assert refused.headers["X-Request-ID"] == access_lines[-1]["request_id"]


def test_readyz_is_ok_with_database_schema_and_model(client):
    answer = client.get("/readyz")
    assert answer.status_code == 200, answer.get_json()
    checks = answer.get_json()["checks"]
    assert checks["schema"]["current"] == checks["schema"]["head"]
    assert checks["model"]["ok"] and checks["database"]["ok"]


def test_readyz_fails_without_model_or_behind_schema(client, ctx, monkeypatch):
    ctx.classifier = None
    answer = client.get("/readyz")
    assert answer.status_code == 503 and not answer.get_json()["checks"]["model"]["ok"]
    assert client.get("/healthz").status_code == 200  # liveness does not need the model
    monkeypatch.setattr(readiness, "head_revisions", lambda: frozenset({"9999"}))
    assert client.get("/readyz").get_json()["checks"]["schema"]["ok"] is False


def test_readyz_and_metrics_when_the_database_is_gone(settings, starter_model):
    from lapor_bridge.web import create_app

    gone = load_settings(environ={}, overrides={
        "database.url": "postgresql+psycopg://nobody@127.0.0.1:1/none",
        "database.pool_timeout": 1})
    engine = make_engine(gone.database)
    context = ServiceContext(gone, make_session_factory(engine), starter_model)
    client = create_app(context=context).test_client()
    answer = client.get("/readyz")
    assert answer.status_code == 503 and not answer.get_json()["checks"]["database"]["ok"]
    page = client.get("/metrics").get_data(as_text=True)
    assert sample(page, "lapor_database_up") == 0.0


def test_metrics_count_intake_and_read_queue_gauges(client, ctx):
    before = client.get("/metrics").get_data(as_text=True)
    for _ in range(2):
        assert client.post("/api/v1/complaints", json=COMPLAINT).status_code == 201
    with ctx.transaction() as session:  # one of them is overdue
        session.execute(update(Complaint).where(Complaint.id == session.scalar(
            select(Complaint.id).limit(1))).values(sla_due_at=ctx.clock() - timedelta(hours=1)))
        status = session.scalar(select(Complaint.status).where(Complaint.sla_due_at.is_not(None)))
    page = client.get("/metrics")
    assert page.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    text = page.get_data(as_text=True)
    delta = lambda name, **labels: sample(text, name, **labels) - sample(before, name, **labels)  # noqa: E731
    assert delta("lapor_complaints_received_total", channel="api") == 2
    assert delta("lapor_classification_seconds_count") == 2
    assert delta("lapor_http_requests_total", endpoint="api.create_complaint", method="POST",
                 status="201") == 2
    assert sample(text, "lapor_database_up") == 1
    assert sample(text, "lapor_outbox_messages", state="pending") == 2
    assert sample(text, "lapor_outbox_oldest_age_seconds", state="pending") >= 0
    assert sample(text, "lapor_sla_overdue_complaints", status=status) == 1


@pytest.mark.parametrize(("message", "label"), [
    ("LaporServerError: 503 from LAPOR!", "LaporServerError"),
    ("instansi belum dipetakan: Dinas PUPR", "unmapped"),
    ("menunggu SP4N-LAPOR!: 409", "waiting"),
    ("SP4N-LAPOR! #12 sudah tertaut ke laporan lain", "other"),
])
def test_error_labels_stay_bounded(message, label):
    assert error_class(message) == label
