"""Read-side queries for the pages: the queue, its filters, counts and pages (no writes).

The queue is one page of ``PAGE_SIZE`` rows out of up to a region's 100,000
messages, in a fixed number of SQL statements whatever the page holds: the
counts per state (one GROUP BY, which also gives the total), the page's rows
with their history and subdivision eager-loaded (the clocks are computed from
history), and the calendar overrides.

Text search on PostgreSQL is Russian full text over the document column that
migration ``f8a9b0c1d2e3`` adds and a trigger keeps (``SEARCH_DOCUMENT``, GIN
index ``ix_ib_incident_search``), so «яма» finds «ямы» and «яму»; a query that looks
like a number also matches numbers starting with it. SQLite has no Russian
stemmer and its ``lower()`` folds only ASCII, so there every word must occur,
case-insensitively (Cyrillic included, ё as е), in the number, the author or
the text.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, false, func, or_, select, text, tuple_, union
from sqlalchemy.orm import Session, aliased, joinedload, selectinload

from incident_bridge.domain.deadlines import ClockState, headline
from incident_bridge.domain.model import Platform
from incident_bridge.domain.parts import PartState
from incident_bridge.domain.workflow import FINAL_STATUSES, Role, Status
from incident_bridge.persistence.models import Draft, Incident, IncidentTally, OutboxMessage, Part
from incident_bridge.persistence.repositories import SqlAlchemyCalendar
from incident_bridge.services import deadlines
from incident_bridge.services.actors import Actor
from incident_bridge.services.context import Context

OPEN = "open"
PAGE_SIZE = 50
MAX_QUERY_LENGTH = 200
_MAX_ID = 2**31 - 1  # an id past the database's integer would be refused by PostgreSQL

# The tsvector column of migration f8a9b0c1d2e3 (a trigger keeps it; GIN index
# ix_ib_incident_search). Not mapped: the ORM never loads or writes it.
SEARCH_DOCUMENT = "ib_incident.search_document"
_NUMBERISH = re.compile(r"^\S*\d\S*$")


class Sort(enum.StrEnum):
    """The queue's sortable columns."""

    DUE = "due"
    CREATED = "created"
    NUMBER = "number"


#: The direction a column sorts in when first clicked: nearest deadline, newest arrival, lowest number.
DEFAULT_DESCENDING = {Sort.DUE: False, Sort.CREATED: True, Sort.NUMBER: False}


@dataclass(frozen=True, slots=True)
class QueueFilter:
    """What the person asked the queue to show; ``args`` turns it back into URL parameters."""

    status: str | None = OPEN  # OPEN, a Status value, or None for every state
    subdivision_id: int | None = None
    platform: str | None = None
    q: str = ""
    mine: bool = False
    sort: Sort = Sort.DUE
    descending: bool = False
    page: int = 1

    def args(self, **changes: Any) -> dict[str, str]:
        """The URL parameters of this filter with ``changes``, defaults left out."""
        flt = replace(self, **changes) if changes else self
        result: dict[str, str] = {}
        if flt.status != OPEN:
            result["status"] = flt.status or ""
        if flt.subdivision_id:
            result["subdivision"] = str(flt.subdivision_id)
        if flt.platform:
            result["platform"] = flt.platform
        if flt.q:
            result["q"] = flt.q
        if flt.mine:
            result["mine"] = "1"
        if flt.sort is not Sort.DUE:
            result["sort"] = flt.sort.value
        if flt.descending != DEFAULT_DESCENDING[flt.sort]:
            result["dir"] = "desc" if flt.descending else "asc"
        if flt.page > 1:
            result["page"] = str(flt.page)
        return result

    def sorted_by(self, column: Sort) -> QueueFilter:
        """The filter after a click on ``column``'s header: toggle it, or start it in its default."""
        descending = not self.descending if column is self.sort else DEFAULT_DESCENDING[column]
        return replace(self, sort=column, descending=descending, page=1)


