"""the maps' index: (lon, lat, id) on complaints

A map asks for the complaints in a bounding box, paged by id. The index's leading
``lon`` range narrows a city-sized box to a band of index entries, ``lat`` is checked
inside the index, and ``id`` lets the keyset cursor be checked there too, so the query is
an index scan instead of a scan of every complaint. Longitude leads because Indonesia's
provinces (Java's especially) are wider east–west than north–south, so a band of
longitude holds fewer complaints than a band of latitude.

Revision ID: 0013
Revises: 0012
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# On PostgreSQL the index also carries what the public layer filters on and returns, so
# a box is read by an index-only scan, not one heap visit per complaint in it.
MAP_COLUMNS = ("is_secret", "is_anonymous", "member_id", "status", "category", "village_id")


def upgrade() -> None:
    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.create_index("ix_complaints_lon_lat_id", ["lon", "lat", "id"], unique=False,
                              postgresql_include=list(MAP_COLUMNS))


def downgrade() -> None:
    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.drop_index("ix_complaints_lon_lat_id")
