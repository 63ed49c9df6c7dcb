"""Merge the heads: people, absences and stand-ins join the rest of issue 13.

Revision ID: a6b7c8d9e0f1
Revises: f5a6b7c8d9e0, c2d3e4f5a6b7
"""

revision = 'a6b7c8d9e0f1'
down_revision = ('f5a6b7c8d9e0', 'c2d3e4f5a6b7')
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
