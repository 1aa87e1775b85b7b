"""Log setup for every process: text or one JSON object a line, with request and complaint.

The request id and the complaint's tracking number live in context variables, so any
log line written while a request (or a job step) handles them carries them.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
from contextvars import ContextVar
from datetime import UTC, datetime

from lapor_bridge.config import LogSettings

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
complaint: ContextVar[str | None] = ContextVar("complaint", default=None)

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
NOISY = ("alembic", "apscheduler", "httpx", "urllib3")  # INFO chatter: shown from WARNING
REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
# Attributes every LogRecord has; anything else was passed in ``extra`` and is logged.
_STANDARD = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}
_ENCODER = json.JSONEncoder(ensure_ascii=False, default=str)


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, pid, message, ids, extras, exception."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as a JSON line."""
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "pid": record.process,
            "message": record.getMessage(),
        }
        for key, var in (("request_id", request_id), ("complaint", complaint)):
            if (value := var.get()) is not None:
                entry[key] = value
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in entry:
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return _ENCODER.encode(entry)


def make_formatter(settings: LogSettings) -> logging.Formatter:
    """The formatter the settings ask for."""
    if settings.format == "json":
        return JsonFormatter()
    if settings.format == "text":
        return logging.Formatter(TEXT_FORMAT)
    raise ValueError(f"[log] format must be 'text' or 'json', got {settings.format!r}")


def configure_logging(settings: LogSettings) -> None:
    """Send every logger's records to stderr in the configured format and level."""
    handler = logging.StreamHandler()
    handler.setFormatter(make_formatter(settings))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.level.upper())
    for noisy in NOISY:
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
    # Records carry only what the formats print: no caller look-up (a stack walk for
    # every line), no thread or process names (the logging HOWTO's "Optimization").
    logging._srcfile = None
    logging.logThreads = False
    logging.logMultiprocessing = False


def logging_dict(settings: LogSettings) -> dict:
    """The same setup as a ``logging.config.dictConfig`` mapping (gunicorn's loggers too)."""
    formatter = ({"()": f"{__name__}.JsonFormatter"} if settings.format == "json"
                 else {"format": TEXT_FORMAT})
    make_formatter(settings)  # validates the format name
    handler = {"class": "logging.StreamHandler", "formatter": "main",
               "stream": "ext://sys.stderr"}
    level = settings.level.upper()
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"main": formatter},
        "handlers": {"stderr": handler},
        "root": {"level": level, "handlers": ["stderr"]},
        "loggers": {
            "gunicorn.error": {"level": level, "handlers": ["stderr"], "propagate": False},
            "gunicorn.access": {"level": "WARNING", "handlers": ["stderr"], "propagate": False},
            **{name: {"level": "WARNING"} for name in NOISY if level in ("DEBUG", "INFO")},
        },
    }


def accept_request_id(header: str | None) -> str:
    """The caller's ``X-Request-ID`` when it is a sane token, else a new one."""
    if header and REQUEST_ID_RE.match(header):
        return header
    return secrets.token_hex(16)
