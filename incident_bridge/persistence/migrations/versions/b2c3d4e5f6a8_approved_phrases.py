"""approved phrases per subdivision (ib_phrase) and their append-only log (ib_phrase_change)

Revision ID: b2c3d4e5f6a8
Revises: a1b2c3d4e5f7
Create Date: 2026-12-02 11:30:00

A phrase with no subdivision is for every subdivision. Phrases are archived,
never deleted; every change is kept in ``ib_phrase_change`` with who and when.
"""
from alembic import op
import sqlalchemy as sa

from incident_bridge.persistence.base import UTCDateTime

revision = 'b2c3d4e5f6a8'
down_revision = 'a1b2c3d4e5f7'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('ib_phrase',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subdivision_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('text', sa.String(length=4096), nullable=False),
    sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', UTCDateTime(timezone=True), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('archived_at', UTCDateTime(timezone=True), nullable=True),
    sa.Column('archived_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['subdivision_id'], ['ib_subdivision.id'], name=op.f('fk_ib_phrase_subdivision_id_ib_subdivision')),
    sa.ForeignKeyConstraint(['created_by_id'], ['ib_user.id'], name=op.f('fk_ib_phrase_created_by_id_ib_user')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['ib_user.id'], name=op.f('fk_ib_phrase_updated_by_id_ib_user')),
    sa.ForeignKeyConstraint(['archived_by_id'], ['ib_user.id'], name=op.f('fk_ib_phrase_archived_by_id_ib_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ib_phrase'))
    )
    with op.batch_alter_table('ib_phrase', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ib_phrase_subdivision_id'), ['subdivision_id'], unique=False)
    op.create_table('ib_phrase_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('phrase_id', sa.Integer(), nullable=False),
    sa.Column('at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_label', sa.String(length=300), nullable=False),
    sa.Column('before', sa.JSON(none_as_null=True), nullable=True),
    sa.Column('after', sa.JSON(none_as_null=True), nullable=True),
    sa.ForeignKeyConstraint(['phrase_id'], ['ib_phrase.id'], name=op.f('fk_ib_phrase_change_phrase_id_ib_phrase')),
    sa.ForeignKeyConstraint(['actor_id'], ['ib_user.id'], name=op.f('fk_ib_phrase_change_actor_id_ib_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ib_phrase_change'))
    )
    with op.batch_alter_table('ib_phrase_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ib_phrase_change_phrase_id'), ['phrase_id'], unique=False)


def downgrade():
    op.drop_table('ib_phrase_change')
    op.drop_table('ib_phrase')
