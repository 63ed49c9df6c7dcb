"""the queue's counts per state kept by triggers: ib_incident_tally

Revision ID: e7f8a9b0c1d2
Revises: d6e7f8a9b0c1
Create Date: 2026-12-02 02:00:00

Counting the incidents per state of a region's table (100,000 rows) took longer
than the rest of the queue page together. The triggers below append signed rows
(+n for rows that now have a key, −n for rows that no longer have it) to
``ib_incident_tally``; the queue sums them. Appending never waits on another
writer; the deadlines job folds the rows (``SqlAlchemyIncidents.compact_tally``).
"""
from alembic import op
import sqlalchemy as sa


revision = 'e7f8a9b0c1d2'
down_revision = 'd6e7f8a9b0c1'
branch_labels = None
depends_on = None

_KEY = "status, subdivision_id, platform"

# PostgreSQL: inserts and deletes once per statement over its transition table (a bulk
# insert of a page is one row per key); changes per row, and only when a key column
# changed (the WHEN is checked without calling the function, so the many updates of
# other columns, the deadlines' included, cost nothing).
_PG_FUNCTIONS = {
    "insert": f"INSERT INTO ib_incident_tally ({_KEY}, n)"
    f" SELECT {_KEY}, count(*) FROM new_rows GROUP BY {_KEY}",
    "delete": f"INSERT INTO ib_incident_tally ({_KEY}, n)"
    f" SELECT {_KEY}, -count(*) FROM old_rows GROUP BY {_KEY}",
    "update": f"INSERT INTO ib_incident_tally ({_KEY}, n) VALUES"
    " (OLD.status, OLD.subdivision_id, OLD.platform, -1),"
    " (NEW.status, NEW.subdivision_id, NEW.platform, 1)",
}
_PG_TRIGGERS = {
    "insert": "AFTER INSERT ON ib_incident REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT",
    "delete": "AFTER DELETE ON ib_incident REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT",
    "update": "AFTER UPDATE OF status, subdivision_id, platform ON ib_incident FOR EACH ROW"
    " WHEN (OLD.status IS DISTINCT FROM NEW.status"
    " OR OLD.subdivision_id IS DISTINCT FROM NEW.subdivision_id"
    " OR OLD.platform IS DISTINCT FROM NEW.platform)",
}

_SQLITE_TRIGGERS = {
    "insert": "AFTER INSERT ON ib_incident BEGIN"
    f" INSERT INTO ib_incident_tally ({_KEY}, n) VALUES (NEW.status, NEW.subdivision_id, NEW.platform, 1);"
    " END",
    "delete": "AFTER DELETE ON ib_incident BEGIN"
    f" INSERT INTO ib_incident_tally ({_KEY}, n) VALUES (OLD.status, OLD.subdivision_id, OLD.platform, -1);"
    " END",
    "update": "AFTER UPDATE OF status, subdivision_id, platform ON ib_incident"
    " WHEN OLD.status IS NOT NEW.status OR OLD.subdivision_id IS NOT NEW.subdivision_id"
    " OR OLD.platform IS NOT NEW.platform BEGIN"
    f" INSERT INTO ib_incident_tally ({_KEY}, n) VALUES (OLD.status, OLD.subdivision_id, OLD.platform, -1);"
    f" INSERT INTO ib_incident_tally ({_KEY}, n) VALUES (NEW.status, NEW.subdivision_id, NEW.platform, 1);"
    " END",
}


def upgrade():
    op.create_table('ib_incident_tally',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=30), nullable=False),
    sa.Column('subdivision_id', sa.Integer(), nullable=True),
    sa.Column('platform', sa.String(length=30), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ib_incident_tally'))
    )
    op.execute(
        f"INSERT INTO ib_incident_tally ({_KEY}, n)"
        f" SELECT {_KEY}, count(*) FROM ib_incident GROUP BY {_KEY}"
    )
    if op.get_bind().dialect.name == 'postgresql':
        for event, body in _PG_FUNCTIONS.items():
            op.execute(
                f"CREATE FUNCTION ib_tally_{event}() RETURNS trigger LANGUAGE plpgsql AS $$"
                f" BEGIN {body}; RETURN NULL; END $$"
            )
            op.execute(
                f"CREATE TRIGGER ib_tally_{event} {_PG_TRIGGERS[event]}"
                f" EXECUTE FUNCTION ib_tally_{event}()"
            )
    else:
        for event, body in _SQLITE_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER ib_tally_{event} {body}")


def downgrade():
    postgresql = op.get_bind().dialect.name == 'postgresql'
    for event in _PG_FUNCTIONS:
        op.execute(f"DROP TRIGGER ib_tally_{event}" + (" ON ib_incident" if postgresql else ""))
        if postgresql:
            op.execute(f"DROP FUNCTION ib_tally_{event}()")
    op.drop_table('ib_incident_tally')
