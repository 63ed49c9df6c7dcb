"""the Governor's posts watch

Revision ID: d3e4f5a6b7c8
Revises: f8a9b0c1d2e3
Create Date: 2026-12-02 03:55:35

Leningrad cl. 7.2, 7.4: the posts (url normalised and unique), the bodies in charge
of each (removal kept, attributed), each body's watch tasks with their clocks and
ticks, and the append-only history of every registration, change and tick.
"""
from alembic import op
import sqlalchemy as sa
import incident_bridge.persistence.base


revision = 'd3e4f5a6b7c8'
down_revision = 'f8a9b0c1d2e3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('ib_watch_post',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('url', sa.String(length=1000), nullable=False),
    sa.Column('account', sa.String(length=300), nullable=False),
    sa.Column('platform', sa.String(length=30), nullable=False),
    sa.Column('published_at', incident_bridge.persistence.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('registered_at', incident_bridge.persistence.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('registered_by', sa.String(length=300), nullable=False),
    sa.Column('registered_by_id', sa.Integer(), nullable=True),
    sa.Column('flagged_by_card', sa.String(length=100), nullable=True),
    sa.ForeignKeyConstraint(['registered_by_id'], ['ib_user.id'], name=op.f('fk_ib_watch_post_registered_by_id_ib_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ib_watch_post')),
    sa.UniqueConstraint('url', name=op.f('uq_ib_watch_post_url'))
    )
    op.create_table('ib_watch_body',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('subdivision_id', sa.Integer(), nullable=False),
    sa.Column('added_at', incident_bridge.persistence.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('added_by', sa.String(length=300), nullable=False),
    sa.Column('removed_at', incident_bridge.persistence.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('removed_by', sa.String(length=300), nullable=True),
    sa.ForeignKeyConstraint(['post_id'], ['ib_watch_post.id'], name=op.f('fk_ib_watch_body_post_id_ib_watch_post')),
    sa.ForeignKeyConstraint(['subdivision_id'], ['ib_subdivision.id'], name=op.f('fk_ib_watch_body_subdivision_id_ib_subdivision')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ib_watch_body')),
    sa.UniqueConstraint('post_id', 'subdivision_id', name=op.f('uq_ib_watch_body_post_id'))
    )
    with op.batch_alter_table('ib_watch_body', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ib_watch_body_post_id'), ['post_id'], unique=False)

    op.create_table('ib_watch_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('at', incident_bridge.persistence.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_label', sa.String(length=300), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['ib_user.id'], name=op.f('fk_ib_watch_event_actor_id_ib_user')),
    sa.ForeignKeyConstraint(['post_id'], ['ib_watch_post.id'], name=op.f('fk_ib_watch_event_post_id_ib_watch_post')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ib_watch_event'))
    )
    with op.batch_alter_table('ib_watch_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ib_watch_event_post_id'), ['post_id'], unique=False)

    op.create_table('ib_watch_task',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('subdivision_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('opens_at', incident_bridge.persistence.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('due_at', incident_bridge.persistence.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('done_at', incident_bridge.persistence.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('done_by', sa.String(length=300), nullable=True),
    sa.Column('done_by_id', sa.Integer(), nullable=True),
    sa.Column('new_comments', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('cancelled_at', incident_bridge.persistence.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('cancelled_by', sa.String(length=300), nullable=True),
    sa.ForeignKeyConstraint(['done_by_id'], ['ib_user.id'], name=op.f('fk_ib_watch_task_done_by_id_ib_user')),
    sa.ForeignKeyConstraint(['post_id'], ['ib_watch_post.id'], name=op.f('fk_ib_watch_task_post_id_ib_watch_post')),
    sa.ForeignKeyConstraint(['subdivision_id'], ['ib_subdivision.id'], name=op.f('fk_ib_watch_task_subdivision_id_ib_subdivision')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ib_watch_task'))
    )
    with op.batch_alter_table('ib_watch_task', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ib_watch_task_due_at'), ['due_at'], unique=False)
        batch_op.create_index('ix_ib_watch_task_post_body', ['post_id', 'subdivision_id', 'seq'], unique=False)



def downgrade():
    with op.batch_alter_table('ib_watch_task', schema=None) as batch_op:
        batch_op.drop_index('ix_ib_watch_task_post_body')
        batch_op.drop_index(batch_op.f('ix_ib_watch_task_due_at'))

    op.drop_table('ib_watch_task')
    with op.batch_alter_table('ib_watch_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ib_watch_event_post_id'))

    op.drop_table('ib_watch_event')
    with op.batch_alter_table('ib_watch_body', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ib_watch_body_post_id'))

    op.drop_table('ib_watch_body')
    op.drop_table('ib_watch_post')
