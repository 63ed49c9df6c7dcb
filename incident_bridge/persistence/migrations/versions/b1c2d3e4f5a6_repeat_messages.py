"""repeat messages: the link of a repeat to the earlier message, and the look-ups that find it

Revision ID: b1c2d3e4f5a6
Revises: f8a9b0c1d2e3
Create Date: 2026-12-02 04:00:00

The screening step looks for a new message's earlier ones by the author's profile
link and by the street its text names (``place_key``, set by that step), each an
index; a quoted number uses the existing index on ``number``. Plain ``add_column``
(no batch): SQLite adds a column without a rebuild, which would drop the tally
triggers of ``ib_incident``.
"""
from alembic import op
import sqlalchemy as sa


revision = 'b1c2d3e4f5a6'
down_revision = 'f8a9b0c1d2e3'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('ib_incident', sa.Column('place_key', sa.String(length=100), nullable=True))
    op.create_index(op.f('ix_ib_incident_place_key'), 'ib_incident', ['place_key'], unique=False)
    op.create_index(op.f('ix_ib_incident_author_url'), 'ib_incident', ['author_url'], unique=False)
    op.create_table(
        'ib_repeat_link',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('repeat_id', sa.Integer(), nullable=False),
        sa.Column('earlier_id', sa.Integer(), nullable=False),
        sa.Column('reason', sa.String(length=30), nullable=False),
        sa.Column('found_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('found_by', sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(['earlier_id'], ['ib_incident.id'], name=op.f('fk_ib_repeat_link_earlier_id_ib_incident')),
        sa.ForeignKeyConstraint(['repeat_id'], ['ib_incident.id'], name=op.f('fk_ib_repeat_link_repeat_id_ib_incident')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_ib_repeat_link')),
        sa.UniqueConstraint('repeat_id', name=op.f('uq_ib_repeat_link_repeat_id')),
    )
    op.create_index(op.f('ix_ib_repeat_link_earlier_id'), 'ib_repeat_link', ['earlier_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_ib_repeat_link_earlier_id'), table_name='ib_repeat_link')
    op.drop_table('ib_repeat_link')
    op.drop_index(op.f('ix_ib_incident_author_url'), table_name='ib_incident')
    op.drop_index(op.f('ix_ib_incident_place_key'), table_name='ib_incident')
    # SQLite 3.35+ drops a column in place (a batch rebuild would lose the tally triggers).
    op.execute('ALTER TABLE ib_incident DROP COLUMN place_key')
