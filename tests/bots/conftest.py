"""Bot fixtures: the fake Bot API server and the real Application running against it."""

from __future__ import annotations

import asyncio
import dataclasses
import io
import threading

import pytest
from PIL import Image
from telegram import Update

from bots.app import build_bot

from .fake_bot_api import FakeBotApi


class BotRunner:
    """Runs one real ``Application`` (long polling) on its own event loop in a thread."""

    def __init__(self, settings, services) -> None:
        self.services = services
        self.application = build_bot(settings, services)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.timeout = settings.telegram.poll_timeout_seconds

    def start(self) -> BotRunner:
        self.thread.start()
        self.call(self._start())
        return self

    def stop(self) -> None:
        self.call(self._stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()

    def call(self, coroutine, timeout: float = 10.0):
        """Run a coroutine on the bot's loop and return its result."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    async def _start(self) -> None:
        await self.application.initialize()
        await self.application.start()
        await self.application.updater.start_polling(
            poll_interval=0, timeout=self.timeout, allowed_updates=Update.ALL_TYPES)

    async def _stop(self) -> None:
        await self.application.updater.stop()
        await self.application.stop()
        await self.application.shutdown()


@pytest.fixture
def fake_api():
    """A fake Bot API server on loopback."""
    api = FakeBotApi().start()
    yield api
    api.stop()


@pytest.fixture
def bot_services(ctx, fake_api):
    """The test's service context with Telegram settings pointing at the fake."""
    telegram = dataclasses.replace(
        ctx.settings.telegram, token=fake_api.token, base_url=fake_api.base_url,
        base_file_url=fake_api.base_file_url, poll_timeout_seconds=1,
        persistence_interval_seconds=0.2, notify_interval_seconds=0.2,
        notify_backoff_base_seconds=0.5, notify_backoff_max_seconds=2.0)
    settings = dataclasses.replace(ctx.settings, telegram=telegram)
    return dataclasses.replace(ctx, settings=settings)


KEEP = object()


@pytest.fixture
def start_bot(bot_services):
    """Start a bot (optionally with another ``classifier`` or other Telegram settings);
    every bot stops at teardown."""
    runners: list[BotRunner] = []

    def _start(*, classifier=KEEP, **telegram_changes) -> BotRunner:
        services = bot_services
        if classifier is not KEEP:  # another routing model (None: no model at all)
            services = dataclasses.replace(services, classifier=classifier)
        if telegram_changes:
            telegram = dataclasses.replace(services.settings.telegram, **telegram_changes)
            services = dataclasses.replace(
                services, settings=dataclasses.replace(services.settings, telegram=telegram))
        runner = BotRunner(services.settings, services).start()
        runners.append(runner)
        return runner

    yield _start
    for runner in runners:
        if runner.loop.is_running():
            runner.stop()


@pytest.fixture
def jpeg() -> bytes:
    """A small valid JPEG photo."""
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (120, 90, 60)).save(buffer, "JPEG")
    return buffer.getvalue()
