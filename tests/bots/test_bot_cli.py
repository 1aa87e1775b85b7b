"""``lapor-bridge bot`` as a process: long polling and webhook mode against the fake."""

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from lapor_bridge.config import DatabaseSettings
from lapor_bridge.db.engine import make_engine
from lapor_bridge.db.migrate import upgrade_to_head

LAPOR_BRIDGE = Path(sys.executable).with_name("lapor-bridge")


@pytest.fixture
def run_bot_process(fake_api, tmp_path):
    """Start ``lapor-bridge bot`` with extra environment; stop it with Ctrl-C at teardown.

    The process wiring does not depend on the database backend: one migrated SQLite
    file serves, and no routing model is loaded.
    """
    database_url = f"sqlite:///{tmp_path / 'bot.db'}"
    engine = make_engine(DatabaseSettings(url=database_url))
    upgrade_to_head(engine)
    engine.dispose()
    processes = []

    def _run(**env) -> subprocess.Popen:
        environ = {**os.environ,
                   "LAPOR_BRIDGE_CONFIG": str(tmp_path / "none.toml"),
                   "LAPOR_BRIDGE_DATABASE__URL": database_url,
                   "LAPOR_BRIDGE_CLASSIFIER__MODEL_DIR": str(tmp_path / "no-model"),
                   "LAPOR_BRIDGE_TELEGRAM__TOKEN": fake_api.token,
                   "LAPOR_BRIDGE_TELEGRAM__BASE_URL": fake_api.base_url,
                   "LAPOR_BRIDGE_TELEGRAM__BASE_FILE_URL": fake_api.base_file_url,
                   "LAPOR_BRIDGE_TELEGRAM__POLL_TIMEOUT_SECONDS": "1",
                   **env}
        (tmp_path / "none.toml").write_text("")
        process = subprocess.Popen([str(LAPOR_BRIDGE), "bot"], env=environ,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        processes.append(process)
        return process

    yield _run
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
        output = process.communicate(timeout=15)[0].decode()
        assert process.returncode == 0, output


def test_polling_bot_answers_and_publishes_its_commands(run_bot_process, fake_api):
    run_bot_process()
    fake_api.send_text(8101, "/start")
    fake_api.wait_for(8101, "/lapor — buat laporan baru", timeout=20)
    commands = fake_api.calls_of("setMyCommands")
    assert {c.get("language_code") for c in commands} == {None, "en"}


def test_webhook_mode_registers_the_webhook_and_handles_posted_updates(run_bot_process,
                                                                       fake_api):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    run_bot_process(LAPOR_BRIDGE_TELEGRAM__MODE="webhook",
                    LAPOR_BRIDGE_TELEGRAM__WEBHOOK_URL=f"http://127.0.0.1:{port}/tg-hook",
                    LAPOR_BRIDGE_TELEGRAM__WEBHOOK_PORT=str(port),
                    LAPOR_BRIDGE_TELEGRAM__WEBHOOK_SECRET="rahasia-webhook")
    fake_api.wait_until(lambda: fake_api.webhook is not None, timeout=20)
    assert fake_api.webhook == {"url": f"http://127.0.0.1:{port}/tg-hook",
                                "secret_token": "rahasia-webhook"}
    fake_api.send_text(8102, "/start")  # posted to the bot's webhook listener
    fake_api.wait_for(8102, "/lapor — buat laporan baru")