@dataclass(frozen=True, slots=True)
class ParsedFilter:
    """A filter read from URL parameters, and what was ignored (in Russian, for the page)."""

    filter: QueueFilter
    ignored: list[str] = field(default_factory=list)


def _quote(value: str) -> str:
    return value if len(value) <= 40 else value[:40] + "…"


def _positive_int(value: str | None) -> int | None:
    if value is None or not value.strip().isdigit():
        return None
    number = int(value)
    return number if 1 <= number <= _MAX_ID else None


def parse_filter(args: Mapping[str, str], actor: Actor) -> ParsedFilter:
    """Read the queue's URL parameters; a bad value is ignored and named, never an error."""
    ignored: list[str] = []
    status: str | None = args.get("status", OPEN)
    if status in ("", "all"):
        status = None
    elif status != OPEN and status not in Status._value2member_map_:
        ignored.append(f"Неизвестное состояние «{_quote(status or '')}»: показаны все в работе.")
        status = OPEN
    subdivision_id = None
    if args.get("subdivision") and actor.role != Role.EXECUTOR:
        subdivision_id = _positive_int(args["subdivision"])
        if subdivision_id is None:
            ignored.append(f"Неизвестное подразделение «{_quote(args['subdivision'])}».")
    platform = args.get("platform") or None
    if platform is not None and platform not in Platform._value2member_map_:
        ignored.append(f"Неизвестная площадка «{_quote(platform)}».")
        platform = None
    q = " ".join(args.get("q", "").replace("\x00", " ").split())
    if len(q) > MAX_QUERY_LENGTH:
        ignored.append(f"Поисковый запрос сокращён до {MAX_QUERY_LENGTH} символов.")
        q = q[:MAX_QUERY_LENGTH].rstrip()
    sort = Sort.DUE
    if args.get("sort"):
        if args["sort"] in Sort._value2member_map_:
            sort = Sort(args["sort"])
        else:
            ignored.append(f"Неизвестная сортировка «{_quote(args['sort'])}»: по сроку.")
    descending = DEFAULT_DESCENDING[sort]
    if args.get("dir") in ("asc", "desc"):
        descending = args["dir"] == "desc"
    elif args.get("dir"):
        ignored.append(f"Неизвестное направление сортировки «{_quote(args['dir'])}».")
    page = 1
    if args.get("page"):
        page = _positive_int(args["page"]) or 1
        if page == 1 and args["page"].strip() != "1":
            ignored.append(f"Неверный номер страницы «{_quote(args['page'])}»: первая страница.")
    flt = QueueFilter(
        status=status,
        subdivision_id=subdivision_id,
        platform=platform,
        q=q,
        mine=actor.role == Role.EXECUTOR and args.get("mine") == "1",
        sort=sort,
        descending=descending,
        page=page,
    )
    return ParsedFilter(flt, ignored)


@dataclass(frozen=True, slots=True)
class StateCounts:
    """How many messages of the queue's other filters are in each state."""

    by_status: dict[Status, int]

    @property
    def open(self) -> int:
        """Messages still in work."""
        return sum(n for s, n in self.by_status.items() if s not in FINAL_STATUSES)

    @property
    def all(self) -> int:
        return sum(self.by_status.values())

    def of(self, status: str | None) -> int:
        """The count for a status filter value (``OPEN``, a state, or None for all)."""
        if status == OPEN:
            return self.open
        if status is None:
            return self.all
        return self.by_status.get(Status(status), 0)


@dataclass(frozen=True, slots=True)
class QueuePage:
    """One page of the queue: its rows, where it is among the pages, and the counts per state."""

    incidents: list[Incident]
    page: int
    pages: int
    total: int
    counts: StateCounts
    page_size: int = PAGE_SIZE

    @property
    def first(self) -> int:
        """The 1-based position of the page's first row (0 when empty)."""
        return (self.page - 1) * self.page_size + 1 if self.incidents else 0

    @property
    def last(self) -> int:
        return self.first + len(self.incidents) - 1 if self.incidents else 0


