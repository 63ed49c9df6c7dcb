"""What the use cases need from storage: a unit of work and the repositories it carries.

Protocols, so the use cases run on SQLAlchemy in the product
(``persistence.uow.SqlAlchemyUnitOfWork``) and on in-memory fakes in unit tests.
A ``with uow:`` block is one transaction: leaving it commits, an exception
rolls back; a block inside another joins it. Use cases never commit themselves.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from types import TracebackType
from typing import Protocol, Self

from incident_bridge.domain.events import Timeline
from incident_bridge.domain.model import OutboundKind
from incident_bridge.domain.repeats import Message
from incident_bridge.persistence.models import (
    Absence,
    ApiToken,
    CalendarOverrideRow,
    DictionaryWord,
    Incident,
    JobHealth,
    NewIncident,
    Notification,
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


class Incidents(Protocol):
    """Incidents by id and by the incident system's id."""

    def get(self, incident_id: int) -> Incident | None: ...

    def by_external_ids(self, external_ids: Collection[str]) -> dict[str, Incident]: ...

    def in_work_ids(self, due_within: tuple[datetime, datetime] | None = None) -> list[int]: ...

    def ids_after(self, last_id: int, limit: int) -> list[int]:
        """Ids of every incident above ``last_id``, ascending, at most ``limit`` (keyset pages)."""
        ...

    def unscreened(self, limit: int) -> list[Incident]: ...

    def insert_new(self, new: Sequence[NewIncident]) -> dict[str, int]:
        """Store brand-new incidents in bulk; external id -> id of each one stored.

        One whose external id is stored already (another writer got there first) is
        left out of the answer and not stored: the caller folds it in as an update.
        """
        ...

    def timelines(self, ids: Sequence[int]) -> list[Timeline]: ...

    def set_due(
        self, due: Mapping[int, datetime | None], read_at: Mapping[int, int] | None = None
    ) -> int:
        """Store computed due times; with ``read_at``, only where the version is unchanged."""
        ...

    def compact_tally(self) -> int:
        """Fold the queue's signed counts per state into one row per key."""
        ...


class Outbox(Protocol):
    """Deliveries to the incident system."""

    def get(self, outbox_id: int) -> OutboxMessage | None: ...

    def pending(self) -> list[OutboxMessage]: ...

    def claim_next(self, now: datetime) -> OutboxMessage | None:
        """The oldest due pending row whose incident has no earlier pending one, claimed."""
        ...

    def undelivered(self, incident_id: int, kind: OutboundKind) -> int:
        """How many of the incident's rows of ``kind`` are not delivered yet."""
        ...


class Quarantine(Protocol):
    """Records that failed validation."""

    def get(self, record_id: int) -> QuarantinedRecord | None: ...

    def waiting_for_incident(self, source: str, external_id: str) -> QuarantinedRecord | None: ...

    def waiting_for_page(self, source: str, page_cursor: str) -> QuarantinedRecord | None: ...

    def waiting_for_incidents(
        self, source: str, external_ids: Collection[str]
    ) -> list[QuarantinedRecord]: ...

    def retryable(self, source: str, max_attempts: int, limit: int) -> list[QuarantinedRecord]: ...

    def latest_with_raw(self, source: str, raw: str) -> QuarantinedRecord | None: ...


class SyncStates(Protocol):
    """The poller's cursor and health per incident system."""

    def get(self, system: str) -> SyncState | None: ...


class Jobs(Protocol):
    """How each background job has been doing."""

    def get(self, job: str) -> JobHealth | None: ...

    def all(self) -> list[JobHealth]: ...


class Calendar(Protocol):
    """Local overrides of the working calendar."""

    def overrides(self) -> list[CalendarOverrideRow]: ...

    def get(self, override_id: int) -> CalendarOverrideRow | None: ...


class Dictionary(Protocol):
    """The organisation's own spelling dictionary."""

    def words(self) -> list[DictionaryWord]: ...

    def find(self, word: str) -> DictionaryWord | None: ...

    def get(self, word_id: int) -> DictionaryWord | None: ...

    def remove(self, word: DictionaryWord) -> None: ...


class People(Protocol):
    """Subdivisions and the people who sign in."""

    def subdivision(self, subdivision_id: int) -> Subdivision | None: ...

    def subdivision_named(self, name: str) -> Subdivision | None: ...

    def subdivisions(self, *, active_only: bool = True) -> list[Subdivision]: ...

    def user(self, user_id: int) -> User | None: ...

    def user_by_login(self, login: str) -> User | None: ...

    def users(self) -> list[User]: ...

    def active_admins(self) -> int: ...


class SecurityLog(Protocol):
    """The append-only security log."""

    def recent(self, limit: int, login: str | None = None) -> list[SecurityEvent]: ...


class TopicRoutes(Protocol):
    """The admin's topic → subdivision rules, and which subdivisions the history chose per topic."""

    def all(self) -> list[TopicRoute]: ...

    def get(self, route_id: int) -> TopicRoute | None: ...

    def for_topic(self, topic: str) -> TopicRoute | None: ...

    def remove(self, route: TopicRoute) -> None: ...

    def most_chosen(
        self, topic: str, *, excluding_incident: int | None = None
    ) -> Subdivision | None: ...


class WatchPosts(Protocol):
    """The Governor's posts watch: posts by id and url, their tasks, their comment incidents."""

    def get(self, post_id: int) -> WatchedPost | None: ...

    def posts(self) -> list[WatchedPost]: ...

    def by_urls(self, urls: Collection[str]) -> dict[str, WatchedPost]: ...

    def task(self, task_id: int) -> WatchTask | None: ...

    def comments(self, post: WatchedPost) -> list[Incident]: ...


