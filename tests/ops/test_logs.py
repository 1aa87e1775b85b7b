"""JSON log lines: ids from the context, extras, exceptions; request id acceptance."""

import json
import logging

import pytest

from lapor_bridge.config import LogSettings
from lapor_bridge.observability import logs


def record(message="hello %s", args=("world",), **extra):
    entry = logging.makeLogRecord({"name": "lapor_bridge.test", "levelname": "INFO",
                                   "levelno": logging.INFO, "msg": message, "args": args})
    entry.__dict__.update(extra)
    return entry


def test_json_line_carries_context_ids_and_extras():
    request_token = logs.request_id.set("req-1")
    complaint_token = logs.complaint.set("K7P2MX9Q")
    try:
        line = json.loads(logs.JsonFormatter().format(record(status=201, path="/x")))
    finally:
        logs.request_id.reset(request_token)
        logs.complaint.reset(complaint_token)
    assert line["message"] == "hello world"
    assert line["logger"] == "lapor_bridge.test" and line["level"] == "INFO"
    assert (line["request_id"], line["complaint"]) == ("req-1", "K7P2MX9Q")
    assert (line["status"], line["path"]) == (201, "/x")
    assert line["time"].endswith("+00:00")


def test_json_line_without_context_and_with_exception():
    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        entry = record(exc_info=sys.exc_info())
    line = json.loads(logs.JsonFormatter().format(entry))
    assert "request_id" not in line and "complaint" not in line
    assert "ValueError: boom" in line["exception"]


@pytest.mark.parametrize(("header", "kept"), [
    ("abc-123", True), ("a" * 64, True), ("a" * 65, False), ("bad id", False),
    ("x\r\nSet-Cookie: y", False), (None, False), ("", False),
])
def test_request_id_is_kept_only_when_sane(header, kept):
    chosen = logs.accept_request_id(header)
    assert (chosen == header) is kept
    assert logs.REQUEST_ID_RE.match(chosen)


def test_unknown_format_is_refused():
    with pytest.raises(ValueError, match="text' or 'json"):
        logs.configure_logging(LogSettings(format="xml"))
    with pytest.raises(ValueError):
        logs.logging_dict(LogSettings(format="xml"))


def test_dict_config_routes_gunicorn_through_the_json_formatter():
    config = logs.logging_dict(LogSettings(format="json", level="info"))
    assert config["formatters"]["main"]["()"].endswith("JsonFormatter")
    assert config["root"]["level"] == "INFO"
    assert config["loggers"]["gunicorn.error"]["handlers"] == ["stderr"]
