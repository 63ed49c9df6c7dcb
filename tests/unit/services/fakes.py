"""An in-memory unit of work: the use cases run on it with no database.

``FakeUnitOfWork`` keeps the persistence model instances themselves (ORM
classes instantiated without a session: relationships are plain lists and
``back_populates`` still wires both sides) and behaves like
``persistence.uow.SqlAlchemyUnitOfWork``:

- a ``with uow:`` block is one transaction; a block inside another joins it;
- leaving the outermost block flushes and commits (``committed`` counts it);
- an exception rolls back: the repositories' rows and every attribute of every
  held entity are put back as they were when the outermost block began
  (``rolled_back`` counts it), so "a refused step changes nothing" is checked
  for real;
- ``flush`` (also run before every query but a look-up by id, like SQLAlchemy's
  autoflush) gives new entities their ids (per type, from 1), applies the column
  defaults, fills foreign keys from relationships, enforces unique columns,
  refuses changes to history entries like the database's listener, and bumps
  ``Incident.version_id`` of incidents whose columns changed since the last
  flush (as ``version_id_col`` does).

What it does not do: two sessions racing each other (``StaleDataError`` at
commit). A lost optimistic-locking race between two transactions is covered by
``tests/integration/test_lifecycle.py`` on SQLite and PostgreSQL; here a stale
``expected_version`` is refused by ``workflow.load`` exactly as in the product.
Many-to-one relationships are not loaded from a foreign key either (the use
cases read the ids), and id counters are not rolled back (like sequences).
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Any, Self

from sqlalchemy import Table, UniqueConstraint
from sqlalchemy.orm import Mapper, class_mapper
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.interfaces import MANYTOONE, ONETOMANY

from incident_bridge.domain.errors import BridgeError, StorageError
from incident_bridge.domain.events import Timeline
from incident_bridge.domain.model import OutboundKind
from incident_bridge.domain.repeats import Message
from incident_bridge.domain.workflow import FINAL_STATUSES, OutboxState, Role
from incident_bridge.persistence.models import (
    Absence,
    AuthorMessage,
    CalendarOverrideRow,
    DictionaryWord,
    Draft,
    Incident,
    IncidentEvent,
    JobHealth,
    NewIncident,
    OutboxMessage,
    PeopleChange,
    Phrase,
    PhraseChange,
    QuarantinedRecord,
    RepeatLink,
    SecurityEvent,
    StaffingGap,
    Subdivision,
    SyncState,
    TopicRoute,
    User,
    WatchedPost,
    WatchTask,
    Webhook,
    WebhookDelivery,
)
from incident_bridge.services.unit_of_work import UnitOfWork

Autoflush = Callable[[], None]


class FakeIncidents:
    """Incidents, held in memory; their drafts, history and follow-ups live in their lists."""

    def __init__(self, autoflush: Autoflush, keep: Callable[[object], None]) -> None:
        self.rows: list[Incident] = []
        self._autoflush = autoflush
        self._keep = keep

    def get(self, incident_id: int) -> Incident | None:
        return next((i for i in self.rows if i.id == incident_id), None)

    def insert_new(self, new: Sequence[NewIncident]) -> dict[str, int]:
        self._autoflush()
        taken = {i.external_id for i in self.rows}
        kept: list[Incident] = []
        for one in new:
            if one.values["external_id"] in taken:
                continue  # ON CONFLICT DO NOTHING
            incident = Incident(**one.values)
            self._keep(incident)
            for entry in one.events:
                IncidentEvent(incident=incident, **entry)  # back_populates keeps it
            incident.follow_ups.extend(AuthorMessage(**m) for m in one.follow_ups)
            taken.add(incident.external_id)
            kept.append(incident)
        self._autoflush()
        return {i.external_id: i.id for i in kept}

    def by_external_ids(self, external_ids: Collection[str]) -> dict[str, Incident]:
        self._autoflush()
        wanted = set(external_ids)
        return {i.external_id: i for i in self.rows if i.external_id in wanted}

    def unscreened(self, limit: int) -> list[Incident]:
        self._autoflush()
        return sorted((i for i in self.rows if i.screening is None), key=_id)[:limit]

    def in_work_ids(self, due_within: tuple[datetime, datetime] | None = None) -> list[int]:
        self._autoflush()
        return sorted(
            i.id
            for i in self.rows
            if i.status not in FINAL_STATUSES
            and (
                due_within is None or i.due_at is None or due_within[0] <= i.due_at < due_within[1]
            )
        )

    def ids_after(self, last_id: int, limit: int) -> list[int]:
        self._autoflush()
        return sorted(i.id for i in self.rows if i.id > last_id)[:limit]

    def timelines(self, ids: Sequence[int]) -> list[Timeline]:
        from incident_bridge.services.deadlines import timeline_of

        self._autoflush()
        return [timeline_of(i) for i in self.rows if i.id in set(ids)]

    def set_due(
        self, due: Mapping[int, datetime | None], read_at: Mapping[int, int] | None = None
    ) -> int:
        written = 0
        for incident in self.rows:
            if incident.id in due and (
                read_at is None or read_at[incident.id] == incident.version_id
            ):
                incident.due_at = due[incident.id]
                written += 1
        return written

    def compact_tally(self) -> int:
        return 0  # the counts are the database's triggers': none in memory


class FakeOutbox:
    """Deliveries to the incident system, held in memory."""

    def __init__(self, autoflush: Autoflush) -> None:
        self.rows: list[OutboxMessage] = []
        self._autoflush = autoflush

    def get(self, outbox_id: int) -> OutboxMessage | None:
        return next((r for r in self.rows if r.id == outbox_id), None)

    def pending(self) -> list[OutboxMessage]:
        self._autoflush()
        return sorted((r for r in self.rows if r.state == OutboxState.PENDING), key=_id)

    def undelivered(self, incident_id: int, kind: OutboundKind) -> int:
        self._autoflush()
        return sum(
            1
            for r in self.rows
            if r.incident_id == incident_id and r.kind == kind and r.state != OutboxState.SENT
        )

    def claim_next(self, now: datetime) -> OutboxMessage | None:
        seen: set[int] = set()
        for row in self.pending():
            if row.incident_id in seen:
                continue
            seen.add(row.incident_id)
            if row.next_attempt_at <= now:
                return row
        return None


class FakeNotices:
    """Notifications are not kept in memory: their use cases are tested on SQLite and
    PostgreSQL (tests/integration/test_notifications.py). Any use here fails loudly."""

    def __getattr__(self, name: str) -> Any:
        raise NotImplementedError(f"notifications ({name}) are tested on a real database")


class FakeApiTokens:
    """API tokens are tested on SQLite and PostgreSQL (tests/functional/test_api.py)."""

    def __getattr__(self, name: str) -> Any:
        raise NotImplementedError(f"API tokens ({name}) are tested on a real database")


class FakeWebhooks:
    """No subscriptions: the use cases that emit events see none and queue nothing. Webhooks
    themselves are tested on SQLite and PostgreSQL (tests/integration/test_webhooks.py)."""

    def active(self) -> list[Webhook]:
        return []

    def _real_database(self) -> NotImplementedError:
        return NotImplementedError("webhooks are tested on a real database")

    def get(self, webhook_id: int) -> Webhook | None:
        raise self._real_database()

    def all(self) -> list[Webhook]:
        raise self._real_database()

    def add_delivery(self, delivery: WebhookDelivery) -> None:
        raise self._real_database()

    def known(self, event_ids: Collection[str]) -> set[tuple[int, str]]:
        raise self._real_database()

    def claim_next(self, now: datetime, skip: Collection[int] = ()) -> WebhookDelivery | None:
        raise self._real_database()

    def fail_pending(self, webhook_id: int, message: str) -> int:
        raise self._real_database()

    def counts(self) -> dict[int, dict[str, int]]:
        raise self._real_database()

    def last_statuses(self) -> dict[int, int | None]:
        raise self._real_database()

    def latest_deliveries(self, limit: int) -> list[WebhookDelivery]:
        raise self._real_database()


class FakeQuarantine:
    """Records that failed validation, held in memory."""

    def __init__(self, autoflush: Autoflush) -> None:
        self.rows: list[QuarantinedRecord] = []
        self._autoflush = autoflush

    def get(self, record_id: int) -> QuarantinedRecord | None:
        return next((r for r in self.rows if r.id == record_id), None)

    def waiting_for_incident(self, source: str, external_id: str) -> QuarantinedRecord | None:
        return next((r for r in self._open(source) if r.external_id == external_id), None)

    def waiting_for_page(self, source: str, page_cursor: str) -> QuarantinedRecord | None:
        return next(
            (
                r
                for r in self._open(source)
                if r.external_id is None and r.page_cursor == page_cursor
            ),
            None,
        )

    def waiting_for_incidents(
        self, source: str, external_ids: Collection[str]
    ) -> list[QuarantinedRecord]:
        wanted = set(external_ids)
        return [r for r in self._open(source) if r.external_id in wanted]

    def retryable(self, source: str, max_attempts: int, limit: int) -> list[QuarantinedRecord]:
        found = [r for r in self._open(source) if r.attempts < max_attempts]
        found.sort(key=lambda r: (r.attempts, r.external_id is None, r.id))
        return found[:limit]

    def latest_with_raw(self, source: str, raw: str) -> QuarantinedRecord | None:
        self._autoflush()
        same = [r for r in self.rows if r.source == source and r.raw == raw]
        return max(same, key=_id, default=None)

    def _open(self, source: str) -> list[QuarantinedRecord]:
        self._autoflush()
        return sorted(
            (r for r in self.rows if r.resolved_at is None and r.source == source), key=_id
        )


class FakeSyncStates:
    """The poller's cursor and health per incident system, held in memory."""

    def __init__(self, autoflush: Autoflush) -> None:
        self.rows: list[SyncState] = []
        self._autoflush = autoflush

    def get(self, system: str) -> SyncState | None:
        self._autoflush()
        return next((s for s in self.rows if s.system == system), None)


