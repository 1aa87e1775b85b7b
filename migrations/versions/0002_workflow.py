"""officer workflow: claims, SLA clock columns, templates, routing corrections, staff alerts

Existing rows get server defaults (version 1, no pauses, no escalation, not a head).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 14:43:54.616545
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import lapor_bridge.db.models

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('response_templates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', lapor_bridge.db.models.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', lapor_bridge.db.models.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_response_templates_agency_id_agencies')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_response_templates_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_response_templates')),
    sa.UniqueConstraint('agency_id', 'title', name=op.f('uq_response_templates_agency_id_title'))
    )
    with op.batch_alter_table('response_templates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_response_templates_agency_id'), ['agency_id'], unique=False)

    op.create_table('routing_corrections',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('complaint_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('predicted_label', sa.String(length=32), nullable=True),
    sa.Column('corrected_label', sa.String(length=32), nullable=False),
    sa.Column('officer_id', sa.Integer(), nullable=True),
    sa.Column('created_at', lapor_bridge.db.models.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaints.id'], name=op.f('fk_routing_corrections_complaint_id_complaints')),
    sa.ForeignKeyConstraint(['officer_id'], ['users.id'], name=op.f('fk_routing_corrections_officer_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_routing_corrections'))
    )
    with op.batch_alter_table('routing_corrections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_routing_corrections_complaint_id'), ['complaint_id'], unique=False)

    op.create_table('staff_alerts',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('complaint_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('stage', sa.String(length=24), nullable=False),
    sa.Column('due_at', lapor_bridge.db.models.UtcDateTime(timezone=True), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('created_at', lapor_bridge.db.models.UtcDateTime(timezone=True), nullable=False),
    sa.Column('seen_at', lapor_bridge.db.models.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaints.id'], name=op.f('fk_staff_alerts_complaint_id_complaints')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_staff_alerts_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_alerts')),
    sa.UniqueConstraint('complaint_id', 'user_id', 'level', 'due_at', name=op.f('uq_staff_alerts_complaint_id_user_id_level_due_at'))
    )
    with op.batch_alter_table('staff_alerts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_alerts_complaint_id'), ['complaint_id'], unique=False)
        batch_op.create_index('ix_staff_alerts_user_created', ['user_id', 'created_at'], unique=False)

    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), nullable=False, server_default='1'))
        batch_op.add_column(sa.Column('claimed_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('claimed_at', lapor_bridge.db.models.UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('disposed_at', lapor_bridge.db.models.UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('first_disposed_at', lapor_bridge.db.models.UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('first_response_at', lapor_bridge.db.models.UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('last_response_at', lapor_bridge.db.models.UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('closed_at', lapor_bridge.db.models.UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('pauses', sa.JSON(), nullable=False, server_default=sa.text("'[]'")))
        batch_op.add_column(sa.Column('sla_stage', sa.String(length=24), nullable=True))
        batch_op.add_column(sa.Column('sla_due_at', lapor_bridge.db.models.UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('escalation_level', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('personal_data_erased_at', lapor_bridge.db.models.UtcDateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_complaints_agency_sla_due', ['agency_id', 'sla_due_at'], unique=False)
        batch_op.create_index('ix_complaints_status_sla_due', ['status', 'sla_due_at'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_complaints_claimed_by_id_users'), 'users', ['claimed_by_id'], ['id'])

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_agency_head', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('email', sa.String(length=254), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('email')
        batch_op.drop_column('is_agency_head')

    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_complaints_claimed_by_id_users'), type_='foreignkey')
        batch_op.drop_index('ix_complaints_status_sla_due')
        batch_op.drop_index('ix_complaints_agency_sla_due')
        batch_op.drop_column('personal_data_erased_at')
        batch_op.drop_column('escalation_level')
        batch_op.drop_column('sla_due_at')
        batch_op.drop_column('sla_stage')
        batch_op.drop_column('pauses')
        batch_op.drop_column('closed_at')
        batch_op.drop_column('last_response_at')
        batch_op.drop_column('first_response_at')
        batch_op.drop_column('first_disposed_at')
        batch_op.drop_column('disposed_at')
        batch_op.drop_column('claimed_at')
        batch_op.drop_column('claimed_by_id')
        batch_op.drop_column('version')

    with op.batch_alter_table('staff_alerts', schema=None) as batch_op:
        batch_op.drop_index('ix_staff_alerts_user_created')
        batch_op.drop_index(batch_op.f('ix_staff_alerts_complaint_id'))

    op.drop_table('staff_alerts')
    with op.batch_alter_table('routing_corrections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_routing_corrections_complaint_id'))

    op.drop_table('routing_corrections')
    with op.batch_alter_table('response_templates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_response_templates_agency_id'))

    op.drop_table('response_templates')
