"""The bridge's tables.

Shaped for what comes later: an incident has many drafts (one per round and,
later, per executor's part), an append-only event history, author follow-ups
and outbox rows; subdivisions and users are separate so substitutes and
several executors per message fit without a rewrite.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from incident_bridge.domain.errors import BridgeError
from incident_bridge.domain.model import CARD_LIMITS, MAX_REPLY_LENGTH, DraftKind, OutboundKind
from incident_bridge.domain.parts import PartState
from incident_bridge.domain.regulations import Combiner, PartsMode
from incident_bridge.domain.workflow import DraftState, OutboxState, Role, Status
from incident_bridge.persistence.base import Base, StrEnumType


class Subdivision(Base):
    """A structural subdivision of the administration that executes messages."""

    __tablename__ = "ib_subdivision"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    active: Mapped[bool] = mapped_column(default=True)
    # The body's responsible official (Lipetsk 5, Leningrad 6, Sobolevo 7); see ``people.py``.
    responsible_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("ib_user.id", use_alter=True, ondelete="SET NULL")
    )


#: werkzeug's hashing method for passwords: scrypt, memory-hard (the test suite swaps in a
#: cheap one, since it hashes thousands of times; a stored hash names its own method).
PASSWORD_HASH_METHOD = "scrypt"


def hash_password(password: str) -> str:
    """A salted hash of ``password`` in werkzeug's self-describing format."""
    return generate_password_hash(password, method=PASSWORD_HASH_METHOD)


class User(Base):
    """A person who signs in: an operator, an executor of one subdivision, or an admin."""

    __tablename__ = "ib_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(80), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[Role] = mapped_column(StrEnumType(Role, 20))
    subdivision_id: Mapped[int | None] = mapped_column(ForeignKey("ib_subdivision.id"))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]
    # Bumped to end every session of the person (logout, deactivation, new role or password):
    # a session remembers the generation it began in and is refused once it is older.
    session_generation: Mapped[int] = mapped_column(Integer, default=1)
    #: Where the person's notifications are mailed (None: in the app only).
    email: Mapped[str | None] = mapped_column(String(254), default=None)
    #: The escalations' duty beside the role: the head or the supervising deputy (``Duty``).
    duty: Mapped[str | None] = mapped_column(String(20), default=None)

    subdivision: Mapped[Subdivision | None] = relationship(foreign_keys=[subdivision_id])

    def set_password(self, password: str) -> None:
        """Store a salted hash of ``password`` (never the password itself)."""
        self.password_hash = hash_password(password)

    def check_password(self, password: str) -> bool:
        """Whether ``password`` matches the stored hash."""
        return check_password_hash(self.password_hash, password)

    # Flask-Login's user protocol, without importing Flask here.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        """Flask-Login's id: the user and the session generation, so old sessions stop working."""
        return f"{self.id}.{self.session_generation}"

    def end_sessions(self) -> None:
        """Every session of this person, in any browser, is refused from now on."""
        self.session_generation = (self.session_generation or 1) + 1


