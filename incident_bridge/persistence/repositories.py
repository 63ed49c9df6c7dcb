"""The queries of each aggregate, on SQLAlchemy: what the use cases ask the database.

Each class is one aggregate's small set of look-ups; the use cases reach them
through the unit of work (``uow.incidents``, ``uow.outbox``, …), so a unit test
can hand them in-memory fakes instead.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    TIMESTAMP,
    Integer,
    Select,
    Table,
    bindparam,
    delete,
    func,
    insert,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session, aliased

from incident_bridge.domain.events import EventKind, HistoryEvent, Timeline
from incident_bridge.domain.model import OutboundKind
from incident_bridge.domain.workflow import FINAL_STATUSES, OutboxState, Role, Status
from incident_bridge.persistence.models import (
    AuthorMessage,
    CalendarOverrideRow,
    DictionaryWord,
    Incident,
    IncidentEvent,
    IncidentTally,
    JobHealth,
    NewIncident,
    OutboxMessage,
    QuarantinedRecord,
    SecurityEvent,
    Subdivision,
    SyncState,
    TopicRoute,
    User,
)

OPEN_STATUSES = tuple(s for s in Status if s not in FINAL_STATUSES)


class SqlAlchemyIncidents:
    """Incidents by id and by the incident system's id."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, incident_id: int) -> Incident | None:
        return self.session.get(Incident, incident_id)

    def by_external_ids(self, external_ids: Collection[str]) -> dict[str, Incident]:
        if not external_ids:
            return {}
        query = select(Incident).where(Incident.external_id.in_(list(external_ids)))
        return {i.external_id: i for i in self.session.scalars(query)}

    def insert_new(self, new: Sequence[NewIncident]) -> dict[str, int]:
        """Multi-row inserts of the incidents, then of their history and follow-ups.

        ``ON CONFLICT (external_id) DO NOTHING``: a card another writer stored first is
        not in the answer, and the caller folds it in as an update.
        """
        if not new:
            return {}
        self.session.flush()  # the ORM's pending rows go first: the order of writes is kept
        incidents = cast(Table, Incident.__table__)
        if self.session.get_bind().dialect.name == "postgresql":
            stored = self._insert_with_ids(incidents, new)
        else:
            statement = (
                sqlite.insert(incidents)
                .on_conflict_do_nothing(index_elements=["external_id"])
                .returning(incidents.c.external_id, incidents.c.id)
            )
            returned = self.session.execute(statement, [n.values for n in new])
            stored = {external_id: ident for external_id, ident in returned}
        events = [
            {**entry, "incident_id": stored[n.values["external_id"]]}
            for n in new
            if n.values["external_id"] in stored
            for entry in n.events
        ]
        follow_ups = [
            {**message, "incident_id": stored[n.values["external_id"]]}
            for n in new
            if n.values["external_id"] in stored
            for message in n.follow_ups
        ]
        for table, rows in (
            (IncidentEvent.__table__, events),
            (AuthorMessage.__table__, follow_ups),
        ):
            if rows:
                self.session.execute(insert(cast(Table, table)), rows)
        return stored

    def _insert_with_ids(self, incidents: Table, new: Sequence[NewIncident]) -> dict[str, int]:
        """PostgreSQL: ids drawn from the sequence first, then a plain executemany.

        psycopg pipelines an executemany of one short statement; a multi-row VALUES
        with RETURNING is a statement of thousands of placeholders it parses each time.
        """
        ids = list(self.session.scalars(
            select(func.nextval(func.pg_get_serial_sequence(incidents.name, "id")))
            .select_from(func.generate_series(1, len(new)))
        ))  # fmt: skip
        statement = postgresql.insert(incidents).on_conflict_do_nothing(
            index_elements=["external_id"]
        )
        self.session.execute(
            statement, [{**n.values, "id": i} for n, i in zip(new, ids, strict=True)]
        )
        kept = select(incidents.c.external_id, incidents.c.id).where(
            incidents.c.id == func.any(bindparam("ids", ids, type_=postgresql.ARRAY(Integer)))
        )
        return {external_id: ident for external_id, ident in self.session.execute(kept)}

    def unscreened(self, limit: int) -> list[Incident]:
        """Messages the screening has not read yet, oldest first, claimed for this transaction.

        On PostgreSQL they are locked ``FOR NO KEY UPDATE SKIP LOCKED``: a screener running
        at the same time takes the next ones instead of waiting or reading them twice. Not
        ``FOR UPDATE``: a repeat link the other screener stores checks its foreign key to a
        message of this batch with ``FOR KEY SHARE``, which ``FOR UPDATE`` blocks — each
        screener would wait for the other (a deadlock); ``NO KEY`` lets the check pass.
        """
        query = select(Incident).where(Incident.screening.is_(None)).order_by(Incident.id)
        query = query.limit(limit)
        if self.session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True, key_share=True, of=Incident)
        return list(self.session.scalars(query))

    def in_work_ids(self, due_within: tuple[datetime, datetime] | None = None) -> list[int]:
        """Ids of the incidents not yet closed, redirected or excluded, oldest first.

        With ``due_within`` (from, until), only those with no deadline stored or one due
        from ``from`` (inclusive) to ``until``.
        """
        query = select(Incident.id).where(Incident.status.in_(OPEN_STATUSES))
        if due_within is not None:
            start, end = due_within
            query = query.where(
                or_(Incident.due_at.is_(None), (Incident.due_at >= start) & (Incident.due_at < end))
            )
        return list(self.session.scalars(query.order_by(Incident.id)))

    def ids_after(self, last_id: int, limit: int) -> list[int]:
        query = select(Incident.id).where(Incident.id > last_id).order_by(Incident.id).limit(limit)
        return list(self.session.scalars(query))

    def timelines(self, ids: Sequence[int]) -> list[Timeline]:
        """The histories of these incidents, in two queries and without ORM objects."""
        if not ids:
            return []
        cards, rows = self._timeline_rows(ids)
        events: dict[int, list[HistoryEvent]] = {i: [] for i in ids}
        for incident_id, kind, at, draft_kind, importance, part in rows:
            event = HistoryEvent.of_fields(kind, at, draft_kind, importance, part)
            if event is not None:
                events[incident_id].append(event)
        return [
            Timeline(ident, created, detected, arrived, due, tuple(events[ident]), version)
            for ident, created, detected, arrived, due, version in cards
        ]

    def _timeline_rows(self, ids: Sequence[int]) -> tuple[Sequence[Any], Sequence[Any]]:
        """The cards' times and their history rows, the two fields of the data the clocks
        use extracted by the database. On PostgreSQL the driver's rows as they come: its
        instants are already aware, and the per-value conversion of the column type was
        most of the deadlines job's reading time."""
        if self.session.get_bind().dialect.name == "postgresql":
            connection = self.session.connection()
            given = {"ids": list(ids)}
            cards = connection.exec_driver_sql(
                "SELECT id, remote_created_at, detected_at, arrived_at, due_at, version_id"
                " FROM ib_incident WHERE id = ANY(%(ids)s)", given
            ).all()  # fmt: skip
            rows = connection.exec_driver_sql(
                "SELECT incident_id, kind, at, data ->> 'draft_kind', data ->> 'importance',"
                " data ->> 'part_id'"
                " FROM ib_incident_event WHERE incident_id = ANY(%(ids)s)"
                " ORDER BY incident_id, id", given
            ).all()  # fmt: skip
            return cards, rows
        data = IncidentEvent.data
        cards = self.session.execute(
            select(Incident.id, Incident.remote_created_at, Incident.detected_at,
                   Incident.arrived_at, Incident.due_at, Incident.version_id)
            .where(Incident.id.in_(ids))
        ).all()  # fmt: skip
        rows = self.session.execute(
            select(IncidentEvent.incident_id, IncidentEvent.kind, IncidentEvent.at,
                   data["draft_kind"].as_string(), data["importance"].as_string(),
                   data["part_id"].as_string())
            .where(IncidentEvent.incident_id.in_(ids))
            .order_by(IncidentEvent.incident_id, IncidentEvent.id)
        ).all()  # fmt: skip
        return cards, rows

    def set_due(
        self, due: Mapping[int, datetime | None], read_at: Mapping[int, int] | None = None
    ) -> int:
        """Store recomputed deadlines in bulk (a computed value: no new version of the row).

        With ``read_at`` (id -> the version the due time was computed from) a row changed
        since is left alone: its change has stored its own. Returns the rows written.
        """
        if not due:
            return 0
        ids = list(due)
        versions = [read_at.get(i) if read_at else None for i in ids]
        # Core, not the ORM: the ORM would count a new version of each row for a computed value.
        if self.session.get_bind().dialect.name == "postgresql":
            # One statement over three arrays rather than one per row.
            written = self.session.execute(
                text(
                    "UPDATE ib_incident SET due_at = moved.due"
                    " FROM unnest(:ids, :dues, :versions) AS moved(id, due, version)"
                    " WHERE ib_incident.id = moved.id"
                    " AND (moved.version IS NULL OR ib_incident.version_id = moved.version)"
                ).bindparams(
                    bindparam("ids", ids, type_=postgresql.ARRAY(Integer)),
                    bindparam(
                        "dues", list(due.values()), type_=postgresql.ARRAY(TIMESTAMP(timezone=True))
                    ),
                    bindparam("versions", versions, type_=postgresql.ARRAY(Integer)),
                )
            )
            return int(cast(CursorResult[Any], written).rowcount)
        table = cast(Table, Incident.__table__)
        statement = (
            update(table)
            .where(
                table.c.id == bindparam("ident"),
                or_(bindparam("version").is_(None), table.c.version_id == bindparam("version")),
            )
            .values(due_at=bindparam("due"))
        )
        rows = [
            {"ident": i, "due": due[i], "version": v} for i, v in zip(ids, versions, strict=True)
        ]
        written = self.session.execute(statement, rows)
        return int(cast(CursorResult[Any], written).rowcount)

    def compact_tally(self) -> int:
        """Fold the queue's signed counts into one row per key; return the rows folded."""
        key = "status, subdivision_id, platform"
        if self.session.get_bind().dialect.name == "postgresql":
            # One statement: rows another transaction has not committed yet are not seen,
            # so they are neither folded nor deleted.
            folded = self.session.execute(
                text(
                    f"WITH gone AS (DELETE FROM ib_incident_tally RETURNING {key}, n),"
                    f" kept AS (INSERT INTO ib_incident_tally ({key}, n)"
                    f" SELECT {key}, sum(n) FROM gone GROUP BY {key} HAVING sum(n) <> 0)"
                    " SELECT count(*) FROM gone"
                )
            ).scalar_one()
            return int(folded)
        # SQLite has one writer at a time: the transaction sees every committed row.
        tally = IncidentTally
        newest = self.session.scalar(select(func.max(tally.id)))
        if newest is None:
            return 0
        sums = self.session.execute(
            select(tally.status, tally.subdivision_id, tally.platform, func.sum(tally.n))
            .where(tally.id <= newest)
            .group_by(tally.status, tally.subdivision_id, tally.platform)
        ).all()
        gone = cast(
            CursorResult[Any], self.session.execute(delete(tally).where(tally.id <= newest))
        )
        folded = gone.rowcount
        rows = [
            {"status": st, "subdivision_id": sd, "platform": pl, "n": n}
            for st, sd, pl, n in sums
            if n
        ]
        if rows:
            self.session.execute(insert(tally), rows)
        return int(folded)


