"""A person's mark that a message's matter was resolved positively (the analytical note).

Revision ID: d9e0f1a2b3c4
Revises: c8d9e0f1a2b3
"""

import sqlalchemy as sa
from alembic import op

revision = 'd9e0f1a2b3c4'
down_revision = 'c8d9e0f1a2b3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('ib_incident') as batch:
        batch.add_column(sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('resolved_by', sa.String(length=300), nullable=True))


def downgrade():
    with op.batch_alter_table('ib_incident') as batch:
        batch.drop_column('resolved_by')
        batch.drop_column('resolved_at')