class Incident(Base):
    """A citizen message mirrored from the incident system, and where it stands here."""

    __tablename__ = "ib_incident"
    __table_args__ = (Index("ix_ib_incident_status_due", "status", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Lengths are the card's limits: the wire schema and the import refuse longer values.
    external_id: Mapped[str] = mapped_column(String(CARD_LIMITS.external_id), unique=True)
    number: Mapped[str] = mapped_column(String(CARD_LIMITS.number), index=True)
    remote_created_at: Mapped[datetime] = mapped_column(index=True)
    detected_at: Mapped[datetime]
    text: Mapped[str] = mapped_column(Text)
    author_name: Mapped[str] = mapped_column(String(CARD_LIMITS.author_name))
    author_url: Mapped[str | None] = mapped_column(String(CARD_LIMITS.url), index=True)
    platform: Mapped[str] = mapped_column(String(30))
    post_url: Mapped[str | None] = mapped_column(String(CARD_LIMITS.url))
    municipality: Mapped[str] = mapped_column(String(CARD_LIMITS.municipality))
    topic_group: Mapped[str] = mapped_column(String(CARD_LIMITS.topic))
    topic: Mapped[str] = mapped_column(String(CARD_LIMITS.topic))
    importance: Mapped[str] = mapped_column(String(20))
    attachments: Mapped[list[Any]] = mapped_column(default=list)
    remote_step: Mapped[str | None] = mapped_column(String(CARD_LIMITS.step))
    feedback: Mapped[str | None] = mapped_column(String(20))
    #: A person's mark that the matter was resolved positively (Sobolevo 24), and who.
    resolved_at: Mapped[datetime | None] = mapped_column(default=None)
    resolved_by: Mapped[str | None] = mapped_column(String(300), default=None)
    # The system's revisions are microsecond timestamps: 64-bit.
    remote_revision: Mapped[int] = mapped_column(BigInteger)
    extra: Mapped[dict[str, Any]] = mapped_column(default=dict)

    status: Mapped[Status] = mapped_column(StrEnumType(Status, 30), index=True)
    subdivision_id: Mapped[int | None] = mapped_column(ForeignKey("ib_subdivision.id"), index=True)
    arrived_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    # Nearest running deadline, recomputed from history on every change; the queue sorts by it.
    due_at: Mapped[datetime | None] = mapped_column(index=True)
    # The screening's verdict; NULL until the screening step after the poll has read the text.
    screening: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True), default=None)
    # The street its text names (``domain.repeats.place_of``), set by the screening step.
    place_key: Mapped[str | None] = mapped_column(String(100), default=None, index=True)
    version_id: Mapped[int] = mapped_column(Integer, default=1)
    # Several bodies on one message: how they work and who writes the combined answer.
    parts_mode: Mapped[PartsMode | None] = mapped_column(StrEnumType(PartsMode, 20), default=None)
    combiner: Mapped[Combiner | None] = mapped_column(StrEnumType(Combiner, 20), default=None)

    # The executor in charge of the message (routing sets it; an absence hands it on).
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("ib_user.id"), index=True)

    subdivision: Mapped[Subdivision | None] = relationship()
    parts: Mapped[list[Part]] = relationship(order_by="Part.position", cascade="all, delete-orphan")
    stages: Mapped[list[Stage]] = relationship(cascade="all, delete-orphan")
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    events: Mapped[list[IncidentEvent]] = relationship(
        back_populates="incident", order_by="IncidentEvent.id"
    )
    drafts: Mapped[list[Draft]] = relationship(back_populates="incident", order_by="Draft.id")
    follow_ups: Mapped[list[AuthorMessage]] = relationship(order_by="AuthorMessage.created_at")

    __mapper_args__ = {"version_id_col": version_id}