class SqlAlchemyOutbox:
    """Deliveries to the incident system."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, outbox_id: int) -> OutboxMessage | None:
        return self.session.get(OutboxMessage, outbox_id)

    def pending(self) -> list[OutboxMessage]:
        """Every pending row, oldest first."""
        query = select(OutboxMessage).where(OutboxMessage.state == OutboxState.PENDING)
        return list(self.session.scalars(query.order_by(OutboxMessage.id)))

    def undelivered(self, incident_id: int, kind: OutboundKind) -> int:
        """How many of the incident's rows of ``kind`` are not delivered yet (any state but sent)."""
        query = select(func.count(OutboxMessage.id)).where(
            OutboxMessage.incident_id == incident_id,
            OutboxMessage.kind == kind,
            OutboxMessage.state != OutboxState.SENT,
        )
        return int(self.session.scalar(query) or 0)

    def claim_next(self, now: datetime) -> OutboxMessage | None:
        """The oldest due pending row whose incident has no earlier pending row, locked.

        On PostgreSQL the row is locked ``FOR UPDATE SKIP LOCKED`` until the caller's
        transaction ends, so other pushers take other rows (and an incident's later
        rows wait: its earlier row is still pending while it is being delivered).
        """
        earlier = aliased(OutboxMessage)
        blocked = (
            select(earlier.id)
            .where(
                earlier.incident_id == OutboxMessage.incident_id,
                earlier.state == OutboxState.PENDING,
                earlier.id < OutboxMessage.id,
            )
            .exists()
        )
        query = (
            select(OutboxMessage)
            .where(
                OutboxMessage.state == OutboxState.PENDING,
                OutboxMessage.next_attempt_at <= now,
                ~blocked,
            )
            .order_by(OutboxMessage.id)
            .limit(1)
            .with_for_update(skip_locked=True, of=OutboxMessage)
        )
        return self.session.scalars(query).first()