class FakeJobs:
    """How each background job has been doing, held in memory."""

    def __init__(self, autoflush: Autoflush) -> None:
        self.rows: list[JobHealth] = []
        self._autoflush = autoflush

    def get(self, job: str) -> JobHealth | None:
        self._autoflush()
        return next((j for j in self.rows if j.job == job), None)

    def all(self) -> list[JobHealth]:
        self._autoflush()
        return sorted(self.rows, key=lambda j: j.job)


class FakeCalendar:
    """Local overrides of the working calendar, held in memory."""

    def __init__(self, autoflush: Autoflush) -> None:
        self.rows: list[CalendarOverrideRow] = []
        self._autoflush = autoflush

    def overrides(self) -> list[CalendarOverrideRow]:
        self._autoflush()
        return sorted(self.rows, key=_id)

    def get(self, override_id: int) -> CalendarOverrideRow | None:
        return next((r for r in self.rows if r.id == override_id), None)


class FakeDictionary:
    """The organisation's own spelling dictionary, held in memory."""

    def __init__(self, autoflush: Autoflush) -> None:
        self.rows: list[DictionaryWord] = []
        self._autoflush = autoflush

    def words(self) -> list[DictionaryWord]:
        self._autoflush()
        return sorted(self.rows, key=lambda w: w.word.lower())

    def find(self, word: str) -> DictionaryWord | None:
        self._autoflush()
        return next((w for w in self.rows if w.word.lower() == word.lower()), None)

    def get(self, word_id: int) -> DictionaryWord | None:
        return next((w for w in self.rows if w.id == word_id), None)

    def remove(self, word: DictionaryWord) -> None:
        self.rows.remove(word)