class IncidentEvent(Base):
    """One append-only entry of a message's history: who did what, when and why."""

    __tablename__ = "ib_incident_event"
    # The reports count returns and overrides of a period by kind and time.
    __table_args__ = (Index("ix_ib_incident_event_kind_at", "kind", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("ib_incident.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    at: Mapped[datetime]
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("ib_user.id"))
    actor_label: Mapped[str] = mapped_column(String(300))
    from_status: Mapped[str | None] = mapped_column(String(30))
    to_status: Mapped[str | None] = mapped_column(String(30))
    comment: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)

    incident: Mapped[Incident] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()


class Draft(Base):
    """One round of an executor's draft: answer, interim answer or clarification request."""

    __tablename__ = "ib_draft"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("ib_incident.id"), index=True)
    subdivision_id: Mapped[int] = mapped_column(ForeignKey("ib_subdivision.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("ib_user.id"))
    kind: Mapped[DraftKind] = mapped_column(StrEnumType(DraftKind, 20))
    text: Mapped[str] = mapped_column(Text)
    state: Mapped[DraftState] = mapped_column(
        StrEnumType(DraftState, 20), default=DraftState.EDITING
    )
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    submitted_at: Mapped[datetime | None]
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("ib_user.id"))
    reviewed_at: Mapped[datetime | None]
    review_comment: Mapped[str | None] = mapped_column(Text)
    check_report: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    #: How many blocking checks it failed when submitted (the reports count them).
    checks_failed: Mapped[int | None] = mapped_column(Integer, default=None)

    incident: Mapped[Incident] = relationship(back_populates="drafts")
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    reviewer: Mapped[User | None] = relationship(foreign_keys=[reviewer_id])


class Part(Base):
    """One body's part of the answer to a message several bodies share."""

    __tablename__ = "ib_part"
    __table_args__ = (
        UniqueConstraint("incident_id", "subdivision_id"),
        Index("ix_ib_part_subdivision_state", "subdivision_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("ib_incident.id"), index=True)
    subdivision_id: Mapped[int] = mapped_column(ForeignKey("ib_subdivision.id"))
    position: Mapped[int] = mapped_column(Integer)
    state: Mapped[PartState] = mapped_column(StrEnumType(PartState, 20))
    text: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("ib_user.id"))
    opened_at: Mapped[datetime | None]
    submitted_at: Mapped[datetime | None]
    comment: Mapped[str | None] = mapped_column(Text)  # the last return's or decline's words
    updated_at: Mapped[datetime]

    subdivision: Mapped[Subdivision] = relationship()
    author: Mapped[User | None] = relationship()


class Stage(Base):
    """One finished run of one clock of a message: what the reports aggregate.

    Written when the clock stops (met or missed), from the clocks the history gives,
    with the body and the executor in charge then; a clock that runs again (a second
    rework) adds a row. Running clocks are not here: they are the incidents' due times.
    """

    __tablename__ = "ib_stage"
    __table_args__ = (
        UniqueConstraint("incident_id", "clock", "started_at"),
        Index("ix_ib_stage_stopped", "stopped_at", "clock"),
        Index("ix_ib_stage_subdivision_stopped", "subdivision_id", "stopped_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("ib_incident.id"), index=True)
    clock: Mapped[str] = mapped_column(String(30))
    started_at: Mapped[datetime]
    due_at: Mapped[datetime | None]
    stopped_at: Mapped[datetime]
    met: Mapped[bool]
    #: Working minutes (or calendar ones, by the clock's basis) it ran, pauses left out.
    spent_minutes: Mapped[int] = mapped_column(Integer)
    subdivision_id: Mapped[int | None] = mapped_column(ForeignKey("ib_subdivision.id"))
    executor_id: Mapped[int | None] = mapped_column(ForeignKey("ib_user.id"))


class AuthorMessage(Base):
    """A follow-up the author wrote in the thread (e.g. the requested clarification)."""

    __tablename__ = "ib_author_message"
    __table_args__ = (UniqueConstraint("incident_id", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("ib_incident.id"), index=True)
    external_id: Mapped[str] = mapped_column(String(CARD_LIMITS.external_id))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]


class OutboxMessage(Base):
    """Something to deliver to the incident system, sent at most once per idempotency key."""

    __tablename__ = "ib_outbox"
    __table_args__ = (Index("ix_ib_outbox_state_next", "state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("ib_incident.id"), index=True)
    draft_id: Mapped[int | None] = mapped_column(ForeignKey("ib_draft.id"))
    kind: Mapped[OutboundKind] = mapped_column(StrEnumType(OutboundKind, 20))
    idempotency_key: Mapped[str] = mapped_column(String(100), unique=True)
    text: Mapped[str] = mapped_column(Text)
    signed_by: Mapped[str | None] = mapped_column(String(300))
    state: Mapped[OutboxState] = mapped_column(
        StrEnumType(OutboxState, 20), default=OutboxState.PENDING
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    last_error: Mapped[str | None] = mapped_column(Text)
    remote_id: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]


class SyncState(Base):
    """The poller's cursor and health for one incident system."""

    __tablename__ = "ib_sync_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    system: Mapped[str] = mapped_column(String(100), unique=True)
    cursor: Mapped[str | None] = mapped_column(String(500))
    # The cursor the last stored page was fetched with: the next poll starts there (overlap).
    overlap_cursor: Mapped[str | None] = mapped_column(String(500))
    last_success_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[datetime | None]
    unreachable_since: Mapped[datetime | None]


class QuarantinedRecord(Base):
    """A record from the incident system or an import file that failed validation."""

    __tablename__ = "ib_quarantine"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(50))
    external_id: Mapped[str | None] = mapped_column(String(100), index=True)
    raw: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    # The cursor of the page it came in: a record with no readable id is retried by re-reading it.
    page_cursor: Mapped[str | None] = mapped_column(String(500))
    # How many records of that page are still to be read again (from ``page_cursor`` on).
    page_span: Mapped[int] = mapped_column(Integer, default=0)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]
    # "settled" (a valid version arrived) or "dismissed" (a person set it aside), and by whom.
    resolution: Mapped[str | None] = mapped_column(String(30))
    resolved_by: Mapped[str | None] = mapped_column(String(300))


class JobHealth(Base):
    """How a background job (poll, push, deadlines) has been doing: kept so failures show."""

    __tablename__ = "ib_job_health"

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(50), unique=True)
    last_success_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[datetime | None]
    # Since when the job has failed every run (None while it succeeds), and how many runs in a row.
    failing_since: Mapped[datetime | None]
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)


class Lease(Base):
    """A named lock with an expiry, held by one process at a time (the poller without Redis)."""

    __tablename__ = "ib_lease"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    holder: Mapped[str | None] = mapped_column(String(200))
    expires_at: Mapped[datetime | None]


class TopicRoute(Base):
    """An admin's rule: messages on this topic are suggested to this subdivision when routing."""

    __tablename__ = "ib_topic_route"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The topic as the incident system names it, lower-cased with ё as е (matching is exact).
    topic: Mapped[str] = mapped_column(String(CARD_LIMITS.topic), unique=True)
    subdivision_id: Mapped[int] = mapped_column(ForeignKey("ib_subdivision.id"))
    added_by: Mapped[str] = mapped_column(String(300))
    added_at: Mapped[datetime]

    subdivision: Mapped[Subdivision] = relationship()


class CalendarOverrideRow(Base):
    """A local change of the working calendar; never deleted, revoked with a date instead.

    A message's deadlines use the overrides known when it arrived, so a change
    made later never silently moves an old deadline.
    """

    __tablename__ = "ib_calendar_override"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    kind: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)
    hours: Mapped[list[Any]] = mapped_column(default=list)
    schedule: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    recorded_at: Mapped[datetime]
    recorded_by: Mapped[str] = mapped_column(String(300))
    revoked_at: Mapped[datetime | None]
    revoked_by: Mapped[str | None] = mapped_column(String(300))


class SecurityEvent(Base):
    """One append-only entry of the security log: sign-ins, lockouts, changes of access."""

    __tablename__ = "ib_security_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    kind: Mapped[str] = mapped_column(String(40))
    # The login the event is about, as typed (a failed sign-in may name nobody who exists).
    login: Mapped[str | None] = mapped_column(String(200), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("ib_user.id"))
    actor_label: Mapped[str] = mapped_column(String(300))
    address: Mapped[str | None] = mapped_column(String(100))
    detail: Mapped[str | None] = mapped_column(Text)


class DictionaryWord(Base):
    """A word of the organisation's own spelling dictionary (names, local terms)."""

    __tablename__ = "ib_dictionary_word"

    id: Mapped[int] = mapped_column(primary_key=True)
    word: Mapped[str] = mapped_column(String(100), unique=True)
    added_by: Mapped[str] = mapped_column(String(300))
    added_at: Mapped[datetime]


class IncidentTally(Base):
    """Signed counts of incidents per state, subdivision and platform: the queue's counts.

    Written only by the database's own triggers on ``ib_incident`` (migration
    ``e7f8a9b0c1d2``): every insert, change of state, subdivision or platform and
    delete appends its +1/−1 rows, so no writer ever waits for another on a counter.
    A count is the sum of its rows; ``compact`` folds them into one row per key.
    """

    __tablename__ = "ib_incident_tally"

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(30))
    subdivision_id: Mapped[int | None]
    platform: Mapped[str] = mapped_column(String(30))
    n: Mapped[int]