def queue(
    session: Session, actor: Actor, flt: QueueFilter, *, page_size: int = PAGE_SIZE
) -> QueuePage:
    """The page ``flt.page`` of the incidents the person may see, filtered and sorted.

    A page past the last one shows the last one.
    """
    conditions = _conditions(session, actor, flt)
    counts = _counts(session, actor, flt, conditions)
    total = counts.of(flt.status)
    pages = max(1, -(-total // page_size))
    page = min(flt.page, pages)
    incidents: list[Incident] = []
    if total:
        query = (
            select(Incident)
            .where(*conditions, *_status_condition(flt.status))
            .order_by(*_order(flt))
            .offset((page - 1) * page_size)
            .limit(page_size)
            .options(selectinload(Incident.events), joinedload(Incident.subdivision))
        )
        incidents = list(session.scalars(query))
    return QueuePage(incidents, page, pages, total, counts, page_size)


def _counts(
    session: Session, actor: Actor, flt: QueueFilter, conditions: list[ColumnElement[bool]]
) -> StateCounts:
    """How many messages are in each state under the filters other than the state's.

    Filtered by subdivision and platform only (the queue as it opens), the counts are
    the sums of ``ib_incident_tally``, which the database's triggers keep: a few rows,
    however many incidents there are. A search or «Мои» counts the matching rows.
    """
    subdivision_id = _subdivision(actor, flt)
    if (
        flt.q
        or flt.mine
        or (actor.role == Role.EXECUTOR and actor.subdivision_id is None)
        or (subdivision_id and _has_parts(session, subdivision_id))
    ):
        by_state = (
            select(Incident.status, func.count()).where(*conditions).group_by(Incident.status)
        )
        return StateCounts({status: count for status, count in session.execute(by_state)})
    tally = IncidentTally
    query = select(tally.status, func.sum(tally.n)).group_by(tally.status)
    if subdivision_id:
        query = query.where(tally.subdivision_id == subdivision_id)
    if flt.platform:
        query = query.where(tally.platform == flt.platform)
    return StateCounts({Status(status): int(n) for status, n in session.execute(query) if n})


def _has_part_of(subdivision_id: int) -> ColumnElement[bool]:
    """The body has a part of the message that has reached it (several bodies)."""
    return exists(
        select(Part.id).where(
            Part.incident_id == Incident.id,
            Part.subdivision_id == subdivision_id,
            Part.state != PartState.WAITING,
        )
    )


def _has_parts(session: Session, subdivision_id: int) -> bool:
    """Whether the body ever had a part: the tally counts messages by their one body only."""
    query = select(Part.id).where(Part.subdivision_id == subdivision_id).limit(1)
    return session.scalar(query) is not None


def _subdivision(actor: Actor, flt: QueueFilter) -> int | None:
    """The subdivision the view is limited to: an executor's own, else the one asked for."""
    return actor.subdivision_id if actor.role == Role.EXECUTOR else flt.subdivision_id


def _conditions(session: Session, actor: Actor, flt: QueueFilter) -> list[ColumnElement[bool]]:
    """Every filter but the state's: the counts per state are taken under these."""
    conditions: list[ColumnElement[bool]] = []
    subdivision_id = _subdivision(actor, flt)
    if actor.role == Role.EXECUTOR and subdivision_id is None:
        conditions.append(false())  # an executor of no subdivision sees nothing
    elif subdivision_id:
        conditions.append(
            or_(Incident.subdivision_id == subdivision_id, _has_part_of(subdivision_id))
        )
    if actor.role == Role.EXECUTOR and flt.mine and actor.user_id is not None:
        conditions.append(
            or_(Incident.assignee_id == actor.user_id, _current_draft_by(actor.user_id))
        )
    if flt.platform:
        conditions.append(Incident.platform == flt.platform)
    if flt.q:
        conditions.append(_search(session, flt.q))
    return conditions


def _status_condition(status: str | None) -> list[ColumnElement[bool]]:
    if status == OPEN:
        return [Incident.status.not_in(list(FINAL_STATUSES))]
    if status:
        return [Incident.status == Status(status)]
    return []


def _current_draft_by(user_id: int) -> ColumnElement[bool]:
    """The incident's latest draft (the one being worked on) was last written by ``user_id``."""
    newer = aliased(Draft)
    return (
        select(Draft.id)
        .where(
            Draft.incident_id == Incident.id,
            Draft.author_id == user_id,
            ~select(newer.id)
            .where(newer.incident_id == Draft.incident_id, newer.id > Draft.id)
            .exists(),
        )
        .exists()
    )


def _order(flt: QueueFilter) -> list[Any]:
    """ORDER BY for ``flt``: plain columns, so an index on the column can serve it.

    Without a deadline counts as latest: ascending puts those rows last
    (``NULLS LAST``), descending first, so either direction is one scan of the
    ``due_at`` index. The id breaks ties, so pages never overlap.
    """
    column: Any = {
        Sort.DUE: Incident.due_at,
        Sort.CREATED: Incident.remote_created_at,
        Sort.NUMBER: Incident.number,
    }[flt.sort]
    if flt.descending:
        return [column.desc().nulls_first(), Incident.id.desc()]
    return [column.asc().nulls_last(), Incident.id.asc()]


def _search(session: Session, q: str) -> ColumnElement[bool]:
    if session.get_bind().dialect.name == "postgresql":
        return _search_postgresql(q)
    return _search_sqlite(session, q)


def _search_postgresql(q: str) -> ColumnElement[bool]:
    """Russian full text over the indexed document; a number-like query also by number prefix."""
    document_matches = f"{SEARCH_DOCUMENT} @@ websearch_to_tsquery('russian', :ib_search)"
    matches = and_(text(document_matches).bindparams(ib_search=q))
    if not _NUMBERISH.match(q):
        return matches
    # Two index-friendly halves rather than one OR, which would make PostgreSQL compute
    # the document of every row.
    by_text = select(Incident.id).where(matches)
    by_number = select(Incident.id).where(Incident.number.startswith(q, autoescape=True))
    return Incident.id.in_(union(by_text, by_number))


def fold(value: str | None) -> str | None:
    """Lower case with ё as е: what SQLite's search compares (its ``lower()`` is ASCII-only)."""
    return None if value is None else value.lower().replace("ё", "е")


def _search_sqlite(session: Session, q: str) -> ColumnElement[bool]:
    """Every word, case-insensitively, in the number, the author or the text."""
    connection = session.connection().connection.driver_connection
    assert connection is not None
    connection.create_function("ib_fold", 1, fold, deterministic=True)
    fields = (Incident.number, Incident.author_name, Incident.text)
    return and_(
        *(
            or_(*(func.ib_fold(column).contains(fold(word), autoescape=True) for column in fields))
            for word in q.split()[:10]
        )
    )


def known_topics(session: Session, *, limit: int = 500) -> list[str]:
    """The topics messages have come with, alphabetically (for the topic rules' form)."""
    query = select(Incident.topic).distinct().order_by(Incident.topic).limit(limit)
    return list(session.scalars(query))


#: History entries after which a refusal of the system no longer stands.
_MOVED_ON = frozenset({"approve", "return", "draft_edited", "exclude", "delivered"})


def reply_limit(incident: Incident) -> int:
    """The longest reply the incident system accepts for the message's platform."""
    return Platform.of(incident.platform).reply_limit


def refusal(incident: Incident) -> str | None:
    """The incident system's reason, while the message is back on review after it refused a reply."""
    for entry in reversed(incident.events):
        if entry.kind == "delivery_refused":
            return entry.comment
        if entry.kind in _MOVED_ON:
            return None
    return None


def outbox_for(session: Session, incident_id: int) -> list[OutboxMessage]:
    """Everything sent or to be sent for one incident, oldest first."""
    return list(
        session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.incident_id == incident_id)
            .order_by(OutboxMessage.id)
        )
    )


