"""Finished clock runs for the reports (ib_stage); drafts keep how many checks they failed.

Revision ID: b7c8d9e0f1a2
Revises: a6b7c8d9e0f1

Existing messages' stages are filled by ``flask bridge reports rebuild`` (the clocks
need the organisation's profile, which a migration does not know).
"""

import sqlalchemy as sa
from alembic import op

revision = 'b7c8d9e0f1a2'
down_revision = 'a6b7c8d9e0f1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'ib_stage',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('incident_id', sa.Integer(), nullable=False),
        sa.Column('clock', sa.String(length=30), nullable=False),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('due_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('stopped_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('met', sa.Boolean(), nullable=False),
        sa.Column('spent_minutes', sa.Integer(), nullable=False),
        sa.Column('subdivision_id', sa.Integer(), nullable=True),
        sa.Column('executor_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['incident_id'], ['ib_incident.id']),
        sa.ForeignKeyConstraint(['subdivision_id'], ['ib_subdivision.id']),
        sa.ForeignKeyConstraint(['executor_id'], ['ib_user.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('incident_id', 'clock', 'started_at'),
    )
    op.create_index('ix_ib_stage_incident_id', 'ib_stage', ['incident_id'])
    op.create_index('ix_ib_stage_stopped', 'ib_stage', ['stopped_at', 'clock'])
    op.create_index('ix_ib_stage_subdivision_stopped', 'ib_stage', ['subdivision_id', 'stopped_at'])
    with op.batch_alter_table('ib_draft') as batch:
        batch.add_column(sa.Column('checks_failed', sa.Integer(), nullable=True))
    op.create_index('ix_ib_incident_event_kind_at', 'ib_incident_event', ['kind', 'at'])


def downgrade():
    op.drop_index('ix_ib_incident_event_kind_at', table_name='ib_incident_event')
    with op.batch_alter_table('ib_draft') as batch:
        batch.drop_column('checks_failed')
    op.drop_index('ix_ib_stage_subdivision_stopped', table_name='ib_stage')
    op.drop_index('ix_ib_stage_stopped', table_name='ib_stage')
    op.drop_index('ix_ib_stage_incident_id', table_name='ib_stage')
    op.drop_table('ib_stage')