@event.listens_for(IncidentEvent, "before_update")
@event.listens_for(IncidentEvent, "before_delete")
def _history_is_append_only(mapper: Any, connection: Any, target: IncidentEvent) -> None:
    raise BridgeError("История сообщения только дополняется: запись нельзя изменить или удалить.")


@event.listens_for(SecurityEvent, "before_update")
@event.listens_for(SecurityEvent, "before_delete")
def _security_log_is_append_only(mapper: Any, connection: Any, target: SecurityEvent) -> None:
    raise BridgeError("Журнал безопасности только дополняется: запись нельзя изменить или удалить.")


@dataclass(slots=True)
class NewIncident:
    """A brand-new incident as column values, stored in bulk with its history and follow-ups.

    ``values`` are the incident's columns; ``events`` and ``follow_ups`` the columns of its
    history entries and of the author's follow-ups, without the incident's id.
    """

    values: dict[str, Any]
    events: list[dict[str, Any]] = field(default_factory=list)
    follow_ups: list[dict[str, Any]] = field(default_factory=list)


# -- The Governor's posts watch (Leningrad cl. 7.2, 7.4) ---------------------------------


class WatchedPost(Base):
    """A post of the head's account whose comments the bodies in charge watch.

    ``url`` is the normalised address (``domain.watch.normalise_url``): the key that
    links comment incidents (their ``post_url``) to the post.
    """

    __tablename__ = "ib_watch_post"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(CARD_LIMITS.url), unique=True)
    account: Mapped[str] = mapped_column(String(300))
    platform: Mapped[str] = mapped_column(String(30))
    published_at: Mapped[datetime]
    source: Mapped[str] = mapped_column(String(20))  # domain.watch.PostSource
    registered_at: Mapped[datetime]
    registered_by: Mapped[str] = mapped_column(String(300))
    registered_by_id: Mapped[int | None] = mapped_column(ForeignKey("ib_user.id"))
    # The card that flagged it, when the incident system did.
    flagged_by_card: Mapped[str | None] = mapped_column(String(CARD_LIMITS.external_id))

    bodies: Mapped[list[WatchBody]] = relationship(back_populates="post", order_by="WatchBody.id")
    tasks: Mapped[list[WatchTask]] = relationship(
        back_populates="post", order_by="(WatchTask.subdivision_id, WatchTask.seq)"
    )
    events: Mapped[list[WatchEvent]] = relationship(order_by="WatchEvent.id")


