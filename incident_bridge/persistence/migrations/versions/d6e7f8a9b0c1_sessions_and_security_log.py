"""revocable sessions and the security log

Revision ID: d6e7f8a9b0c1
Revises: c5d6e7f8a9b0
Create Date: 2026-12-02 01:00:00
"""
from alembic import op
import sqlalchemy as sa
import incident_bridge.persistence.base


revision = 'd6e7f8a9b0c1'
down_revision = 'c5d6e7f8a9b0'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('ib_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_generation', sa.Integer(), nullable=False, server_default='1'))
    op.create_table('ib_security_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', incident_bridge.persistence.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('login', sa.String(length=200), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('actor_label', sa.String(length=300), nullable=False),
    sa.Column('address', sa.String(length=100), nullable=True),
    sa.Column('detail', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['ib_user.id'], name=op.f('fk_ib_security_event_user_id_ib_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ib_security_event'))
    )
    with op.batch_alter_table('ib_security_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ib_security_event_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_ib_security_event_login'), ['login'], unique=False)


def downgrade():
    with op.batch_alter_table('ib_security_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ib_security_event_login'))
        batch_op.drop_index(batch_op.f('ix_ib_security_event_at'))
    op.drop_table('ib_security_event')
    with op.batch_alter_table('ib_user', schema=None) as batch_op:
        batch_op.drop_column('session_generation')
