"""``lapor-bridge serve``: gunicorn options, the metrics folder, pools after a fork."""

import os

import pytest
from sqlalchemy import text

from lapor_bridge.config import load_settings
from lapor_bridge.db.engine import make_engine
from lapor_bridge.serve import (
    MULTIPROC_ENV,
    AppLogsRequests,
    gunicorn_options,
    prepare_metrics_dir,
)


def test_options_come_from_settings_and_the_command_line_wins():
    settings = load_settings(environ={}, overrides={"server.workers": 3, "server.threads": 1,
                                                    "server.timeout": 20, "log.format": "json",
                                                    "server.worker_connections": 16})
    options = gunicorn_options(settings)
    assert (options["workers"], options["worker_class"], options["timeout"]) == (3, "sync", 20)
    assert options["worker_connections"] == 16
    assert options["bind"] == ["127.0.0.1:5000"] and options["accesslog"] is None
    assert options["logconfig_dict"]["formatters"]["main"]["()"].endswith("JsonFormatter")
    chosen = gunicorn_options(settings, workers=5, threads=8, port=8000, host=None,
                              preload=True)
    assert (chosen["workers"], chosen["threads"], chosen["worker_class"]) == (5, 8, "gthread")
    assert chosen["bind"] == ["127.0.0.1:8000"] and chosen["preload_app"] is True


def test_gunicorn_builds_no_access_entry_of_its_own(tmp_path, monkeypatch):
    """The app logs each request (with its id); gunicorn's logger must not even build one,
    although a logging configuration is given (which would switch its access log on)."""
    from gunicorn.config import Config

    settings = load_settings(environ={})
    config = Config()
    for key, value in gunicorn_options(settings).items():
        config.set(key, value)
    config.set("accesslog", str(tmp_path / "access.log"))
    logger = config.logger_class(config)
    assert isinstance(logger, AppLogsRequests)
    monkeypatch.setattr(logger, "atoms", lambda *_: pytest.fail("access entry built"))
    logger.access(None, None, {}, None)
    assert not (tmp_path / "access.log").exists() or not (tmp_path / "access.log").read_text()


def test_metrics_folder_is_emptied_and_exported(tmp_path, monkeypatch):
    monkeypatch.setenv(MULTIPROC_ENV, "")  # empty: use the setting; undone after the test
    folder = tmp_path / "prom"
    folder.mkdir()
    (folder / "counter_123.db").write_bytes(b"old")
    settings = load_settings(environ={}, overrides={"metrics.multiproc_dir": str(folder)})
    assert prepare_metrics_dir(settings) == folder
    assert os.environ[MULTIPROC_ENV] == str(folder) and not list(folder.iterdir())


def test_a_forked_worker_never_uses_the_parents_pooled_connection(settings):
    """What ``post_fork`` does after a preload: the child gets its own connection."""
    from lapor_bridge.serve import drop_inherited_pool

    if not settings.database.url.startswith("postgresql"):
        pytest.skip("a server connection to share exists on PostgreSQL only")
    engine = make_engine(settings.database)
    backend = "SELECT pg_backend_pid()"
    with engine.connect() as connection:
        parent_backend = connection.scalar(text(backend))  # now pooled, idle, in the parent
    reader, writer = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child
        try:
            drop_inherited_pool(engine)
            with engine.connect() as connection:
                os.write(writer, str(connection.scalar(text(backend))).encode())
        finally:
            os._exit(0)
    os.close(writer)
    child_backend = int(os.read(reader, 64))
    os.waitpid(child, 0)
    with engine.connect() as connection:  # the parent's connection is intact and still its own
        assert connection.scalar(text(backend)) == parent_backend
    engine.dispose()
    assert child_backend != parent_backend
