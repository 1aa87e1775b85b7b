"""Conversation state and user data kept in the database (not pickle files).

Only ``user_data`` (the draft report, the language) and the conversations are
stored; chat, bot and callback data are not used by this bot. Every write is its
own committed transaction, so :meth:`flush` has nothing left to do.
"""

from __future__ import annotations

import asyncio

from telegram.ext import BasePersistence, PersistenceInput

from lapor_bridge.services import bot_state
from lapor_bridge.services.context import ServiceContext


class DatabasePersistence(BasePersistence[dict, dict, dict]):
    """A ``BasePersistence`` over ``bot_conversations`` and ``bot_user_data``.

    Conversations idle longer than ``max_idle_seconds`` are dropped when loaded, so
    a restart never revives a conversation that would have timed out.
    """

    def __init__(self, services: ServiceContext, *, update_interval: float,
                 max_idle_seconds: float) -> None:
        super().__init__(
            store_data=PersistenceInput(bot_data=False, chat_data=False, user_data=True,
                                        callback_data=False),
            update_interval=update_interval,
        )
        self.services = services
        self.max_idle_seconds = max_idle_seconds

    async def get_conversations(self, name: str) -> dict[tuple[int, ...], object]:
        """Live conversation states of handler ``name``."""
        return await asyncio.to_thread(
            bot_state.load_conversations, self.services, name, self.max_idle_seconds)

    async def update_conversation(self, name: str, key: tuple[int | str, ...],
                                  new_state: object | None) -> None:
        """Store (or, for ``None``, end) one chat's state."""
        await asyncio.to_thread(bot_state.save_conversation, self.services, name, key, new_state)

    async def get_user_data(self) -> dict[int, dict]:
        """Every user's stored data."""
        return await asyncio.to_thread(bot_state.load_user_data, self.services)

    async def update_user_data(self, user_id: int, data: dict) -> None:
        """Store one user's data."""
        await asyncio.to_thread(bot_state.save_user_data, self.services, user_id, data)

    async def drop_user_data(self, user_id: int) -> None:
        """Forget one user's data."""
        await asyncio.to_thread(bot_state.drop_user_data, self.services, user_id)

    async def refresh_user_data(self, user_id: int, user_data: dict) -> None:
        """Nothing to refresh: this process is the only writer of its users' data."""

    async def flush(self) -> None:
        """Nothing buffered: every update is committed when it is made."""

    # Not stored (see ``store_data``); PTB never calls these with a value to keep.
    async def get_chat_data(self) -> dict[int, dict]:
        """Chat data is not stored."""
        return {}

    async def update_chat_data(self, chat_id: int, data: dict) -> None:
        """Chat data is not stored."""

    async def refresh_chat_data(self, chat_id: int, chat_data: dict) -> None:
        """Chat data is not stored."""

    async def drop_chat_data(self, chat_id: int) -> None:
        """Chat data is not stored."""

    async def get_bot_data(self) -> dict:
        """Bot data is not stored (it holds the live service context)."""
        return {}

    async def update_bot_data(self, data: dict) -> None:
        """Bot data is not stored."""

    async def refresh_bot_data(self, bot_data: dict) -> None:
        """Bot data is not stored."""

    async def get_callback_data(self) -> None:
        """Arbitrary callback data is not used."""
        return None

    async def update_callback_data(self, data: object) -> None:
        """Arbitrary callback data is not used."""
