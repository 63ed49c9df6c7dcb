"""Webhooks for host systems: subscriptions (ib_webhook) and their outbox (ib_webhook_delivery).

Revision ID: a1b2c3d4e5f7
Revises: f1a2b3c4d5e6
"""

import sqlalchemy as sa
from alembic import op

revision = 'a1b2c3d4e5f7'
down_revision = 'f1a2b3c4d5e6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'ib_webhook',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('url', sa.String(length=2000), nullable=False),
        sa.Column('description', sa.String(length=500), nullable=False),
        sa.Column('secret', sa.String(length=100), nullable=False),
        sa.Column('events', sa.JSON(), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('deactivated_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('deactivated_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['created_by_id'], ['ib_user.id'],
                                name='fk_ib_webhook_created_by_id_ib_user'),
        sa.ForeignKeyConstraint(['deactivated_by_id'], ['ib_user.id'],
                                name='fk_ib_webhook_deactivated_by_id_ib_user'),
        sa.PrimaryKeyConstraint('id', name='pk_ib_webhook'),
    )
    op.create_table(
        'ib_webhook_delivery',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('webhook_id', sa.Integer(), nullable=False),
        sa.Column('event', sa.String(length=40), nullable=False),
        sa.Column('event_id', sa.String(length=200), nullable=False),
        sa.Column('payload', sa.Text(), nullable=False),
        sa.Column('state', sa.String(length=20), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_status', sa.Integer(), nullable=True),
        sa.Column('last_error', sa.String(length=500), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['webhook_id'], ['ib_webhook.id'],
                                name='fk_ib_webhook_delivery_webhook_id_ib_webhook'),
        sa.PrimaryKeyConstraint('id', name='pk_ib_webhook_delivery'),
        sa.UniqueConstraint('webhook_id', 'event_id', name='uq_ib_webhook_delivery_webhook_id'),
    )
    op.create_index('ix_ib_webhook_delivery_due', 'ib_webhook_delivery',
                    ['state', 'next_attempt_at'])


def downgrade():
    op.drop_index('ix_ib_webhook_delivery_due', table_name='ib_webhook_delivery')
    op.drop_table('ib_webhook_delivery')
    op.drop_table('ib_webhook')
