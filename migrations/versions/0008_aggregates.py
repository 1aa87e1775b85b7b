"""dashboard aggregates: complaint_cells, a partial index of live metrics rows, and
alignment_reports (every run of the LAPOR! alignment report)

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import lapor_bridge.db.models

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_TIME = lapor_bridge.db.models.UtcDateTime(timezone=True)
LIVE_ROWS = ("is_open OR dispose_due_at IS NOT NULL OR response_due_at IS NOT NULL"
             " OR completion_due_at IS NOT NULL")


def upgrade() -> None:
    op.create_table(
        "complaint_cells",
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("categories", sa.JSON(), nullable=False),
        sa.Column("records", sa.LargeBinary(), nullable=False),
        sa.Column("closings", sa.LargeBinary(), nullable=False),
        sa.Column("totals", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["region_id"], ["regions.id"],
                                name=op.f("fk_complaint_cells_region_id_regions")),
        sa.PrimaryKeyConstraint("region_id", "month", name=op.f("pk_complaint_cells")),
    )
    if op.get_context().dialect.name == "postgresql":
        # Read whole on every page: keep the packed columns uncompressed.
        for column in ("records", "closings", "totals"):
            op.execute(f"ALTER TABLE complaint_cells ALTER COLUMN {column} SET STORAGE EXTERNAL")
    # The cells are built by the stats job: make its next run a full rebuild.
    op.execute("DELETE FROM stats_watermarks WHERE name = 'complaint_metrics'")
    op.create_index("ix_complaint_metrics_live", "complaint_metrics",
                    ["region_id", "received_on"], postgresql_where=sa.text(LIVE_ROWS),
                    sqlite_where=sa.text(LIVE_ROWS))
    op.create_table(
        "alignment_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("linked", sa.Integer(), nullable=False),
        sa.Column("drift", sa.Integer(), nullable=False),
        sa.Column("unlinked", sa.Integer(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("regions", sa.JSON(), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alignment_reports")),
    )
    op.create_index("ix_alignment_reports_created_at", "alignment_reports", ["created_at"])


def downgrade() -> None:
    op.drop_table("alignment_reports")
    op.drop_index("ix_complaint_metrics_live", table_name="complaint_metrics")
    op.drop_table("complaint_cells")