def with_headline_clock(
    session: Session, ctx: Context, incidents: list[Incident], now: datetime
) -> list[tuple[Incident, ClockState | None]]:
    """Pair each incident with the clock of its current step (None when nothing runs)."""
    overrides = SqlAlchemyCalendar(session).overrides()
    return [
        (incident, headline(deadlines.clocks(ctx, incident, now, overrides), incident.status))
        for incident in incidents
    ]


def may_see(incident: Incident, actor: Actor) -> bool:
    """Whether the person may see the message: coordinators all, an executor their body's."""
    if actor.role != Role.EXECUTOR:
        return True
    if actor.subdivision_id is not None and incident.subdivision_id == actor.subdivision_id:
        return True
    return actor.subdivision_id is not None and any(
        p.subdivision_id == actor.subdivision_id and p.state is not PartState.WAITING
        for p in incident.parts
    )


@dataclass(frozen=True, slots=True)
class Position:
    """Where a page of the queue ended: the sort column's value and the id (keyset pagination)."""

    value: datetime | str | None
    incident_id: int


@dataclass(frozen=True, slots=True)
class KeysetPage:
    """Rows after a position, the position after them (None at the end), and the filter's total."""

    incidents: list[Incident]
    after: Position | None
    total: int


def sort_value(incident: Incident, sort: Sort) -> datetime | str | None:
    """The value of the sort column of ``incident``."""
    if sort is Sort.DUE:
        return incident.due_at
    if sort is Sort.CREATED:
        return incident.remote_created_at
    return incident.number