class Repeats(Protocol):
    """Repeat links both ways, and the earlier messages a batch of new ones may repeat."""

    def earlier_of(self, incident_id: int) -> RepeatLink | None: ...

    def repeats_of(self, incident_id: int) -> list[RepeatLink]: ...

    def linked(self, incident_ids: Collection[int]) -> set[int]: ...

    def by_number(self, number: str) -> Incident | None: ...

    def candidates(
        self,
        *,
        numbers: Collection[str],
        author_urls: Collection[str],
        places: Collection[str],
        since: datetime,
        limit: int = 5000,
    ) -> list[Message]: ...

    def add_all(self, links: Sequence[RepeatLink]) -> None: ...

    def remove(self, link: RepeatLink) -> None: ...


class Staffing(Protocol):
    """Executors, their absences, the people log and the bodies' staffing gaps."""

    def absence(self, absence_id: int) -> Absence | None: ...

    def absences(self) -> list[Absence]: ...

    def executors(self) -> list[User]: ...

    def open_assigned(self, user_id: int) -> list[Incident]: ...

    def handed_over(self, absence_id: int) -> list[Incident]: ...

    def open_gaps(self, subdivision_ids: Collection[int] | None = None) -> list[StaffingGap]: ...

    def log(self, limit: int) -> list[PeopleChange]: ...


class Notices(Protocol):
    """Notifications, the people they go to and the messages they are about."""

    def add(self, notification: Notification) -> None: ...

    def known(self, keys: Collection[str]) -> set[tuple[int, str]]: ...

    def told_since(self, kind: str, subject: str, since: datetime) -> bool: ...

    def breaches(self, subdivision_id: int, since: datetime) -> int: ...

    def due_between(self, start: datetime, end: datetime) -> list[Incident]: ...

    def arrived_since(self, since: datetime) -> list[Incident]: ...

    def crowded(
        self, column: str, since: datetime, at_least: int
    ) -> list[tuple[str, int, datetime]]: ...

    def returned_often(self, since: datetime, at_least: int) -> list[tuple[int, int]]: ...

    def people(self, *, roles: Sequence[str] = (), duties: Sequence[str] = ()) -> list[User]: ...

    def executors_of(self, subdivision_id: int) -> list[User]: ...

    def subdivision(self, subdivision_id: int) -> Subdivision | None: ...

    def user(self, user_id: int) -> User | None: ...

    def claim_mail(self, now: datetime) -> Notification | None: ...

    def unread(self, user_id: int) -> int: ...

    def latest(self, user_id: int, limit: int) -> list[Notification]: ...

    def mark_read(self, user_id: int, now: datetime) -> int: ...


class ApiTokens(Protocol):
    """Personal API tokens."""

    def get(self, token_id: int) -> ApiToken | None: ...

    def by_digest(self, digest: str) -> ApiToken | None: ...

    def all(self) -> list[ApiToken]: ...


class Webhooks(Protocol):
    """Host systems' webhook subscriptions and the outbox of their deliveries."""

    def get(self, webhook_id: int) -> Webhook | None: ...

    def all(self) -> list[Webhook]: ...

    def active(self) -> list[Webhook]: ...

    def add_delivery(self, delivery: WebhookDelivery) -> None: ...

    def known(self, event_ids: Collection[str]) -> set[tuple[int, str]]: ...

    def claim_next(self, now: datetime, skip: Collection[int] = ()) -> WebhookDelivery | None:
        """The oldest due pending delivery of an active subscription not in ``skip``, claimed."""
        ...

    def fail_pending(self, webhook_id: int, message: str) -> int: ...

    def counts(self) -> dict[int, dict[str, int]]: ...

    def last_statuses(self) -> dict[int, int | None]: ...

    def latest_deliveries(self, limit: int) -> list[WebhookDelivery]: ...


class Phrases(Protocol):
    """Approved phrases (the archived ones kept) and the append-only log of their changes."""

    def get(self, phrase_id: int) -> Phrase | None: ...

    def active(self, subdivision_ids: list[int | None] | None = None) -> list[Phrase]:
        """Not archived: every one (None), or those of the listed subdivisions (None: common)."""
        ...

    def log(self, limit: int) -> list[PhraseChange]: ...


class UnitOfWork(Protocol):
    """One transaction around a use case, and the repositories it reads and changes."""

    @property
    def incidents(self) -> Incidents: ...

    @property
    def outbox(self) -> Outbox: ...

    @property
    def quarantine(self) -> Quarantine: ...

    @property
    def sync_states(self) -> SyncStates: ...

    @property
    def jobs(self) -> Jobs: ...

    @property
    def calendar(self) -> Calendar: ...

    @property
    def dictionary(self) -> Dictionary: ...

    @property
    def people(self) -> People: ...

    @property
    def security(self) -> SecurityLog: ...

    @property
    def topic_routes(self) -> TopicRoutes: ...

    @property
    def watch(self) -> WatchPosts: ...

    @property
    def repeats(self) -> Repeats: ...

    @property
    def staffing(self) -> Staffing: ...

    @property
    def notices(self) -> Notices: ...

    @property
    def api_tokens(self) -> ApiTokens: ...

    @property
    def webhooks(self) -> Webhooks: ...

    @property
    def phrases(self) -> Phrases: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def add(self, entity: object) -> None:
        """Keep a new entity (stored when the transaction commits)."""
        ...

    def flush(self) -> None:
        """Give new entities their ids now."""
        ...
