"""Merge the heads: several bodies on one message, and the Governor's posts watch.

Revision ID: e4f5a6b7c8d9
Revises: a1b2c3d4e5f6, d3e4f5a6b7c8
"""

revision = 'e4f5a6b7c8d9'
down_revision = ('a1b2c3d4e5f6', 'd3e4f5a6b7c8')
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