class FakePeople:
    """Subdivisions and people, held in memory."""

    def __init__(self, autoflush: Autoflush) -> None:
        self.subdivision_rows: list[Subdivision] = []
        self.user_rows: list[User] = []
        self._autoflush = autoflush

    def subdivision(self, subdivision_id: int) -> Subdivision | None:
        return next((s for s in self.subdivision_rows if s.id == subdivision_id), None)

    def subdivision_named(self, name: str) -> Subdivision | None:
        self._autoflush()
        return next((s for s in self.subdivision_rows if s.name.lower() == name.lower()), None)

    def subdivisions(self, *, active_only: bool = True) -> list[Subdivision]:
        self._autoflush()
        found = [s for s in self.subdivision_rows if s.active or not active_only]
        return sorted(found, key=lambda s: s.name)

    def user(self, user_id: int) -> User | None:
        return next((u for u in self.user_rows if u.id == user_id), None)

    def user_by_login(self, login: str) -> User | None:
        self._autoflush()
        return next((u for u in self.user_rows if u.login == login), None)

    def users(self) -> list[User]:
        self._autoflush()
        return sorted(self.user_rows, key=lambda u: (u.role.value, u.full_name))

    def active_admins(self) -> int:
        self._autoflush()
        return sum(1 for u in self.user_rows if u.role is Role.ADMIN and u.active)


