"""bot: conversation state, user drafts, chat language

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import lapor_bridge.db.models

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "bot_chats",
        sa.Column("chat_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("updated_at", lapor_bridge.db.models.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("chat_id", name=op.f("pk_bot_chats")),
    )
    op.create_table(
        "bot_conversations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("conversation_key", sa.String(length=64), nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("updated_at", lapor_bridge.db.models.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bot_conversations")),
        sa.UniqueConstraint(
            "name", "conversation_key", name=op.f("uq_bot_conversations_name_conversation_key")
        ),
    )
    op.create_table(
        "bot_user_data",
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("updated_at", lapor_bridge.db.models.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_bot_user_data")),
    )


def downgrade() -> None:
    op.drop_table("bot_user_data")
    op.drop_table("bot_conversations")
    op.drop_table("bot_chats")
