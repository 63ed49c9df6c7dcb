"""Merge the heads: repeat messages joins parts and the posts watch.

Revision ID: f5a6b7c8d9e0
Revises: e4f5a6b7c8d9, b1c2d3e4f5a6
"""

revision = 'f5a6b7c8d9e0'
down_revision = ('e4f5a6b7c8d9', 'b1c2d3e4f5a6')
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