class FakeSecurityLog:
    """The append-only security log, held in memory."""

    def __init__(self, autoflush: Autoflush) -> None:
        self.rows: list[SecurityEvent] = []
        self._autoflush = autoflush

    def recent(self, limit: int, login: str | None = None) -> list[SecurityEvent]:
        self._autoflush()
        rows = [r for r in reversed(self.rows) if login is None or r.login == login]
        return rows[:limit]


class FakeTopicRoutes:
    """The admin's topic rules, held in memory; the history's choices read from the incidents."""

    def __init__(self, autoflush: Autoflush, incidents: FakeIncidents, people: FakePeople) -> None:
        self.rows: list[TopicRoute] = []
        self._autoflush = autoflush
        self._incidents = incidents
        self._people = people

    def all(self) -> list[TopicRoute]:
        self._autoflush()
        return sorted(self.rows, key=lambda r: r.topic)

    def get(self, route_id: int) -> TopicRoute | None:
        return next((r for r in self.rows if r.id == route_id), None)

    def for_topic(self, topic: str) -> TopicRoute | None:
        self._autoflush()
        return next((r for r in self.rows if r.topic == topic), None)

    def remove(self, route: TopicRoute) -> None:
        self.rows.remove(route)

    def most_chosen(
        self, topic: str, *, excluding_incident: int | None = None
    ) -> Subdivision | None:
        self._autoflush()
        tally: dict[int, tuple[int, int]] = {}  # subdivision id -> (count, latest event id)
        for incident in self._incidents.rows:
            if incident.topic != topic or incident.id == excluding_incident:
                continue
            for entry in incident.events:
                chosen = (entry.data or {}).get("subdivision_id")
                if entry.kind != "route" or chosen is None:
                    continue
                count, _ = tally.get(chosen, (0, 0))
                tally[chosen] = (count + 1, entry.id)
        ranked = sorted(tally.items(), key=lambda item: item[1], reverse=True)
        for subdivision_id, _ in ranked:
            subdivision = self._people.subdivision(subdivision_id)
            if subdivision is not None and subdivision.active:
                return subdivision
        return None


class FakeRepeats:
    """Repeat links in memory; the candidates are every stored message that could match."""

    def __init__(self, autoflush: Autoflush, incidents: FakeIncidents) -> None:
        self.rows: list[RepeatLink] = []
        self._autoflush = autoflush
        self._incidents = incidents

    def _wired(self, link: RepeatLink) -> RepeatLink:
        link.repeat = self._incidents.get(link.repeat_id)  # type: ignore[assignment]
        link.earlier = self._incidents.get(link.earlier_id)  # type: ignore[assignment]
        return link

    def earlier_of(self, incident_id: int) -> RepeatLink | None:
        self._autoflush()
        found = next((r for r in self.rows if r.repeat_id == incident_id), None)
        return self._wired(found) if found else None

    def repeats_of(self, incident_id: int) -> list[RepeatLink]:
        self._autoflush()
        return [self._wired(r) for r in self.rows if r.earlier_id == incident_id]

    def linked(self, incident_ids: Collection[int]) -> set[int]:
        self._autoflush()
        return {r.repeat_id for r in self.rows if r.repeat_id in set(incident_ids)}

    def by_number(self, number: str) -> Incident | None:
        self._autoflush()
        return next((i for i in sorted(self._incidents.rows, key=_id) if i.number == number), None)

    def candidates(
        self,
        *,
        numbers: Collection[str],
        author_urls: Collection[str],
        places: Collection[str],
        since: datetime,
        limit: int = 5000,
    ) -> list[Message]:
        self._autoflush()
        found = [
            i for i in self._incidents.rows
            if i.number in numbers
            or (i.remote_created_at >= since
                and (i.author_url in author_urls or (i.place_key and i.place_key in places)))
        ]  # fmt: skip
        found.sort(key=lambda i: i.remote_created_at, reverse=True)
        return [
            Message(i.id, i.number, i.remote_created_at, i.text, i.author_url, i.municipality,
                    i.topic, i.place_key)
            for i in found[:limit]
        ]  # fmt: skip

    def add_all(self, links: Sequence[RepeatLink]) -> None:
        self.rows.extend(links)

    def remove(self, link: RepeatLink) -> None:
        self.rows.remove(link)


