"""people: the executor in charge of a message, responsible officials, absences, staffing gaps

Revision ID: c2d3e4f5a6b7
Revises: f8a9b0c1d2e3
Create Date: 2026-12-02 04:10:00

``ib_incident.assignee_id`` and ``ib_subdivision.responsible_user_id`` are plain
column adds. SQLite gets them without the foreign key (adding one would copy the
table and lose the tally triggers on ``ib_incident``); PostgreSQL gets the key.
"""
from alembic import op
import sqlalchemy as sa

from incident_bridge.persistence.base import UTCDateTime


revision = 'c2d3e4f5a6b7'
down_revision = 'f8a9b0c1d2e3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('ib_incident', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('assignee_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_ib_incident_assignee_id'), ['assignee_id'], unique=False)
    with op.batch_alter_table('ib_subdivision', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('responsible_user_id', sa.Integer(), nullable=True))
    if op.get_bind().dialect.name != 'sqlite':
        # SQLite cannot add a constraint to a table without copying it (and its triggers).
        op.create_foreign_key(op.f('fk_ib_incident_assignee_id_ib_user'), 'ib_incident',
                              'ib_user', ['assignee_id'], ['id'])
        op.create_foreign_key(op.f('fk_ib_subdivision_responsible_user_id_ib_user'),
                              'ib_subdivision', 'ib_user', ['responsible_user_id'], ['id'],
                              ondelete='SET NULL')
    op.create_table('ib_absence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('first_day', sa.Date(), nullable=False),
    sa.Column('last_day', sa.Date(), nullable=False),
    sa.Column('stand_in_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by', sa.String(length=300), nullable=False),
    sa.Column('recorded_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('changed_by', sa.String(length=300), nullable=True),
    sa.Column('changed_at', UTCDateTime(timezone=True), nullable=True),
    sa.Column('ended_by', sa.String(length=300), nullable=True),
    sa.Column('ended_at', UTCDateTime(timezone=True), nullable=True),
    sa.Column('handed_over_at', UTCDateTime(timezone=True), nullable=True),
    sa.Column('given_back_at', UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['ib_user.id'], name=op.f('fk_ib_absence_recorded_by_id_ib_user')),
    sa.ForeignKeyConstraint(['stand_in_id'], ['ib_user.id'], name=op.f('fk_ib_absence_stand_in_id_ib_user')),
    sa.ForeignKeyConstraint(['user_id'], ['ib_user.id'], name=op.f('fk_ib_absence_user_id_ib_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ib_absence'))
    )
    with op.batch_alter_table('ib_absence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ib_absence_user_id'), ['user_id'], unique=False)
    op.create_table('ib_people_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_label', sa.String(length=300), nullable=False),
    sa.Column('absence_id', sa.Integer(), nullable=True),
    sa.Column('subdivision_id', sa.Integer(), nullable=True),
    sa.Column('before', sa.JSON(none_as_null=True), nullable=True),
    sa.Column('after', sa.JSON(none_as_null=True), nullable=True),
    sa.ForeignKeyConstraint(['absence_id'], ['ib_absence.id'], name=op.f('fk_ib_people_change_absence_id_ib_absence')),
    sa.ForeignKeyConstraint(['actor_id'], ['ib_user.id'], name=op.f('fk_ib_people_change_actor_id_ib_user')),
    sa.ForeignKeyConstraint(['subdivision_id'], ['ib_subdivision.id'], name=op.f('fk_ib_people_change_subdivision_id_ib_subdivision')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ib_people_change'))
    )
    with op.batch_alter_table('ib_people_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ib_people_change_at'), ['at'], unique=False)
    op.create_table('ib_staffing_gap',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subdivision_id', sa.Integer(), nullable=False),
    sa.Column('since', UTCDateTime(timezone=True), nullable=False),
    sa.Column('closed_at', UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['subdivision_id'], ['ib_subdivision.id'], name=op.f('fk_ib_staffing_gap_subdivision_id_ib_subdivision')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ib_staffing_gap'))
    )
    with op.batch_alter_table('ib_staffing_gap', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ib_staffing_gap_subdivision_id'), ['subdivision_id'], unique=False)


def downgrade():
    op.drop_table('ib_staffing_gap')
    op.drop_table('ib_people_change')
    op.drop_table('ib_absence')
    if op.get_bind().dialect.name != 'sqlite':
        op.drop_constraint(op.f('fk_ib_subdivision_responsible_user_id_ib_user'), 'ib_subdivision', type_='foreignkey')
        op.drop_constraint(op.f('fk_ib_incident_assignee_id_ib_user'), 'ib_incident', type_='foreignkey')
    with op.batch_alter_table('ib_subdivision', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('responsible_user_id')
    with op.batch_alter_table('ib_incident', schema=None, recreate='never') as batch_op:
        batch_op.drop_index(batch_op.f('ix_ib_incident_assignee_id'))
        batch_op.drop_column('assignee_id')
