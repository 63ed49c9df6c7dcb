"""Several bodies on one message: each body's part, how they work, who combines.

Revision ID: a1b2c3d4e5f6
Revises: f8a9b0c1d2e3
"""

import sqlalchemy as sa
import incident_bridge.persistence.base
from alembic import op

revision = 'a1b2c3d4e5f6'
down_revision = 'f8a9b0c1d2e3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'ib_part',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('incident_id', sa.Integer(), nullable=False),
        sa.Column('subdivision_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('state', sa.String(length=20), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=True),
        sa.Column('opened_at', incident_bridge.persistence.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column('submitted_at', incident_bridge.persistence.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column('comment', sa.Text(), nullable=True),
        sa.Column('updated_at', incident_bridge.persistence.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['author_id'], ['ib_user.id'], name=op.f('fk_ib_part_author_id_ib_user')),
        sa.ForeignKeyConstraint(['incident_id'], ['ib_incident.id'], name=op.f('fk_ib_part_incident_id_ib_incident')),
        sa.ForeignKeyConstraint(['subdivision_id'], ['ib_subdivision.id'], name=op.f('fk_ib_part_subdivision_id_ib_subdivision')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_ib_part')),
        sa.UniqueConstraint('incident_id', 'subdivision_id', name=op.f('uq_ib_part_incident_id')),
    )
    op.create_index(op.f('ix_ib_part_incident_id'), 'ib_part', ['incident_id'])
    op.create_index('ix_ib_part_subdivision_state', 'ib_part', ['subdivision_id', 'state'])
    with op.batch_alter_table('ib_incident') as batch:
        batch.add_column(sa.Column('parts_mode', sa.String(length=20), nullable=True))
        batch.add_column(sa.Column('combiner', sa.String(length=20), nullable=True))


def downgrade():
    with op.batch_alter_table('ib_incident') as batch:
        batch.drop_column('combiner')
        batch.drop_column('parts_mode')
    op.drop_index('ix_ib_part_subdivision_state', table_name='ib_part')
    op.drop_index(op.f('ix_ib_part_incident_id'), table_name='ib_part')
    op.drop_table('ib_part')
