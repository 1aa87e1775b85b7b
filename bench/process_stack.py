"""What the fault benches (``load_fault.py``, ``federation_fault.py``) share about the
processes they run: a free port, waiting for a condition, stopping process groups."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time

import requests

HOST = "127.0.0.1"


def free_port() -> int:
    """A free loopback port."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def wait_until(condition, seconds: float, what: str) -> None:
    """Poll ``condition`` until true (an HTTP error counts as not yet); fail after
    ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


def stop_processes(chosen: list[subprocess.Popen], groups: bool = False) -> None:
    """SIGTERM each process (its whole process group with ``groups``) so that it stops
    gracefully; SIGKILL what lingers after 30 s."""
    def send(proc: subprocess.Popen, signum: int) -> None:
        if groups:
            os.killpg(proc.pid, signum)
        else:
            proc.send_signal(signum)

    for proc in chosen:
        if proc.poll() is None:
            send(proc, signal.SIGTERM)
    for proc in chosen:
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            send(proc, signal.SIGKILL)
            proc.wait(5)
