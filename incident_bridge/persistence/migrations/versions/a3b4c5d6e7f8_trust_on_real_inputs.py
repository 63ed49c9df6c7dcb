"""trust on real inputs: job health, leases, topic routes, quarantine resolution, search index

Revision ID: a3b4c5d6e7f8
Revises: 8c1d2e4f6a70
Create Date: 2026-12-01 23:30:00
"""
from alembic import op
import sqlalchemy as sa
import incident_bridge.persistence.base


revision = 'a3b4c5d6e7f8'
down_revision = '8c1d2e4f6a70'
branch_labels = None
depends_on = None

# The queue's full-text search (PostgreSQL only; SQLite searches with LIKE).
SEARCH_DOCUMENT = (
    "to_tsvector('russian', coalesce(number, '') || ' ' || coalesce(author_name, '') || ' ' "
    "|| coalesce(text, ''))"
)


def upgrade():
    op.create_table('ib_job_health',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job', sa.String(length=50), nullable=False),
    sa.Column('last_success_at', incident_bridge.persistence.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('last_error_at', incident_bridge.persistence.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('failing_since', incident_bridge.persistence.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('consecutive_failures', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ib_job_health')),
    sa.UniqueConstraint('job', name=op.f('uq_ib_job_health_job'))
    )
    op.create_table('ib_lease',
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('holder', sa.String(length=200), nullable=True),
    sa.Column('expires_at', incident_bridge.persistence.base.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_ib_lease'))
    )
    op.create_table('ib_topic_route',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('topic', sa.String(length=300), nullable=False),
    sa.Column('subdivision_id', sa.Integer(), nullable=False),
    sa.Column('added_by', sa.String(length=300), nullable=False),
    sa.Column('added_at', incident_bridge.persistence.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['subdivision_id'], ['ib_subdivision.id'], name=op.f('fk_ib_topic_route_subdivision_id_ib_subdivision')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ib_topic_route')),
    sa.UniqueConstraint('topic', name=op.f('uq_ib_topic_route_topic'))
    )
    with op.batch_alter_table('ib_quarantine', schema=None) as batch_op:
        batch_op.add_column(sa.Column('resolution', sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column('resolved_by', sa.String(length=300), nullable=True))
    op.execute("UPDATE ib_quarantine SET resolution = 'settled' WHERE resolved_at IS NOT NULL")
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(f"CREATE INDEX ix_ib_incident_search ON ib_incident USING gin ({SEARCH_DOCUMENT})")


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP INDEX IF EXISTS ix_ib_incident_search")
    with op.batch_alter_table('ib_quarantine', schema=None) as batch_op:
        batch_op.drop_column('resolved_by')
        batch_op.drop_column('resolution')
    op.drop_table('ib_topic_route')
    op.drop_table('ib_lease')
    op.drop_table('ib_job_health')
