"""Per-user flood limit, checked before any handler (in-memory, per bot process)."""

from __future__ import annotations

import time
from collections import deque

from telegram import Update
from telegram.ext import ApplicationHandlerStop

from bots.context import BotContext


class FloodGuard:
    """Drop a user's updates beyond ``limit`` within ``window`` seconds; warn once per burst."""

    def __init__(self, limit: int, window: float, clock=time.monotonic) -> None:
        self.limit = limit
        self.window = window
        self.clock = clock
        self._seen: dict[int, deque[float]] = {}
        self._warned: set[int] = set()

    async def __call__(self, update: Update, context: BotContext) -> None:
        """A ``TypeHandler`` callback in group -1: raise ApplicationHandlerStop over the limit."""
        user = update.effective_user
        if user is None:
            return
        now = self.clock()
        seen = self._seen.setdefault(user.id, deque())
        while seen and seen[0] <= now - self.window:
            seen.popleft()
        if len(seen) < self.limit:
            seen.append(now)
            self._warned.discard(user.id)
            return
        if user.id not in self._warned and update.effective_chat is not None:
            self._warned.add(user.id)
            await context.bot.send_message(update.effective_chat.id,
                                           context.text("rate_limited"))
        if update.callback_query is not None:
            await update.callback_query.answer()
        raise ApplicationHandlerStop
