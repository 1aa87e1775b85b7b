"""the public list's index: (region_id, created_at, id) replaces (region_id, created_at)

The public list orders a region's complaints by ``created_at DESC, id DESC``; with ``id``
in the index it reads one page of entries instead of sorting the region's history.

Revision ID: 0009
Revises: 0008
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.create_index("ix_complaints_region_created_id",
                              ["region_id", "created_at", "id"], unique=False)
        batch_op.drop_index("ix_complaints_region_created")


def downgrade() -> None:
    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.create_index("ix_complaints_region_created", ["region_id", "created_at"],
                              unique=False)
        batch_op.drop_index("ix_complaints_region_created_id")