class WatchBody(Base):
    """A body in charge of a post; removing it keeps the row (who removed it, when)."""

    __tablename__ = "ib_watch_body"
    __table_args__ = (UniqueConstraint("post_id", "subdivision_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("ib_watch_post.id"), index=True)
    subdivision_id: Mapped[int] = mapped_column(ForeignKey("ib_subdivision.id"))
    added_at: Mapped[datetime]
    added_by: Mapped[str] = mapped_column(String(300))
    removed_at: Mapped[datetime | None]
    removed_by: Mapped[str | None] = mapped_column(String(300))

    post: Mapped[WatchedPost] = relationship(back_populates="bodies")
    subdivision: Mapped[Subdivision] = relationship()


class WatchTask(Base):
    """One task of a body's watch: the continuous watch or a check, with its clock and tick."""

    __tablename__ = "ib_watch_task"
    __table_args__ = (Index("ix_ib_watch_task_post_body", "post_id", "subdivision_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("ib_watch_post.id"))
    subdivision_id: Mapped[int] = mapped_column(ForeignKey("ib_subdivision.id"))
    kind: Mapped[str] = mapped_column(String(20))  # domain.watch.TaskKind
    seq: Mapped[int] = mapped_column(Integer)
    opens_at: Mapped[datetime]
    due_at: Mapped[datetime] = mapped_column(index=True)
    done_at: Mapped[datetime | None]
    done_by: Mapped[str | None] = mapped_column(String(300))
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("ib_user.id"))
    new_comments: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
    cancelled_at: Mapped[datetime | None]
    cancelled_by: Mapped[str | None] = mapped_column(String(300))

    post: Mapped[WatchedPost] = relationship(back_populates="tasks")
    subdivision: Mapped[Subdivision] = relationship()


class WatchEvent(Base):
    """One append-only entry of a post's history: registration, bodies, ticks, cancellations."""

    __tablename__ = "ib_watch_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("ib_watch_post.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))  # domain.watch.WatchAction
    at: Mapped[datetime]
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("ib_user.id"))
    actor_label: Mapped[str] = mapped_column(String(300))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)


@event.listens_for(WatchEvent, "before_update")
@event.listens_for(WatchEvent, "before_delete")
def _watch_history_is_append_only(mapper: Any, connection: Any, target: WatchEvent) -> None:
    raise BridgeError("История поста только дополняется: запись нельзя изменить или удалить.")


class RepeatLink(Base):
    """A repeat message and the earlier one it repeats (Lipetsk п. 15, Leningrad 8.10, Sobolevo п. 18).

    One earlier message per repeat; found by the screening step or linked by a person.
    Unlinking deletes the row: the repeat's history keeps who linked and unlinked it.
    """

    __tablename__ = "ib_repeat_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    repeat_id: Mapped[int] = mapped_column(ForeignKey("ib_incident.id"), unique=True)
    earlier_id: Mapped[int] = mapped_column(ForeignKey("ib_incident.id"), index=True)
    reason: Mapped[str] = mapped_column(String(30))
    found_at: Mapped[datetime]
    found_by: Mapped[str] = mapped_column(String(300))

    repeat: Mapped[Incident] = relationship(foreign_keys=[repeat_id])
    earlier: Mapped[Incident] = relationship(foreign_keys=[earlier_id])


