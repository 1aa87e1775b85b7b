"""``lapor-bridge serve`` in production: gunicorn, run from Python.

Each worker process builds its own app with ``create_app`` after the fork (its own
engine, pool and model). With ``preload`` the app is built once in the master so the
model's memory is shared copy-on-write; every worker then drops the inherited pool
without closing its connections (``engine.dispose(close=False)``), so no pooled
connection is ever used by two processes.

Prometheus samples of the workers go to one folder (``[metrics] multiproc_dir``, or
``$PROMETHEUS_MULTIPROC_DIR`` when set), emptied here before any worker starts; that
must happen before ``prometheus_client`` is first imported, which is why this module
imports nothing of the web app at the top.
"""

from __future__ import annotations

import gc
import os
from pathlib import Path
from typing import Any

from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger

from lapor_bridge.config import Settings
from lapor_bridge.observability.logs import configure_logging, logging_dict

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"


class WebServer(BaseApplication):
    """Gunicorn with lapor-bridge's options and ``create_app`` as the app."""

    def __init__(self, settings: Settings, options: dict[str, Any]) -> None:
        self.settings = settings
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        """Apply the options (gunicorn's own names)."""
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        """Build the app: in each worker after the fork, or once in the master (preload).

        What exists once the app is built (modules, model, metadata) lives as long as the
        process: it is moved out of the garbage collector's sight, so the collections
        that requests trigger do not walk it again and again (shorter pauses, and pages
        shared copy-on-write stay shared after a preloading fork)."""
        from lapor_bridge.web import create_app

        app = create_app(self.settings)
        gc.collect()
        gc.freeze()
        return app


class AppLogsRequests(Logger):
    """Gunicorn's logger without its access log: the app logs each request itself, with
    its request id (gunicorn would otherwise build the access entry of every request
    only for the level filter to drop it)."""

    def access(self, resp, req, environ, request_time) -> None:
        """No access entry."""


def gunicorn_options(settings: Settings, **overrides: Any) -> dict[str, Any]:
    """Gunicorn settings from ``[server]`` and ``[log]``; ``overrides`` (CLI) win when not None."""
    server = settings.server
    chosen = {name: getattr(server, name) for name in ("host", "port", "workers", "threads",
                                                       "preload")}
    chosen.update({name: value for name, value in overrides.items() if value is not None})
    threads = chosen["threads"]
    return {
        "bind": [f"{chosen['host']}:{chosen['port']}"],
        "workers": chosen["workers"],
        "threads": threads,
        "worker_class": "gthread" if threads > 1 else "sync",
        "timeout": server.timeout,
        "graceful_timeout": server.graceful_timeout,
        "keepalive": server.keepalive,
        "worker_connections": server.worker_connections,
        "max_requests": server.max_requests,
        "max_requests_jitter": server.max_requests_jitter,
        "preload_app": chosen["preload"],
        "proc_name": "lapor-bridge-web",
        "control_socket_disable": True,  # one per user by default: two instances would clash
        "accesslog": None,
        "logger_class": AppLogsRequests,
        "logconfig_dict": logging_dict(settings.log),
        "post_fork": post_fork,
        "child_exit": child_exit,
    }


def prepare_metrics_dir(settings: Settings) -> Path:
    """Point ``PROMETHEUS_MULTIPROC_DIR`` at an empty folder (old samples removed)."""
    folder = Path(os.environ.get(MULTIPROC_ENV) or settings.path(settings.metrics.multiproc_dir))
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.db"):
        stale.unlink()
    os.environ[MULTIPROC_ENV] = str(folder)
    return folder


def run(settings: Settings, **overrides: Any) -> None:
    """Serve until stopped (SIGTERM/SIGINT: graceful; SIGHUP: reload the workers)."""
    configure_logging(settings.log)
    prepare_metrics_dir(settings)
    WebServer(settings, gunicorn_options(settings, **overrides)).run()


def post_fork(server, worker) -> None:
    """In a new worker: forget the pool inherited from a preloading master."""
    app = getattr(server.app, "callable", None)
    if app is not None:
        drop_inherited_pool(app.extensions["lapor_context"].engine)


def drop_inherited_pool(engine) -> None:
    """Give this (forked) process a fresh pool; the parent's connections stay the parent's."""
    engine.dispose(close=False)


def child_exit(server, worker) -> None:
    """A worker ended: let Prometheus forget its live samples."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