class FakeStaffing:
    """Executors' absences, the people log and staffing gaps, held in memory."""

    def __init__(self, autoflush: Autoflush, incidents: FakeIncidents, people: FakePeople) -> None:
        self.absence_rows: list[Absence] = []
        self.change_rows: list[PeopleChange] = []
        self.gap_rows: list[StaffingGap] = []
        self._autoflush = autoflush
        self._incidents = incidents
        self._people = people

    def absence(self, absence_id: int) -> Absence | None:
        return next((a for a in self.absence_rows if a.id == absence_id), None)

    def absences(self) -> list[Absence]:
        self._autoflush()
        return sorted(self.absence_rows, key=lambda a: (a.first_day, a.id), reverse=True)

    def executors(self) -> list[User]:
        self._autoflush()
        found = [u for u in self._people.user_rows if u.role is Role.EXECUTOR]
        return sorted(found, key=lambda u: (u.full_name, u.id))

    def open_assigned(self, user_id: int) -> list[Incident]:
        self._autoflush()
        return [
            i
            for i in self._incidents.rows
            if i.assignee_id == user_id and i.status not in FINAL_STATUSES
        ]

    def handed_over(self, absence_id: int) -> list[Incident]:
        self._autoflush()
        return [
            i
            for i in self._incidents.rows
            if i.status not in FINAL_STATUSES
            and any(
                e.kind == "reassigned" and (e.data or {}).get("absence_id") == absence_id
                for e in i.events
            )
        ]

    def open_gaps(self, subdivision_ids: Collection[int] | None = None) -> list[StaffingGap]:
        self._autoflush()
        return sorted(
            (
                g
                for g in self.gap_rows
                if g.closed_at is None
                and (subdivision_ids is None or g.subdivision_id in subdivision_ids)
            ),
            key=lambda g: g.since,
        )

    def log(self, limit: int) -> list[PeopleChange]:
        self._autoflush()
        return list(reversed(self.change_rows))[:limit]


@dataclass(slots=True)
class _Snapshot:
    """What the outermost block began with: each table's rows, each entity's attributes."""

    tables: list[list[Any]]
    entities: dict[object, dict[str, Any]]
    flushed: dict[object, dict[str, Any]]


class FakeWatch:
    """The Governor's watched posts in memory; bodies, tasks and history hang on each post."""

    def __init__(self, autoflush: Autoflush, incidents: FakeIncidents) -> None:
        self.rows: list[WatchedPost] = []
        self._autoflush = autoflush
        self._incidents = incidents

    def get(self, post_id: int) -> WatchedPost | None:
        return next((p for p in self.rows if p.id == post_id), None)

    def posts(self) -> list[WatchedPost]:
        self._autoflush()
        return sorted(self.rows, key=lambda p: (p.published_at, p.id), reverse=True)

    def by_urls(self, urls: Collection[str]) -> dict[str, WatchedPost]:
        self._autoflush()
        return {p.url: p for p in self.rows if p.url in set(urls)}

    def task(self, task_id: int) -> WatchTask | None:
        return next((t for p in self.rows for t in p.tasks if t.id == task_id), None)

    def comments(self, post: WatchedPost) -> list[Incident]:
        from incident_bridge.domain.watch import normalise_url

        self._autoflush()
        return [
            i for i in self._incidents.rows if i.post_url and normalise_url(i.post_url) == post.url
        ]


