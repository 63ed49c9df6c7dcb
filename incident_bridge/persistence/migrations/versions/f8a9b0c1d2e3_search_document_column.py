"""the queue's search document as a column kept by a trigger, numbers by prefix (PostgreSQL)

Revision ID: f8a9b0c1d2e3
Revises: e7f8a9b0c1d2
Create Date: 2026-12-02 02:30:00

The full-text index of a3b4c5d6e7f8 was on an expression: PostgreSQL computed
``to_tsvector`` of the whole text again for every new version of a row, so each
change of a message, and each of the deadlines job's writes, paid for stemming
its text (half the cost of recomputing 50,000 deadlines). The document is now a
``tsvector`` column that a trigger computes only when the number, the author or
the text is written; the index is on the column. SQLite searches with LIKE and
has neither.
"""
from alembic import op


revision = 'f8a9b0c1d2e3'
down_revision = 'e7f8a9b0c1d2'
branch_labels = None
depends_on = None

# The same document as before: number, author and text, Russian stemming.
DOCUMENT_EXPRESSION = (
    "to_tsvector('russian', coalesce({row}number, '') || ' ' || coalesce({row}author_name, '')"
    " || ' ' || coalesce({row}text, ''))"
)


def upgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute("ALTER TABLE ib_incident ADD COLUMN search_document tsvector")
    op.execute(
        "CREATE FUNCTION ib_search_document() RETURNS trigger LANGUAGE plpgsql AS $$"
        f" BEGIN NEW.search_document := {DOCUMENT_EXPRESSION.format(row='NEW.')}; RETURN NEW; END $$"
    )
    op.execute(
        "CREATE TRIGGER ib_search_document BEFORE INSERT OR UPDATE OF number, author_name, text"
        " ON ib_incident FOR EACH ROW EXECUTE FUNCTION ib_search_document()"
    )
    op.execute(f"UPDATE ib_incident SET search_document = {DOCUMENT_EXPRESSION.format(row='')}")
    op.execute("DROP INDEX IF EXISTS ix_ib_incident_search")
    op.execute("CREATE INDEX ix_ib_incident_search ON ib_incident USING gin (search_document)")
    # A number typed from its beginning («2025-0012»): LIKE 'prefix%' needs the pattern operators.
    op.execute("CREATE INDEX ix_ib_incident_number_prefix ON ib_incident (number varchar_pattern_ops)")


def downgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute("DROP INDEX IF EXISTS ix_ib_incident_number_prefix")
    op.execute("DROP INDEX IF EXISTS ix_ib_incident_search")
    op.execute("DROP TRIGGER ib_search_document ON ib_incident")
    op.execute("DROP FUNCTION ib_search_document()")
    op.execute("ALTER TABLE ib_incident DROP COLUMN search_document")
    op.execute(
        "CREATE INDEX ix_ib_incident_search ON ib_incident USING gin"
        f" ({DOCUMENT_EXPRESSION.format(row='')})"
    )
