"""indexes for the queue's sorting and number search: number, creation time

Revision ID: c5d6e7f8a9b0
Revises: a3b4c5d6e7f8
Create Date: 2026-12-02 00:30:00
"""
from alembic import op


revision = 'c5d6e7f8a9b0'
down_revision = 'a3b4c5d6e7f8'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('ib_incident', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ib_incident_number'), ['number'], unique=False)
        batch_op.create_index(batch_op.f('ix_ib_incident_remote_created_at'), ['remote_created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('ib_incident', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ib_incident_remote_created_at'))
        batch_op.drop_index(batch_op.f('ix_ib_incident_number'))