def keyset(
    session: Session, actor: Actor, flt: QueueFilter, after: Position | None, limit: int
) -> KeysetPage:
    """The rows of the queue after ``after`` in ``flt``'s order: stable under inserts, however deep.

    The same filters and order as the pages (``_conditions``, ``_order``). The order has
    two stretches, the rows with a value of the sort column and those without (last
    ascending, first descending); each is read with a row comparison the column's index
    serves, so a page deep in the queue costs what the first one does.
    """
    conditions = [*_conditions(session, actor, flt), *_status_condition(flt.status)]
    total = _counts(session, actor, flt, _conditions(session, actor, flt)).of(flt.status)
    rows: list[Incident] = []
    for where, order in _stretches(flt, after):
        if len(rows) > limit:
            break
        query = (
            select(Incident)
            .where(*conditions, *where)
            .order_by(*order)
            .limit(limit + 1 - len(rows))
            .options(selectinload(Incident.parts), joinedload(Incident.subdivision))
        )
        rows += session.scalars(query)
    more = len(rows) > limit
    rows = rows[:limit]
    last = Position(sort_value(rows[-1], flt.sort), rows[-1].id) if more and rows else None
    return KeysetPage(rows, last, total)


def _stretches(flt: QueueFilter, after: Position | None) -> list[tuple[list[Any], list[Any]]]:
    """(conditions, ORDER BY) of what is left of each stretch of the order after ``after``."""
    column: Any = {
        Sort.DUE: Incident.due_at,
        Sort.CREATED: Incident.remote_created_at,
        Sort.NUMBER: Incident.number,
    }[flt.sort]
    pair = tuple_(column, Incident.id)
    if flt.descending:
        valued = ([column.is_not(None)], [column.desc(), Incident.id.desc()])
        empty = ([column.is_(None)], [Incident.id.desc()])
        if after is None:
            return [empty, valued]
        if after.value is None:
            return [([column.is_(None), Incident.id < after.incident_id], empty[1]), valued]
        return [([pair < tuple_(after.value, after.incident_id)], valued[1])]
    valued = ([column.is_not(None)], [column.asc(), Incident.id.asc()])
    empty = ([column.is_(None)], [Incident.id.asc()])
    if after is None:
        return [valued, empty]
    if after.value is None:
        return [([column.is_(None), Incident.id > after.incident_id], empty[1])]
    return [([pair > tuple_(after.value, after.incident_id)], valued[1]), empty]