class SqlAlchemyQuarantine:
    """Records that failed validation, waiting for a valid version or a person."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, record_id: int) -> QuarantinedRecord | None:
        return self.session.get(QuarantinedRecord, record_id)

    def waiting_for_incident(self, source: str, external_id: str) -> QuarantinedRecord | None:
        return self.session.scalars(
            self._open(source).where(QuarantinedRecord.external_id == external_id).limit(1)
        ).first()

    def waiting_for_page(self, source: str, page_cursor: str) -> QuarantinedRecord | None:
        """An unreadable record (no id) of the page read from ``page_cursor``."""
        query = self._open(source).where(
            QuarantinedRecord.external_id.is_(None), QuarantinedRecord.page_cursor == page_cursor
        )
        return self.session.scalars(query.limit(1)).first()

    def waiting_for_incidents(
        self, source: str, external_ids: Collection[str]
    ) -> list[QuarantinedRecord]:
        if not external_ids:
            return []
        query = self._open(source).where(QuarantinedRecord.external_id.in_(list(external_ids)))
        return list(self.session.scalars(query))

    def retryable(self, source: str, max_attempts: int, limit: int) -> list[QuarantinedRecord]:
        """Open records to try again: fewest attempts first, readable ids before pages."""
        query = (
            self._open(source)
            .where(QuarantinedRecord.attempts < max_attempts)
            .order_by(
                QuarantinedRecord.attempts,
                QuarantinedRecord.external_id.is_(None),
                QuarantinedRecord.id,
            )
            .limit(limit)
        )
        return list(self.session.scalars(query))

    def latest_with_raw(self, source: str, raw: str) -> QuarantinedRecord | None:
        """The latest record of ``source`` with exactly this payload, waiting or not."""
        query = (
            select(QuarantinedRecord)
            .where(QuarantinedRecord.source == source, QuarantinedRecord.raw == raw)
            .order_by(QuarantinedRecord.id.desc())
            .limit(1)
        )
        return self.session.scalars(query).first()

    @staticmethod
    def _open(source: str) -> Select[QuarantinedRecord]:
        return select(QuarantinedRecord).where(
            QuarantinedRecord.resolved_at.is_(None), QuarantinedRecord.source == source
        )


class SqlAlchemySyncStates:
    """The poller's cursor and health per incident system."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, system: str) -> SyncState | None:
        return self.session.scalar(select(SyncState).where(SyncState.system == system))


