"""A small HTTP/1.1 load generator for the benchmarks (asyncio, keep-alive, no libraries).

``closed_loop``: C connections each send the next request as soon as the last one is
answered — the peak throughput. ``open_loop``: requests start on a fixed schedule at
R per second whatever the answers do; a request's latency counts from its scheduled
start, so a slow server cannot hide its queueing (no coordinated omission).
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass
class Tally:
    """Latencies (seconds) of answered requests, and the status codes seen."""

    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    errors: int = 0
    seconds: float = 0.0

    def add(self, status: int, latency: float) -> None:
        """Record one answer."""
        self.statuses[status] = self.statuses.get(status, 0) + 1
        self.latencies.append(latency)

    @property
    def rate(self) -> float:
        """Answered requests per second."""
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def percentile(self, share: float) -> float:
        """The latency below which ``share`` of the answers fell, in milliseconds."""
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000


class Connection:
    """One keep-alive connection that sends prepared requests and reads the answers."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def send(self, raw: bytes) -> int:
        """Send one request; return the status code (reconnects when the server closed)."""
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        self.writer.write(raw)
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {k.strip().lower(): v.strip() for k, _, v in
                   (line.partition(":") for line in lines[1:] if line)}
        await self.reader.readexactly(int(headers.get("content-length", "0")))
        if headers.get("connection", "").lower() == "close":
            self.close()
        return status

    def close(self) -> None:
        """Drop the connection (the next send opens a new one)."""
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


def post_request(host: str, port: int, path: str, body: bytes,
                 content_type: str = "application/json") -> bytes:
    """The raw bytes of one POST."""
    return (f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode() + body


async def _closed(host, port, requests: Sequence[bytes], connections: int,
                  seconds: float) -> Tally:
    tally = Tally()
    cycle = itertools.cycle(requests)
    deadline = time.perf_counter() + seconds

    async def user() -> None:
        connection = Connection(host, port)
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            try:
                status = await connection.send(next(cycle))
            except (OSError, asyncio.IncompleteReadError, ValueError):
                tally.errors += 1
                connection.close()
                continue
            tally.add(status, time.perf_counter() - started)
        connection.close()

    started = time.perf_counter()
    await asyncio.gather(*(user() for _ in range(connections)))
    tally.seconds = time.perf_counter() - started
    return tally


async def _open(host, port, requests: Sequence[bytes], rate: float, seconds: float,
                connections: int) -> Tally:
    tally = Tally()
    cycle = itertools.cycle(requests)
    idle: asyncio.Queue[Connection] = asyncio.Queue()
    for _ in range(connections):
        idle.put_nowait(Connection(host, port))
    start = time.perf_counter()
    total = int(rate * seconds)

    async def one(scheduled: float) -> None:
        connection = await idle.get()
        try:
            status = await connection.send(next(cycle))
            tally.add(status, time.perf_counter() - scheduled)
        except (OSError, asyncio.IncompleteReadError, ValueError):
            tally.errors += 1
            connection.close()
        finally:
            idle.put_nowait(connection)

    tasks = []
    for n in range(total):
        scheduled = start + n / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(scheduled)))
    await asyncio.gather(*tasks)
    tally.seconds = time.perf_counter() - start
    for _ in range(connections):
        (await idle.get()).close()
    return tally


def closed_loop(host: str, port: int, requests: Sequence[bytes], *, connections: int,
                seconds: float) -> Tally:
    """Peak: ``connections`` clients back to back for ``seconds``."""
    return asyncio.run(_closed(host, port, requests, connections, seconds))


def open_loop(host: str, port: int, requests: Sequence[bytes], *, rate: float, seconds: float,
              connections: int = 64) -> Tally:
    """Fixed arrival rate for ``seconds``, at most ``connections`` requests in flight."""
    return asyncio.run(_open(host, port, requests, rate, seconds, connections))