# --- People: absences, stand-ins, responsible officials, staffing (issue 13, item 4) ---------


class Absence(Base):
    """An executor's absence (leave, illness, travel, study…) and who stands in; never deleted.

    Ending early sets ``last_day``. ``handed_over_at``/``given_back_at``: when the absent
    person's open messages went to the stand-in and came back (the periodic task and the
    use cases do it once each).
    """

    __tablename__ = "ib_absence"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("ib_user.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)
    stand_in_id: Mapped[int | None] = mapped_column(ForeignKey("ib_user.id"))
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("ib_user.id"))
    recorded_by: Mapped[str] = mapped_column(String(300))
    recorded_at: Mapped[datetime]
    changed_by: Mapped[str | None] = mapped_column(String(300))
    changed_at: Mapped[datetime | None]
    ended_by: Mapped[str | None] = mapped_column(String(300))
    ended_at: Mapped[datetime | None]
    handed_over_at: Mapped[datetime | None]
    given_back_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    stand_in: Mapped[User | None] = relationship(foreign_keys=[stand_in_id])


class PeopleChange(Base):
    """One append-only entry of the people log: an absence or a responsible official changed."""

    __tablename__ = "ib_people_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    kind: Mapped[str] = mapped_column(String(30))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("ib_user.id"))
    actor_label: Mapped[str] = mapped_column(String(300))
    absence_id: Mapped[int | None] = mapped_column(ForeignKey("ib_absence.id"))
    subdivision_id: Mapped[int | None] = mapped_column(ForeignKey("ib_subdivision.id"))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True), default=None)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True), default=None)


class StaffingGap(Base):
    """A time a body had no active executor: a fact, whatever the profile.

    When it must have one again is the profile's (``people.replace_within``), computed on read.
    """

    __tablename__ = "ib_staffing_gap"

    id: Mapped[int] = mapped_column(primary_key=True)
    subdivision_id: Mapped[int] = mapped_column(ForeignKey("ib_subdivision.id"), index=True)
    since: Mapped[datetime]
    closed_at: Mapped[datetime | None]

    subdivision: Mapped[Subdivision] = relationship()


class Notification(Base):
    """One thing one person is told: in the app (a bell), and by e-mail through this outbox.

    ``key`` makes it once per person (the same warning of the same clock run is never
    told twice); the e-mail leaves at most once: claimed, sent, marked, in one
    transaction per row.
    """

    __tablename__ = "ib_notification"
    __table_args__ = (
        UniqueConstraint("user_id", "key"),
        Index("ix_ib_notification_user_read", "user_id", "read_at"),
        Index("ix_ib_notification_mail", "mail_state", "mail_next_at"),
        Index("ix_ib_notification_kind_subject", "kind", "subject", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("ib_user.id"))
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("ib_incident.id"), index=True)
    subdivision_id: Mapped[int | None] = mapped_column(ForeignKey("ib_subdivision.id"))
    kind: Mapped[str] = mapped_column(String(20))
    key: Mapped[str] = mapped_column(String(300))
    #: What the notice is about beyond a message (a surge's topic or place, a body).
    subject: Mapped[str | None] = mapped_column(String(300))
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    read_at: Mapped[datetime | None]
    #: ``pending`` (to mail), ``sent``, ``failed`` (out of attempts), ``none`` (no address).
    mail_state: Mapped[str] = mapped_column(String(20))
    mail_attempts: Mapped[int] = mapped_column(Integer, default=0)
    mail_next_at: Mapped[datetime | None]
    mail_error: Mapped[str | None] = mapped_column(Text)
    mailed_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()
    incident: Mapped[Incident | None] = relationship()


