"""places: Kemendagri codes of kecamatan and kelurahan/desa (districts.code,
villages.code) and kelurahan/desa boundaries (village_boundaries: WKB polygon, its
bounding box, the file it came from)

Revision ID: 0012
Revises: 0011
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import lapor_bridge.db.models

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_TIME = lapor_bridge.db.models.UtcDateTime(timezone=True)


def upgrade() -> None:
    for table in ("districts", "villages"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("code", sa.String(length=16), nullable=True))
    op.create_table(
        "village_boundaries",
        sa.Column("village_id", sa.Integer(), nullable=False),
        sa.Column("geometry", sa.LargeBinary(), nullable=False),
        sa.Column("min_lon", sa.Float(), nullable=False),
        sa.Column("min_lat", sa.Float(), nullable=False),
        sa.Column("max_lon", sa.Float(), nullable=False),
        sa.Column("max_lat", sa.Float(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("imported_at", UTC_TIME, nullable=False),
        sa.ForeignKeyConstraint(["village_id"], ["villages.id"],
                                name=op.f("fk_village_boundaries_village_id_villages")),
        sa.PrimaryKeyConstraint("village_id", name=op.f("pk_village_boundaries")),
    )


def downgrade() -> None:
    op.drop_table("village_boundaries")
    for table in ("villages", "districts"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("code")
