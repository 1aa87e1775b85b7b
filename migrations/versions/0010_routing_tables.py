"""service categories and routing tables: routing_rules (+ their audit trail), how intake
routed each complaint (resident_category, suggested_category, route_reason), the kind of
a routing correction's label; old per-agency category names become category codes

Every existing region gets the standard table for the agency codes it has (the codes the
demo and the first release used), so routing goes on after the upgrade; the regional
admin then adjusts it on /admin/rute.

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import lapor_bridge.db.models

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_TIME = lapor_bridge.db.models.UtcDateTime(timezone=True)

# The per-agency category names of the first release → category codes (frozen here).
OLD_NAMES = {
    "Jalan rusak": "jalan", "Drainase dan saluran": "drainase",
    "Penerangan jalan umum": "pju", "Jembatan": "jalan", "Sampah": "sampah",
    "Pencemaran": "pencemaran", "Pohon dan taman": "pohon", "Bantuan sosial": "bansos",
    "Data DTKS": "bansos", "Orang terlantar": "pmks", "Parkir": "parkir",
    "Lampu lalu lintas": "lalu_lintas", "Angkutan umum": "angkutan_umum",
    "KTP elektronik": "ktp_el", "Kartu keluarga": "kk_akta", "Akta": "kk_akta",
    "Puskesmas": "puskesmas", "BPJS Kesehatan": "bpjs", "Demam berdarah": "penyakit",
    "PPDB": "ppdb", "Sekolah": "sekolah", "Pungutan sekolah": "pungutan_sekolah",
    "Air mati": "air_pdam", "Kebocoran pipa": "air_pdam", "Tagihan air": "tagihan_air",
    "PKL": "pkl", "Bangunan liar": "bangunan_liar", "Ketertiban umum": "ketertiban",
    "Perizinan usaha": "perizinan", "PBG/IMB": "izin_bangunan",
}

# domain.routing.STANDARD_TABLE as of this revision (frozen: later edits of the domain
# table must not change what this upgrade did).
STANDARD_TABLE = {
    "jalan": "PUPR", "drainase": "PUPR", "banjir": "PUPR", "utilitas": "PUPR",
    "pju": "DISHUB", "lalu_lintas": "DISHUB", "parkir": "DISHUB", "angkutan_umum": "DISHUB",
    "sampah": "DLH", "pohon": "DLH", "taman": "DLH", "pencemaran": "DLH", "pemakaman": "DLH",
    "air_pdam": "PDAM", "tagihan_air": "PDAM",
    "bansos": "DINSOS", "bpjs": "DINSOS", "pmks": "DINSOS",
    "ktp_el": "DISDUKCAPIL", "kk_akta": "DISDUKCAPIL", "adminduk": "DISDUKCAPIL",
    "puskesmas": "DINKES", "rumah_sakit": "DINKES", "penyakit": "DINKES",
    "ppdb": "DISDIK", "pungutan_sekolah": "DISDIK", "sekolah": "DISDIK",
    "bantuan_siswa": "DISDIK", "beasiswa": "DISDIK", "olahraga_budaya": "DISDIK",
    "pkl": "SATPOLPP", "bangunan_liar": "SATPOLPP", "ketertiban": "SATPOLPP",
    "perizinan": "DPMPTSP", "izin_bangunan": "DPMPTSP",
}


def upgrade() -> None:
    op.create_table(
        "routing_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=48), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTC_TIME, nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"],
                                name=op.f("fk_routing_rules_agency_id_agencies")),
        sa.ForeignKeyConstraint(["region_id"], ["regions.id"],
                                name=op.f("fk_routing_rules_region_id_regions")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_routing_rules")),
        sa.UniqueConstraint("region_id", "category",
                            name=op.f("uq_routing_rules_region_id_category")),
    )
    op.create_index("ix_routing_rules_agency_id", "routing_rules", ["agency_id"])
    op.create_table(
        "routing_rule_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=48), nullable=False),
        sa.Column("old_agency_code", sa.String(length=32), nullable=True),
        sa.Column("new_agency_code", sa.String(length=32), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.ForeignKeyConstraint(["region_id"], ["regions.id"],
                                name=op.f("fk_routing_rule_changes_region_id_regions")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_routing_rule_changes_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_routing_rule_changes")),
    )
    op.create_index("ix_routing_rule_changes_region_created", "routing_rule_changes",
                    ["region_id", "created_at"])
    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.add_column(sa.Column("resident_category", sa.String(length=48), nullable=True))
        batch_op.add_column(sa.Column("suggested_category", sa.String(length=48), nullable=True))
        batch_op.add_column(sa.Column("route_reason", sa.String(length=32), nullable=True))
    with op.batch_alter_table("routing_corrections", schema=None) as batch_op:
        batch_op.add_column(sa.Column("label_kind", sa.String(length=16), nullable=False,
                                      server_default="agency"))
    _rename_categories()
    _seed_tables()


def _rename_categories() -> None:
    for table in ("complaints", "complaint_metrics"):
        for old, new in OLD_NAMES.items():
            op.execute(sa.text(f"UPDATE {table} SET category = :new WHERE category = :old")
                       .bindparams(new=new, old=old))
    # Dashboard cells name categories: make the stats job's next run a full rebuild.
    op.execute("DELETE FROM stats_watermarks WHERE name = 'complaint_metrics'")


def _seed_tables() -> None:
    connection = op.get_bind()
    agencies = connection.execute(sa.text(
        "SELECT id, region_id, code FROM agencies WHERE is_triage = :no")
        .bindparams(no=False)).all()
    by_region: dict[int, dict[str, int]] = {}
    for agency_id, region_id, code in agencies:
        by_region.setdefault(region_id, {})[code] = agency_id
    now = datetime.now(UTC)
    rules = sa.table("routing_rules", sa.column("region_id"), sa.column("category"),
                     sa.column("agency_id"), sa.column("updated_at", UTC_TIME))
    changes = sa.table("routing_rule_changes", sa.column("region_id"), sa.column("category"),
                       sa.column("new_agency_code"), sa.column("source"),
                       sa.column("created_at", UTC_TIME))
    for region_id, codes in by_region.items():
        for category, code in STANDARD_TABLE.items():
            if code in codes:
                connection.execute(rules.insert().values(
                    region_id=region_id, category=category, agency_id=codes[code],
                    updated_at=now))
                connection.execute(changes.insert().values(
                    region_id=region_id, category=category, new_agency_code=code,
                    source="migration", created_at=now))


def downgrade() -> None:
    with op.batch_alter_table("routing_corrections", schema=None) as batch_op:
        batch_op.drop_column("label_kind")
    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.drop_column("route_reason")
        batch_op.drop_column("suggested_category")
        batch_op.drop_column("resident_category")
    op.drop_index("ix_routing_rule_changes_region_created", table_name="routing_rule_changes")
    op.drop_table("routing_rule_changes")
    op.drop_index("ix_routing_rules_agency_id", table_name="routing_rules")
    op.drop_table("routing_rules")