class Webhook(Base):
    """A host system's subscription to the bridge's events (``services.webhooks.EVENTS``).

    ``secret`` signs every delivery (HMAC-SHA256), so it is kept as given out: it is
    shown to the admin once, when the subscription is made.
    """

    __tablename__ = "ib_webhook"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2000))
    description: Mapped[str] = mapped_column(String(500), default="")
    secret: Mapped[str] = mapped_column(String(100))
    #: The event names subscribed to, a JSON list.
    events: Mapped[list[str]] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("ib_user.id"))
    deactivated_at: Mapped[datetime | None] = mapped_column(default=None)
    deactivated_by_id: Mapped[int | None] = mapped_column(ForeignKey("ib_user.id"), default=None)


class WebhookDelivery(Base):
    """One event for one subscriber: the webhooks' outbox row.

    Written in the transaction of the change it tells about; ``event_id`` is unique per
    webhook, so an event is queued once, and the receiver de-duplicates retries by it.
    """

    __tablename__ = "ib_webhook_delivery"
    __table_args__ = (
        UniqueConstraint("webhook_id", "event_id"),
        Index("ix_ib_webhook_delivery_due", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    webhook_id: Mapped[int] = mapped_column(ForeignKey("ib_webhook.id"))
    event: Mapped[str] = mapped_column(String(40))
    event_id: Mapped[str] = mapped_column(String(200))
    #: The event's ``data`` object, JSON text (the envelope is built at delivery).
    payload: Mapped[str] = mapped_column(Text)
    #: ``pending``, ``delivered`` or ``failed`` (out of attempts, refused, or unsubscribed).
    state: Mapped[str] = mapped_column(String(20))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None]
    last_status: Mapped[int | None] = mapped_column(Integer, default=None)
    last_error: Mapped[str | None] = mapped_column(String(500), default=None)
    created_at: Mapped[datetime]
    delivered_at: Mapped[datetime | None] = mapped_column(default=None)

    webhook: Mapped[Webhook] = relationship()


#: The longest title of an approved phrase; its text is at most a reply's length.
PHRASE_TITLE_LENGTH = 120
PHRASE_TEXT_LENGTH = MAX_REPLY_LENGTH


class Phrase(Base):
    """An approved wording executors insert into drafts; never deleted, archived instead.

    ``subdivision_id`` None: for every subdivision. Each change is also kept in
    the append-only ``PhraseChange`` log with the text before and after.
    """

    __tablename__ = "ib_phrase"

    id: Mapped[int] = mapped_column(primary_key=True)
    subdivision_id: Mapped[int | None] = mapped_column(ForeignKey("ib_subdivision.id"), index=True)
    title: Mapped[str] = mapped_column(String(PHRASE_TITLE_LENGTH))
    text: Mapped[str] = mapped_column(String(PHRASE_TEXT_LENGTH))
    created_at: Mapped[datetime]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("ib_user.id"))
    updated_at: Mapped[datetime | None]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("ib_user.id"))
    archived_at: Mapped[datetime | None]
    archived_by_id: Mapped[int | None] = mapped_column(ForeignKey("ib_user.id"))

    subdivision: Mapped[Subdivision | None] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])


class PhraseChange(Base):
    """One append-only entry of the phrases log: a phrase added, edited or archived."""

    __tablename__ = "ib_phrase_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    phrase_id: Mapped[int] = mapped_column(ForeignKey("ib_phrase.id"), index=True)
    at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("ib_user.id"))
    actor_label: Mapped[str] = mapped_column(String(300))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True), default=None)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True), default=None)


@event.listens_for(PhraseChange, "before_update")
@event.listens_for(PhraseChange, "before_delete")
def _phrases_log_is_append_only(mapper: Any, connection: Any, target: PhraseChange) -> None:
    raise BridgeError("Журнал формулировок только дополняется: запись нельзя изменить.")


@event.listens_for(PeopleChange, "before_update")
@event.listens_for(PeopleChange, "before_delete")
def _people_log_is_append_only(mapper: Any, connection: Any, target: PeopleChange) -> None:
    raise BridgeError("Журнал сотрудников только дополняется: запись нельзя изменить или удалить.")


class ApiToken(Base):
    """A personal API token: only its SHA-256 is kept; it acts as its owner, with the owner's role.

    A token stops with its expiry, its revocation, or its owner's deactivation.
    """

    __tablename__ = "ib_api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("ib_user.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    #: The token's first characters, shown in lists so a person can tell their tokens apart.
    prefix: Mapped[str] = mapped_column(String(16))
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(300))
    expires_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    revoked_by: Mapped[str | None] = mapped_column(String(300))

    user: Mapped[User] = relationship()
