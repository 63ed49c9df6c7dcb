"""one word for the answer: outbox kind 'reply' becomes 'answer'

Revision ID: 8c1d2e4f6a70
Revises: 5f03f52c2515
Create Date: 2026-12-01 22:00:00
"""
from alembic import op


revision = '8c1d2e4f6a70'
down_revision = '5f03f52c2515'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("UPDATE ib_outbox SET kind = 'answer' WHERE kind = 'reply'")


def downgrade():
    op.execute("UPDATE ib_outbox SET kind = 'reply' WHERE kind = 'answer'")
