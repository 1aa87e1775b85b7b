"""Run the simulator on a loopback port in a background thread (tests, bench, demo)."""

from __future__ import annotations

import dataclasses
import os
import threading
from dataclasses import dataclass

from flask import Flask
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from lapor_bridge.config import LaporSettings
from lapor_bridge.lapor.simulator.app import API_PREFIX, create_sim_app
from lapor_bridge.lapor.simulator.control_client import SimControl
from lapor_bridge.lapor.simulator.faults import FaultConfig

SHUTDOWN_POLL_SECONDS = 0.05


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Drop the per-request access log line."""


@dataclass
class SimServer:
    """A running simulator: ``url`` is its root, ``base_url`` its v3 API."""

    url: str
    app: Flask
    token: str
    secret: str
    _server: BaseWSGIServer
    _thread: threading.Thread

    @property
    def base_url(self) -> str:
        """The v3 API base URL, as ``[lapor] base_url`` wants it."""
        return self.url + API_PREFIX

    @property
    def control(self) -> SimControl:
        """A client for the ``/_sim/`` control API."""
        return SimControl(self.url)

    def lapor_settings(self, **overrides: object) -> LaporSettings:
        """``LaporSettings`` pointing at this simulator, with ``overrides`` applied."""
        settings = LaporSettings(base_url=self.base_url, token=self.token, secret=self.secret)
        return dataclasses.replace(settings, **overrides)

    def stop(self) -> None:
        """Stop serving, wait for the thread, close the store."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()
        self.app.extensions["lapor_sim"].store.close()

    def __enter__(self) -> SimServer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def run_in_thread(
    db_path: str | os.PathLike[str],
    *,
    token: str = LaporSettings.token,
    secret: str = LaporSettings.secret,
    seed: int | None = None,
    faults: FaultConfig | None = None,
    auto_dispose: bool = False,
    host: str = "127.0.0.1",
    port: int = 0,
    quiet: bool = True,
) -> SimServer:
    """Start a simulator on ``host:port`` (0 = a free port) in a daemon thread."""
    app = create_sim_app(db_path, token, secret, seed, faults, auto_dispose=auto_dispose)
    handler = _QuietHandler if quiet else WSGIRequestHandler
    server = make_server(host, port, app, threaded=True, request_handler=handler)
    thread = threading.Thread(
        target=server.serve_forever, args=(SHUTDOWN_POLL_SECONDS,), name="lapor-sim", daemon=True
    )
    thread.start()
    return SimServer(
        url=f"http://{host}:{server.server_port}",
        app=app,
        token=token,
        secret=secret,
        _server=server,
        _thread=thread,
    )