class FakePhrases:
    """Approved phrases and their log, held in memory."""

    def __init__(self, autoflush: Autoflush) -> None:
        self.rows: list[Phrase] = []
        self.change_rows: list[PhraseChange] = []
        self._autoflush = autoflush

    def get(self, phrase_id: int) -> Phrase | None:
        return next((p for p in self.rows if p.id == phrase_id), None)

    def active(self, subdivision_ids: list[int | None] | None = None) -> list[Phrase]:
        self._autoflush()
        return [
            p
            for p in self.rows
            if p.archived_at is None
            and (subdivision_ids is None or p.subdivision_id in subdivision_ids)
        ]

    def log(self, limit: int) -> list[PhraseChange]:
        self._autoflush()
        return list(reversed(self.change_rows))[:limit]


class FakeUnitOfWork:
    """The ``UnitOfWork`` of the unit tests: in memory, committed or really rolled back."""

    def __init__(self) -> None:
        self.incidents = FakeIncidents(self.flush, self.add)
        self.outbox = FakeOutbox(self.flush)
        self.quarantine = FakeQuarantine(self.flush)
        self.sync_states = FakeSyncStates(self.flush)
        self.jobs = FakeJobs(self.flush)
        self.calendar = FakeCalendar(self.flush)
        self.dictionary = FakeDictionary(self.flush)
        self.people = FakePeople(self.flush)
        self.security = FakeSecurityLog(self.flush)
        self.topic_routes = FakeTopicRoutes(self.flush, self.incidents, self.people)
        self.watch = FakeWatch(self.flush, self.incidents)
        self.repeats = FakeRepeats(self.flush, self.incidents)
        self.staffing = FakeStaffing(self.flush, self.incidents, self.people)
        self.notices = FakeNotices()
        self.api_tokens = FakeApiTokens()
        self.webhooks = FakeWebhooks()
        self.phrases = FakePhrases(self.flush)
        #: How many outermost blocks committed, and how many rolled back.
        self.committed = 0
        self.rolled_back = 0
        self._depth = 0
        self._snapshot: _Snapshot | None = None
        self._ids: dict[type, Iterator[int]] = {}
        # Column values as of the last flush: what "changed since" is measured against.
        self._flushed: dict[object, dict[str, Any]] = {}

    # -- the transaction ------------------------------------------------------------------

    def __enter__(self) -> Self:
        if self._depth == 0:
            self._snapshot = self._take_snapshot()
        self._depth += 1
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._depth -= 1
        if self._depth:
            return  # an inner block: the outermost one commits or rolls back
        if exc_type is not None:
            self._rollback()
            return
        try:
            self.flush()
        except BaseException:
            self._rollback()
            raise
        self._snapshot = None
        self.committed += 1

    def add(self, entity: object) -> None:
        """Keep a new entity in the repository of its type (children go to their incident)."""
        table = self._table_of(entity)
        if table is not None:
            if entity not in table:
                table.append(entity)
            return
        if isinstance(entity, IncidentEvent | Draft | AuthorMessage):
            self._attach_child(entity)
            return
        raise TypeError(f"FakeUnitOfWork cannot keep a {type(entity).__name__}")

    def flush(self) -> None:
        """Give new entities ids and defaults, wire foreign keys, check constraints, bump versions."""
        entities = list(self._entities())
        for entity in entities:
            if entity.id is None:
                _apply_defaults(entity)
                entity.id = next(self._ids.setdefault(type(entity), itertools.count(1)))
        for entity in entities:
            _sync_foreign_keys(entity)
        _check_unique(entities)
        flushed: dict[object, dict[str, Any]] = {}
        for entity in entities:
            before = self._flushed.get(entity)
            now = _columns(entity)
            if before is not None and before != now:
                if isinstance(entity, IncidentEvent):
                    raise BridgeError(
                        "История сообщения только дополняется: запись нельзя изменить или удалить."
                    )
                if isinstance(entity, Incident) and _without_version(before) != _without_version(
                    now
                ):
                    entity.version_id = before["version_id"] + 1
                    now = _columns(entity)
            flushed[entity] = now
        self._flushed = flushed

    # -- what the fake holds --------------------------------------------------------------

    def _tables(self) -> list[list[Any]]:
        return [
            self.incidents.rows,
            self.outbox.rows,
            self.quarantine.rows,
            self.sync_states.rows,
            self.jobs.rows,
            self.calendar.rows,
            self.dictionary.rows,
            self.people.subdivision_rows,
            self.people.user_rows,
            self.security.rows,
            self.topic_routes.rows,
            self.watch.rows,
            self.repeats.rows,
            self.staffing.absence_rows,
            self.staffing.change_rows,
            self.staffing.gap_rows,
            self.phrases.rows,
            self.phrases.change_rows,
        ]

    def _table_of(self, entity: object) -> list[Any] | None:
        match entity:
            case Incident():
                return self.incidents.rows
            case OutboxMessage():
                return self.outbox.rows
            case QuarantinedRecord():
                return self.quarantine.rows
            case SyncState():
                return self.sync_states.rows
            case JobHealth():
                return self.jobs.rows
            case CalendarOverrideRow():
                return self.calendar.rows
            case DictionaryWord():
                return self.dictionary.rows
            case Subdivision():
                return self.people.subdivision_rows
            case User():
                return self.people.user_rows
            case SecurityEvent():
                return self.security.rows
            case TopicRoute():
                return self.topic_routes.rows
            case WatchedPost():
                return self.watch.rows
            case RepeatLink():
                return self.repeats.rows
            case Absence():
                return self.staffing.absence_rows
            case PeopleChange():
                return self.staffing.change_rows
            case StaffingGap():
                return self.staffing.gap_rows
            case Phrase():
                return self.phrases.rows
            case PhraseChange():
                return self.phrases.change_rows
        return None

    def _attach_child(self, entity: IncidentEvent | Draft | AuthorMessage) -> None:
        """A draft, history entry or follow-up is stored in its incident's list."""
        if isinstance(entity, AuthorMessage):
            parent = self.incidents.get(entity.incident_id)
            if parent is None:
                raise ValueError("A follow-up needs the id of a kept incident.")
            if entity not in parent.follow_ups:
                parent.follow_ups.append(entity)
            return
        incident = entity.incident or self.incidents.get(entity.incident_id)
        if incident is None or incident not in self.incidents.rows:
            raise ValueError(
                f"A {type(entity).__name__} needs an incident kept by the unit of work."
            )
        entity.incident = incident  # back_populates puts it in the incident's list

    def _entities(self) -> Iterator[Any]:
        for table in self._tables():
            yield from table
        for incident in self.incidents.rows:
            yield from incident.drafts
            yield from incident.events
            yield from incident.follow_ups
        for post in self.watch.rows:
            yield from post.bodies
            yield from post.tasks
            yield from post.events

    # -- rollback -------------------------------------------------------------------------

    def _take_snapshot(self) -> _Snapshot:
        return _Snapshot(
            tables=[list(table) for table in self._tables()],
            entities={entity: _attributes(entity) for entity in self._entities()},
            flushed=dict(self._flushed),
        )

    def _rollback(self) -> None:
        snapshot, self._snapshot = self._snapshot, None
        assert snapshot is not None, "rollback outside a transaction"
        for table, rows in zip(self._tables(), snapshot.tables, strict=True):
            table[:] = rows
        for entity, attributes in snapshot.entities.items():
            _restore(entity, attributes)
        self._flushed = snapshot.flushed
        self.rolled_back += 1


