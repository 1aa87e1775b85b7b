"""federation: members registered at a provincial instance (federation_members), their
complaints stored there (federated_complaints, complaints.member_id, regions.member_id);
at a member, the province it joined (federation_uplinks) and its outbox (federation_outbox)

Revision ID: 0011
Revises: 0010
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import lapor_bridge.db.models

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_TIME = lapor_bridge.db.models.UtcDateTime(timezone=True)
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "federation_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("url", sa.String(length=300), nullable=False),
        sa.Column("key_prefix", sa.String(length=8), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("removed_at", UTC_TIME, nullable=True),
        sa.Column("last_push_at", UTC_TIME, nullable=True),
        sa.Column("last_change_at", UTC_TIME, nullable=True),
        sa.Column("last_lag_seconds", sa.Float(), nullable=True),
        sa.Column("drift", sa.JSON(), nullable=True),
        sa.Column("drift_checked_at", UTC_TIME, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_federation_members")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_federation_members_key_hash")),
        sa.UniqueConstraint("name", name=op.f("uq_federation_members_name")),
    )
    op.create_table(
        "federated_complaints",
        sa.Column("complaint_id", BIG_ID, autoincrement=False, nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("tracking_number", sa.String(length=16), nullable=False),
        sa.Column("remote_version", sa.Integer(), nullable=False),
        sa.Column("remote_changed_at", UTC_TIME, nullable=False),
        sa.Column("received_at", UTC_TIME, nullable=False),
        sa.Column("lapor_id", sa.String(length=32), nullable=True),
        sa.Column("url", sa.String(length=300), nullable=False),
        sa.Column("sla_targets", sa.JSON(), nullable=False),
        sa.Column("sla_breached", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["complaint_id"], ["complaints.id"],
                                name=op.f("fk_federated_complaints_complaint_id_complaints")),
        sa.ForeignKeyConstraint(["member_id"], ["federation_members.id"],
                                name=op.f("fk_federated_complaints_member_id_federation_members")),
        sa.PrimaryKeyConstraint("complaint_id", name=op.f("pk_federated_complaints")),
    )
    op.create_index("ix_federated_complaints_member_tracking", "federated_complaints",
                    ["member_id", "tracking_number"], unique=True)
    op.create_table(
        "federation_uplinks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("province_url", sa.String(length=300), nullable=False),
        sa.Column("member_name", sa.String(length=120), nullable=False),
        sa.Column("province_name", sa.String(length=120), nullable=False),
        sa.Column("regions", sa.JSON(), nullable=False),
        sa.Column("joined_at", UTC_TIME, nullable=False),
        sa.Column("last_push_at", UTC_TIME, nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("drift", sa.JSON(), nullable=True),
        sa.Column("drift_checked_at", UTC_TIME, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_federation_uplinks")),
    )
    op.create_table(
        "federation_outbox",
        sa.Column("complaint_id", BIG_ID, autoincrement=False, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("changed_at", UTC_TIME, nullable=False),
        sa.Column("sent_version", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTC_TIME, nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("updated_at", UTC_TIME, nullable=False),
        sa.ForeignKeyConstraint(["complaint_id"], ["complaints.id"],
                                name=op.f("fk_federation_outbox_complaint_id_complaints")),
        sa.PrimaryKeyConstraint("complaint_id", name=op.f("pk_federation_outbox")),
    )
    op.create_index("ix_federation_outbox_state_next", "federation_outbox",
                    ["state", "next_attempt_at"])
    for table in ("regions", "complaints"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("member_id", sa.Integer(), nullable=True))
            batch_op.create_foreign_key(batch_op.f(f"fk_{table}_member_id_federation_members"),
                                        "federation_members", ["member_id"], ["id"])


def downgrade() -> None:
    for table in ("complaints", "regions"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f"fk_{table}_member_id_federation_members"),
                                     type_="foreignkey")
            batch_op.drop_column("member_id")
    op.drop_index("ix_federation_outbox_state_next", table_name="federation_outbox")
    op.drop_table("federation_outbox")
    op.drop_table("federation_uplinks")
    op.drop_index("ix_federated_complaints_member_tracking", table_name="federated_complaints")
    op.drop_table("federated_complaints")
    op.drop_table("federation_members")
