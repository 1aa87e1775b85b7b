"""dashboard stats: complaint category and updated_at index, complaint_metrics, stats_watermarks

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import lapor_bridge.db.models

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
UTC_TIME = lapor_bridge.db.models.UtcDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("complaints") as batch:
        batch.add_column(sa.Column("category", sa.String(length=48), nullable=True))
        batch.create_index("ix_complaints_updated_at", ["updated_at"])
    op.create_table(
        "complaint_metrics",
        sa.Column("complaint_id", BIG_ID, nullable=False, autoincrement=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=48), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("is_open", sa.Boolean(), nullable=False),
        sa.Column("resolved", sa.Boolean(), nullable=False),
        sa.Column("rerouted", sa.Boolean(), nullable=False),
        sa.Column("triaged", sa.Boolean(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("sla_due_at", UTC_TIME, nullable=True),
        sa.Column("first_response_days", sa.Float(), nullable=True),
        sa.Column("resolution_days", sa.Float(), nullable=True),
        sa.Column("dispose_met", sa.Boolean(), nullable=True),
        sa.Column("dispose_due_at", UTC_TIME, nullable=True),
        sa.Column("response_met", sa.Boolean(), nullable=True),
        sa.Column("response_due_at", UTC_TIME, nullable=True),
        sa.Column("completion_met", sa.Boolean(), nullable=True),
        sa.Column("completion_due_at", UTC_TIME, nullable=True),
        sa.ForeignKeyConstraint(["complaint_id"], ["complaints.id"],
                                name=op.f("fk_complaint_metrics_complaint_id_complaints")),
        sa.ForeignKeyConstraint(["region_id"], ["regions.id"],
                                name=op.f("fk_complaint_metrics_region_id_regions")),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"],
                                name=op.f("fk_complaint_metrics_agency_id_agencies")),
        sa.PrimaryKeyConstraint("complaint_id", name=op.f("pk_complaint_metrics")),
    )
    op.create_index("ix_complaint_metrics_region_received", "complaint_metrics",
                    ["region_id", "received_on"])
    op.create_index("ix_complaint_metrics_agency_received", "complaint_metrics",
                    ["agency_id", "received_on"])
    op.create_index("ix_complaint_metrics_region_closed", "complaint_metrics",
                    ["region_id", "closed_on"])
    op.create_table(
        "stats_watermarks",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("seen_until", UTC_TIME, nullable=False),
        sa.Column("last_id", sa.BigInteger(), nullable=False),
        sa.Column("refreshed_at", UTC_TIME, nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_stats_watermarks")),
    )


def downgrade() -> None:
    op.drop_table("stats_watermarks")
    op.drop_table("complaint_metrics")
    with op.batch_alter_table("complaints") as batch:
        batch.drop_index("ix_complaints_updated_at")
        batch.drop_column("category")
