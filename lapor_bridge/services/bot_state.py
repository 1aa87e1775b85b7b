"""Storage of the Telegram bot's own state: conversations, user drafts, chat language.

The bot's persistence layer (``bots.persistence``) calls these from a worker thread.
"""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import delete, select, update

from lapor_bridge.db.models_bot import BotChat, BotConversation, BotUserData
from lapor_bridge.services.context import ServiceContext

LANGUAGES = ("id", "en")


def load_conversations(
    ctx: ServiceContext, name: str, max_idle_seconds: float
) -> dict[tuple[int, ...], object]:
    """The live states of conversation ``name``; those idle too long are deleted instead."""
    cutoff = ctx.clock() - timedelta(seconds=max_idle_seconds)
    with ctx.transaction() as session:
        session.execute(
            delete(BotConversation).where(
                BotConversation.name == name, BotConversation.updated_at < cutoff
            )
        )
        rows = session.execute(
            select(BotConversation.conversation_key, BotConversation.state).where(
                BotConversation.name == name
            )
        ).all()
    return {tuple(json.loads(key)): state for key, state in rows}


def save_conversation(
    ctx: ServiceContext, name: str, key: tuple[int, ...], state: object | None
) -> None:
    """Record the state of one chat in conversation ``name``; ``None`` ends it."""
    encoded = json.dumps(list(key))
    now = ctx.clock()
    with ctx.transaction() as session:
        where = (BotConversation.name == name, BotConversation.conversation_key == encoded)
        if state is None:
            session.execute(delete(BotConversation).where(*where))
            return
        changed = session.execute(
            update(BotConversation).where(*where).values(state=state, updated_at=now)
        ).rowcount
        if not changed:
            session.add(BotConversation(name=name, conversation_key=encoded, state=state,
                                        updated_at=now))


def load_user_data(ctx: ServiceContext) -> dict[int, dict]:
    """Every user's stored bot data, by Telegram user id."""
    with ctx.read() as session:
        return {row.user_id: dict(row.data) for row in session.scalars(select(BotUserData))}


def save_user_data(ctx: ServiceContext, user_id: int, data: dict) -> None:
    """Store one user's bot data (must be JSON-serialisable)."""
    now = ctx.clock()
    with ctx.transaction() as session:
        changed = session.execute(
            update(BotUserData).where(BotUserData.user_id == user_id)
            .values(data=data, updated_at=now)
        ).rowcount
        if not changed:
            session.add(BotUserData(user_id=user_id, data=data, updated_at=now))


def drop_user_data(ctx: ServiceContext, user_id: int) -> None:
    """Forget one user's bot data."""
    with ctx.transaction() as session:
        session.execute(delete(BotUserData).where(BotUserData.user_id == user_id))


def set_language(ctx: ServiceContext, chat_id: int, language: str) -> None:
    """Remember the language a chat wants its messages in (``id`` or ``en``)."""
    if language not in LANGUAGES:
        raise ValueError(f"unsupported language {language!r}")
    now = ctx.clock()
    with ctx.transaction() as session:
        chat = session.get(BotChat, chat_id)
        if chat is None:
            session.add(BotChat(chat_id=chat_id, language=language, updated_at=now))
        else:
            chat.language = language
            chat.updated_at = now
