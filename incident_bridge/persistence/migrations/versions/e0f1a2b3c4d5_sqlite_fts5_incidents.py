"""SQLite: an FTS5 index of the messages' text, kept by triggers, for similar past replies.

Revision ID: e0f1a2b3c4d5
Revises: d9e0f1a2b3c4

PostgreSQL already has its Russian full-text document (``search_document``, GIN, migration
f8a9b0c1d2e3). SQLite gets ``ib_incident_fts`` (FTS5, unicode61 folding case and
diacritics; words are matched by prefix, as SQLite has no Russian stemmer).
"""

from alembic import op

revision = 'e0f1a2b3c4d5'
down_revision = 'd9e0f1a2b3c4'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != 'sqlite':
        return
    op.execute(
        "CREATE VIRTUAL TABLE ib_incident_fts USING fts5(text, content='ib_incident',"
        " content_rowid='id', tokenize='unicode61 remove_diacritics 2')"
    )
    op.execute(
        "CREATE TRIGGER ib_incident_fts_insert AFTER INSERT ON ib_incident BEGIN"
        " INSERT INTO ib_incident_fts(rowid, text) VALUES (new.id, new.text); END"
    )
    op.execute(
        "CREATE TRIGGER ib_incident_fts_delete AFTER DELETE ON ib_incident BEGIN"
        " INSERT INTO ib_incident_fts(ib_incident_fts, rowid, text) VALUES ('delete', old.id, old.text);"
        " END"
    )
    op.execute(
        "CREATE TRIGGER ib_incident_fts_update AFTER UPDATE OF text ON ib_incident BEGIN"
        " INSERT INTO ib_incident_fts(ib_incident_fts, rowid, text) VALUES ('delete', old.id, old.text);"
        " INSERT INTO ib_incident_fts(rowid, text) VALUES (new.id, new.text); END"
    )
    op.execute("INSERT INTO ib_incident_fts(ib_incident_fts) VALUES ('rebuild')")


def downgrade():
    if op.get_bind().dialect.name != 'sqlite':
        return
    for name in ("insert", "delete", "update"):
        op.execute(f"DROP TRIGGER IF EXISTS ib_incident_fts_{name}")
    op.execute("DROP TABLE IF EXISTS ib_incident_fts")
