"""Notifications in the app and by e-mail (ib_notification); people's e-mail and duty.

Revision ID: c8d9e0f1a2b3
Revises: b7c8d9e0f1a2
"""

import sqlalchemy as sa
from alembic import op

revision = 'c8d9e0f1a2b3'
down_revision = 'b7c8d9e0f1a2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('ib_user') as batch:
        batch.add_column(sa.Column('email', sa.String(length=254), nullable=True))
        batch.add_column(sa.Column('duty', sa.String(length=20), nullable=True))
    op.create_table(
        'ib_notification',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('incident_id', sa.Integer(), nullable=True),
        sa.Column('subdivision_id', sa.Integer(), nullable=True),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('key', sa.String(length=300), nullable=False),
        sa.Column('subject', sa.String(length=300), nullable=True),
        sa.Column('title', sa.String(length=300), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('mail_state', sa.String(length=20), nullable=False),
        sa.Column('mail_attempts', sa.Integer(), nullable=False),
        sa.Column('mail_next_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('mail_error', sa.Text(), nullable=True),
        sa.Column('mailed_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['ib_user.id']),
        sa.ForeignKeyConstraint(['incident_id'], ['ib_incident.id']),
        sa.ForeignKeyConstraint(['subdivision_id'], ['ib_subdivision.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('user_id', 'key'),
    )
    op.create_index('ix_ib_notification_incident_id', 'ib_notification', ['incident_id'])
    op.create_index('ix_ib_notification_user_read', 'ib_notification', ['user_id', 'read_at'])
    op.create_index('ix_ib_notification_mail', 'ib_notification', ['mail_state', 'mail_next_at'])
    op.create_index('ix_ib_notification_kind_subject', 'ib_notification',
                    ['kind', 'subject', 'created_at'])


def downgrade():
    op.drop_table('ib_notification')
    with op.batch_alter_table('ib_user') as batch:
        batch.drop_column('duty')
        batch.drop_column('email')