def _id(entity: Any) -> int:
    return int(entity.id) if entity.id is not None else 0


def _mapper(entity: object) -> Mapper[Any]:
    return class_mapper(type(entity))


def _column_keys(entity: object) -> list[str]:
    return [attribute.key for attribute in _mapper(entity).column_attrs]


def _columns(entity: object) -> dict[str, Any]:
    """The entity's column values (copied: JSON columns hold mutable dicts and lists)."""
    return {key: copy.deepcopy(entity.__dict__.get(key)) for key in _column_keys(entity)}


def _without_version(columns: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in columns.items() if key != "version_id"}


def _attributes(entity: object) -> dict[str, Any]:
    """Everything a rollback must put back: set columns, relationship targets and lists."""
    mapper = _mapper(entity)
    saved: dict[str, Any] = {
        key: copy.deepcopy(entity.__dict__[key])
        for key in _column_keys(entity)
        if key in entity.__dict__
    }
    for relationship in mapper.relationships:
        if relationship.uselist:
            saved[relationship.key] = list(getattr(entity, relationship.key))
        elif relationship.key in entity.__dict__:
            saved[relationship.key] = entity.__dict__[relationship.key]
    return saved


def _restore(entity: object, saved: dict[str, Any]) -> None:
    """Put the attributes back without firing back_populates (each side is restored itself)."""
    mapper = _mapper(entity)
    for key in [*_column_keys(entity), *(r.key for r in mapper.relationships)]:
        if key in saved:
            set_committed_value(entity, key, saved[key])
        else:
            entity.__dict__.pop(key, None)


