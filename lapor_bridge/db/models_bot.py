"""Tables of the Telegram bot: conversation state, per-user drafts, chat language."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lapor_bridge.db.models import Base, utcnow


class BotConversation(Base):
    """The state of one chat in one conversation handler (absent when idle)."""

    __tablename__ = "bot_conversations"
    __table_args__ = (UniqueConstraint("name", "conversation_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    conversation_key: Mapped[str] = mapped_column(String(64))  # JSON list, e.g. "[123, 123]"
    state: Mapped[object] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class BotUserData(Base):
    """A Telegram user's bot data: the draft report in progress and the language."""

    __tablename__ = "bot_user_data"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    data: Mapped[dict] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class BotChat(Base):
    """Preferences of a Telegram chat that the notification sender needs."""

    __tablename__ = "bot_chats"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    language: Mapped[str] = mapped_column(String(8))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
