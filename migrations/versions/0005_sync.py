"""lapor sync state

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import lapor_bridge.db.models

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "lapor_links",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("complaint_id", BIG_ID, nullable=False),
        sa.Column("lapor_id", sa.BigInteger(), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("institution_id", sa.BigInteger(), nullable=True),
        sa.Column("lapor_status", sa.String(length=64), nullable=True),
        sa.Column("closed", sa.Boolean(), nullable=False),
        sa.Column("next_poll_at", lapor_bridge.db.models.UtcDateTime(), nullable=False),
        sa.Column("last_polled_at", lapor_bridge.db.models.UtcDateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", lapor_bridge.db.models.UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["complaint_id"], ["complaints.id"], name=op.f("fk_lapor_links_complaint_id_complaints")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lapor_links")),
        sa.UniqueConstraint("complaint_id", name=op.f("uq_lapor_links_complaint_id")),
        sa.UniqueConstraint("lapor_id", name=op.f("uq_lapor_links_lapor_id")),
    )
    op.create_index("ix_lapor_links_next_poll_at", "lapor_links", ["next_poll_at"])
    op.create_table(
        "lapor_seen",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("lapor_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("remote_id", sa.BigInteger(), nullable=False),
        sa.Column("complaint_id", BIG_ID, nullable=False),
        sa.Column("event_id", BIG_ID, nullable=True),
        sa.Column("pushed", sa.Boolean(), nullable=False),
        sa.Column("created_at", lapor_bridge.db.models.UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["complaint_id"], ["complaints.id"], name=op.f("fk_lapor_seen_complaint_id_complaints")
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["complaint_events.id"],
            name=op.f("fk_lapor_seen_event_id_complaint_events"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lapor_seen")),
        sa.UniqueConstraint(
            "lapor_id", "kind", "remote_id", name=op.f("uq_lapor_seen_lapor_id_kind_remote_id")
        ),
    )
    op.create_index("ix_lapor_seen_complaint_id", "lapor_seen", ["complaint_id"])
    op.create_table(
        "lapor_institutions",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("synced_at", lapor_bridge.db.models.UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lapor_institutions")),
    )


def downgrade() -> None:
    op.drop_table("lapor_institutions")
    op.drop_index("ix_lapor_seen_complaint_id", table_name="lapor_seen")
    op.drop_table("lapor_seen")
    op.drop_index("ix_lapor_links_next_poll_at", table_name="lapor_links")
    op.drop_table("lapor_links")