class SqlAlchemyJobs:
    """How each background job has been doing."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, job: str) -> JobHealth | None:
        return self.session.scalar(select(JobHealth).where(JobHealth.job == job))

    def all(self) -> list[JobHealth]:
        return list(self.session.scalars(select(JobHealth).order_by(JobHealth.job)))


class SqlAlchemyCalendar:
    """Local overrides of the working calendar."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def overrides(self) -> list[CalendarOverrideRow]:
        """Every override ever recorded, oldest first."""
        query = select(CalendarOverrideRow).order_by(CalendarOverrideRow.id)
        return list(self.session.scalars(query))

    def get(self, override_id: int) -> CalendarOverrideRow | None:
        return self.session.get(CalendarOverrideRow, override_id)


class SqlAlchemyDictionary:
    """The organisation's own spelling dictionary."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def words(self) -> list[DictionaryWord]:
        """The dictionary, alphabetically."""
        query = select(DictionaryWord).order_by(func.lower(DictionaryWord.word))
        return list(self.session.scalars(query))

    def find(self, word: str) -> DictionaryWord | None:
        """The entry of ``word``, whatever its case (Cyrillic too: SQLite's lower() is ASCII-only)."""
        wanted = word.casefold()
        return next((w for w in self.words() if w.word.casefold() == wanted), None)

    def get(self, word_id: int) -> DictionaryWord | None:
        return self.session.get(DictionaryWord, word_id)

    def remove(self, word: DictionaryWord) -> None:
        self.session.delete(word)


class SqlAlchemyPeople:
    """Subdivisions and the people who sign in."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def subdivision(self, subdivision_id: int) -> Subdivision | None:
        return self.session.get(Subdivision, subdivision_id)

    def subdivision_named(self, name: str) -> Subdivision | None:
        """The subdivision called ``name``, whatever its case (Cyrillic too: a few rows, in Python)."""
        wanted = " ".join(name.split()).casefold()
        every = self.session.scalars(select(Subdivision))
        return next((s for s in every if s.name.casefold() == wanted), None)

    def subdivisions(self, *, active_only: bool = True) -> list[Subdivision]:
        """Subdivisions by name."""
        query = select(Subdivision).order_by(Subdivision.name)
        if active_only:
            query = query.where(Subdivision.active.is_(True))
        return list(self.session.scalars(query))

    def user(self, user_id: int) -> User | None:
        return self.session.get(User, user_id)

    def user_by_login(self, login: str) -> User | None:
        return self.session.scalar(select(User).where(User.login == login))

    def users(self) -> list[User]:
        """Everyone, by role and name."""
        return list(self.session.scalars(select(User).order_by(User.role, User.full_name)))

    def active_admins(self) -> int:
        """How many admins can still sign in."""
        query = select(func.count()).where(User.role == Role.ADMIN, User.active.is_(True))
        return self.session.scalar(query) or 0


class SqlAlchemySecurityLog:
    """The append-only security log."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def recent(self, limit: int, login: str | None = None) -> list[SecurityEvent]:
        """The latest entries first, optionally of one login."""
        query = select(SecurityEvent).order_by(SecurityEvent.id.desc()).limit(limit)
        if login:
            query = query.where(SecurityEvent.login == login.strip().lower())
        return list(self.session.scalars(query))


class SqlAlchemyTopicRoutes:
    """The admin's topic → subdivision rules, and which subdivisions the history chose per topic."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def all(self) -> list[TopicRoute]:
        """Every rule, by topic."""
        return list(self.session.scalars(select(TopicRoute).order_by(TopicRoute.topic)))

    def get(self, route_id: int) -> TopicRoute | None:
        return self.session.get(TopicRoute, route_id)

    def for_topic(self, topic: str) -> TopicRoute | None:
        """The rule of ``topic`` (already normalised: lower case, ё as е)."""
        return self.session.scalar(select(TopicRoute).where(TopicRoute.topic == topic))

    def remove(self, route: TopicRoute) -> None:
        self.session.delete(route)

    def most_chosen(
        self, topic: str, *, excluding_incident: int | None = None
    ) -> Subdivision | None:
        """The active subdivision most often routed to for messages on ``topic`` (one query).

        Ties go to the one chosen most recently. ``topic`` is compared as the
        incident system spells it; ``excluding_incident`` leaves one message's
        own routings out (the one being routed again after a decline).
        """
        chosen = IncidentEvent.data["subdivision_id"].as_integer()
        query = (
            select(Subdivision)
            .join(IncidentEvent, Subdivision.id == chosen)
            .join(Incident, Incident.id == IncidentEvent.incident_id)
            .where(
                IncidentEvent.kind == EventKind.ROUTE.value,
                Incident.topic == topic,
                Subdivision.active.is_(True),
            )
            .group_by(Subdivision.id)
            .order_by(func.count().desc(), func.max(IncidentEvent.id).desc())
            .limit(1)
        )
        if excluding_incident is not None:
            query = query.where(Incident.id != excluding_incident)
        return self.session.scalar(query)