def _apply_defaults(entity: object) -> None:
    """What an INSERT would fill in: the column defaults of attributes never set."""
    mapper = _mapper(entity)
    for attribute in mapper.column_attrs:
        default = attribute.columns[0].default
        if attribute.key in entity.__dict__ or default is None:
            continue
        if default.is_scalar:
            setattr(entity, attribute.key, default.arg)
        elif default.is_callable:
            setattr(entity, attribute.key, default.arg(None))


def _sync_foreign_keys(entity: object) -> None:
    """Copy the related rows' ids into the foreign keys, as a flush does."""
    mapper = _mapper(entity)
    for relationship in mapper.relationships:
        value = entity.__dict__.get(relationship.key)
        if value is None:
            continue
        if relationship.direction is MANYTOONE:
            _copy_keys(value, entity, relationship.local_remote_pairs, reverse=True)
        elif relationship.direction is ONETOMANY:
            for child in value:
                _copy_keys(entity, child, relationship.local_remote_pairs, reverse=False)


def _copy_keys(source: object, target: object, pairs: Any, *, reverse: bool) -> None:
    for local, remote in pairs:
        source_column, target_column = (remote, local) if reverse else (local, remote)
        source_key = _mapper(source).get_property_by_column(source_column).key
        target_key = _mapper(target).get_property_by_column(target_column).key
        value = source.__dict__.get(source_key)
        if value is not None and target.__dict__.get(target_key) != value:
            setattr(target, target_key, value)


def _check_unique(entities: Iterable[object]) -> None:
    """Refuse duplicates of unique columns, as the database's constraints would."""
    seen: set[tuple[Any, ...]] = set()
    for entity in entities:
        mapper = _mapper(entity)
        table = mapper.local_table
        assert isinstance(table, Table)
        for constraint in table.constraints:
            if not isinstance(constraint, UniqueConstraint):
                continue
            keys = tuple(mapper.get_property_by_column(c).key for c in constraint.columns)
            values = tuple(entity.__dict__.get(key) for key in keys)
            if any(value is None for value in values):
                continue  # NULLs never conflict
            marker = (table.name, keys, values)
            if marker in seen:
                raise StorageError(f"{marker} is not unique", conflict=True)
            seen.add(marker)


@dataclass(frozen=True, slots=True)
class Cast:
    """The standard people of the unit tests: two subdivisions and who works there."""

    roads: Subdivision
    housing: Subdivision
    operator: User
    curator: User
    admin: User
    roads_executor: User
    housing_executor: User


def seed_cast(uow: FakeUnitOfWork, now: datetime) -> Cast:
    """Two subdivisions, an operator, a curator, an admin and an executor of each, committed."""
    with uow:
        roads = Subdivision(name="Управление дорожного хозяйства", active=True)
        housing = Subdivision(name="Управление ЖКХ", active=True)
        uow.add(roads)
        uow.add(housing)
        uow.flush()

        def person(login: str, role: Role, subdivision: Subdivision | None = None) -> User:
            user = User(
                login=login,
                full_name=login.title(),
                password_hash="!",  # nobody signs in here; a real hash costs tens of ms
                role=role,
                subdivision_id=subdivision.id if subdivision else None,
                active=True,
                created_at=now,
            )
            uow.add(user)
            return user

        cast = Cast(
            roads=roads,
            housing=housing,
            operator=person("operator", Role.OPERATOR),
            curator=person("curator", Role.CURATOR),
            admin=person("admin", Role.ADMIN),
            roads_executor=person("roads", Role.EXECUTOR, roads),
            housing_executor=person("housing", Role.EXECUTOR, housing),
        )
    return cast


def as_unit_of_work(uow: FakeUnitOfWork) -> UnitOfWork:
    """The fake, typed as the Protocol: mypy checks here that it implements ``UnitOfWork``."""
    return uow
