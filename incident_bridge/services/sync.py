"""Bringing incidents in from the incident system: decide what changed, then apply it.

``decide`` is pure: given what is stored and a card from the system it says
what to do. ``ingest_page`` and ``poll`` are the thin shell around it.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from incident_bridge.domain.errors import IncidentSystemError
from incident_bridge.domain.events import EventKind
from incident_bridge.domain.model import IncidentCard, IncidentPage, RejectedRecord
from incident_bridge.domain.ports import IncidentSystem
from incident_bridge.domain.workflow import Action, Status
from incident_bridge.persistence.models import AuthorMessage, Incident, QuarantinedRecord, SyncState
from incident_bridge.services import deadlines
from incident_bridge.services.actors import SYSTEM_ACTOR
from incident_bridge.services.history import apply, record
from incident_bridge.services.screening import screen_incident

DEFAULT_SYSTEM = "incident"
log = logging.getLogger(__name__)


class Verdict(enum.StrEnum):
    """What to do with one incoming card."""

    CREATE = "create"
    UPDATE = "update"
    SKIP_STALE = "skip_stale"  # an older or the same revision: never overwrite newer data


@dataclass(frozen=True, slots=True)
class Decision:
    """The outcome of comparing a card with what is stored."""

    verdict: Verdict
    new_follow_ups: tuple[str, ...] = ()
    feedback_changed: bool = False


@dataclass(slots=True)
class PageResult:
    """Counts of one ingested page, for logs and the admin page."""

    created: int = 0
    updated: int = 0
    stale: int = 0
    quarantined: int = 0
    incident_ids: list[int] = field(default_factory=list)


def decide(
    stored_revision: int | None,
    stored_follow_ups: set[str],
    stored_feedback: str | None,
    card: IncidentCard,
) -> Decision:
    """Decide how an incoming card changes what is stored (pure)."""
    if stored_revision is None:
        return Decision(
            Verdict.CREATE, tuple(m.external_id for m in card.follow_ups), card.feedback is not None
        )
    if card.revision <= stored_revision:
        return Decision(Verdict.SKIP_STALE)
    new = tuple(m.external_id for m in card.follow_ups if m.external_id not in stored_follow_ups)
    feedback = card.feedback.value if card.feedback else None
    return Decision(Verdict.UPDATE, new, feedback != stored_feedback and feedback is not None)


def ingest_page(
    session: Session,
    page: IncidentPage,
    now: datetime,
    *,
    source: str = "fetch",
    page_cursor: str | None = None,
) -> PageResult:
    """Store one page of cards and quarantine its rejected records (the caller commits)."""
    result = PageResult()
    overrides = deadlines.override_rows(session)  # once per page, not once per card
    stored: list[Incident] = []
    ids = [c.external_id for c in page.cards]
    existing = (
        {
            i.external_id: i
            for i in session.scalars(select(Incident).where(Incident.external_id.in_(ids)))
        }
        if ids
        else {}
    )
    for card in page.cards:
        incident = existing.get(card.external_id)
        stored_follow_ups = {m.external_id for m in incident.follow_ups} if incident else set()
        decision = decide(
            incident.remote_revision if incident else None,
            stored_follow_ups,
            incident.feedback if incident else None,
            card,
        )
        if decision.verdict is Verdict.SKIP_STALE:
            result.stale += 1
            continue
        if decision.verdict is Verdict.CREATE:
            incident = _create(session, card, now)
            existing[card.external_id] = incident
            result.created += 1
        else:
            assert incident is not None
            _update(session, incident, card, now)
            result.updated += 1
        log.info("incident %s", decision.verdict.value, extra={
            "incident": card.external_id, "revision": card.revision, "source": source})  # fmt: skip
        _follow_ups(session, incident, card, decision, now)
        if decision.feedback_changed and card.feedback is not None:
            record(
                session,
                incident,
                EventKind.FEEDBACK,
                SYSTEM_ACTOR,
                now,
                comment=card.feedback.label,
                data={"feedback": card.feedback.value},
            )
        deadlines.refresh(session, incident, now, rows=overrides)
        stored.append(incident)
    session.flush()  # once per page: relationships carry the ids until then
    result.incident_ids.extend(i.id for i in stored)
    _resolve_quarantined(session, [c.external_id for c in page.cards], now)
    for rejected in page.rejected:
        span = len(page.cards) + len(page.rejected)
        quarantine(session, rejected, now, source=source, page_cursor=page_cursor, page_span=span)
        log.warning("record quarantined", extra={
            "incident": rejected.external_id, "reason": rejected.reason, "source": source})  # fmt: skip
        result.quarantined += 1
    return result


def _resolve_quarantined(session: Session, external_ids: list[str], now: datetime) -> None:
    """A valid version of an incident arrived: its earlier bad records are settled."""
    if not external_ids:
        return
    for bad in session.scalars(
        select(QuarantinedRecord).where(
            QuarantinedRecord.external_id.in_(external_ids),
            QuarantinedRecord.resolved_at.is_(None),
            QuarantinedRecord.source == "fetch",
        )
    ):
        bad.resolved_at = now


def quarantine(
    session: Session,
    rejected: RejectedRecord,
    now: datetime,
    *,
    source: str,
    page_cursor: str | None = None,
    page_span: int = 0,
) -> None:
    """Keep a record that failed validation, with its raw payload and the reason.

    A record already waiting in quarantine (the same incident, or for a record
    with no readable id the same page) is refreshed instead of added again, so
    re-reads (the overlap window, retries) do not pile up copies.
    """
    waiting = select(QuarantinedRecord).where(
        QuarantinedRecord.resolved_at.is_(None), QuarantinedRecord.source == source
    )
    if rejected.external_id is not None:
        waiting = waiting.where(QuarantinedRecord.external_id == rejected.external_id)
    elif page_cursor is not None:
        waiting = waiting.where(QuarantinedRecord.external_id.is_(None),
                                QuarantinedRecord.page_cursor == page_cursor)  # fmt: skip
    else:
        waiting = None  # type: ignore[assignment]
    existing = session.scalars(waiting.limit(1)).first() if waiting is not None else None
    if existing is not None:
        existing.raw, existing.reason = rejected.raw, rejected.reason
        return
    session.add(
        QuarantinedRecord(
            source=source,
            external_id=rejected.external_id,
            raw=rejected.raw,
            reason=rejected.reason,
            page_cursor=page_cursor,
            page_span=page_span,
            attempts=0,
            created_at=now,
        )
    )


def poll(
    session: Session,
    system: IncidentSystem,
    now: datetime,
    *,
    page_size: int = 100,
    max_pages: int = 50,
    system_name: str = DEFAULT_SYSTEM,
    heartbeat: Callable[[], object] | None = None,
) -> PageResult:
    """Fetch changed incidents page by page; the cursor advances only after a page is stored.

    Overlap window: each poll starts again from the cursor of the last stored page,
    so a change the system recorded late (or a page it served twice) is still
    seen; what was already stored is skipped by revision. ``heartbeat`` is called
    after every stored page (it keeps the poller's lock alive).
    """
    state = session.scalar(select(SyncState).where(SyncState.system == system_name))
    if state is None:
        state = SyncState(system=system_name)
        session.add(state)
        session.commit()
    total = PageResult()
    cursor = state.overlap_cursor if state.overlap_cursor is not None else state.cursor
    for _ in range(max_pages):
        try:
            page = system.fetch_changes(cursor or None, page_size)
        except IncidentSystemError as exc:
            # Keep the failure visible to admins, then let the job fail (rq retries it).
            session.rollback()
            state.last_error = str(exc)
            state.last_error_at = now
            if state.unreachable_since is None:
                state.unreachable_since = now
            session.commit()
            raise
        result = ingest_page(session, page, now, page_cursor=cursor or "")
        if page.next_cursor is not None:
            state.overlap_cursor = cursor or ""  # "": the last page started at the beginning
            state.cursor = cursor = page.next_cursor
        state.last_success_at = now
        state.unreachable_since = None
        session.commit()
        if heartbeat is not None:
            heartbeat()
        total.created += result.created
        total.updated += result.updated
        total.stale += result.stale
        total.quarantined += result.quarantined
        total.incident_ids.extend(result.incident_ids)
        if not page.has_more:
            break
    return total


def _create(session: Session, card: IncidentCard, now: datetime) -> Incident:
    incident = Incident(
        external_id=card.external_id,
        status=Status.NEW.value,
        arrived_at=now,
        updated_at=now,
        version_id=1,
    )
    _copy_card(incident, card)
    session.add(incident)
    record(
        session,
        incident,
        EventKind.ARRIVED,
        SYSTEM_ACTOR,
        now,
        after=Status.NEW.value,
        data={"revision": card.revision, "importance": card.importance.value},
    )
    screen_incident(session, incident, now)
    return incident


def _update(session: Session, incident: Incident, card: IncidentCard, now: datetime) -> None:
    old = incident.remote_revision
    _copy_card(incident, card)
    incident.updated_at = now
    record(
        session,
        incident,
        EventKind.UPDATED,
        SYSTEM_ACTOR,
        now,
        data={
            "revision": card.revision,
            "previous_revision": old,
            "importance": card.importance.value,
        },
    )


def _follow_ups(
    session: Session, incident: Incident, card: IncidentCard, decision: Decision, now: datetime
) -> None:
    new_ids = set(decision.new_follow_ups)
    for message in card.follow_ups:
        if message.external_id not in new_ids:
            continue
        incident.follow_ups.append(
            AuthorMessage(
                external_id=message.external_id,
                text=message.text,
                created_at=message.created_at,
            )
        )
        if incident.status == Status.AWAITING_AUTHOR.value:
            apply(
                session,
                incident,
                Action.AUTHOR_REPLIED,
                SYSTEM_ACTOR,
                now,
                data={"follow_up": message.external_id, "text": message.text},
            )


def _copy_card(incident: Incident, card: IncidentCard) -> None:
    incident.number = card.number
    incident.remote_created_at = card.created_at
    incident.detected_at = card.detected_at
    incident.text = card.text
    incident.author_name = card.author.name
    incident.author_url = card.author.profile_url
    incident.platform = card.platform.value
    incident.post_url = card.post_url
    incident.municipality = card.municipality
    incident.topic_group = card.topic_group
    incident.topic = card.topic
    incident.importance = card.importance.value
    incident.attachments = list(card.attachments)
    incident.remote_step = card.step
    incident.feedback = card.feedback.value if card.feedback else None
    incident.remote_revision = card.revision
    incident.extra = dict(card.extra)


def retry_quarantined(
    session: Session, system: IncidentSystem, record_id: int, now: datetime
) -> bool:
    """Fetch a quarantined incident again; True when it now passes and is stored.

    Records from import files cannot be fetched: import the corrected file instead.
    """
    from incident_bridge.domain.errors import InvalidInput, NotFound

    record = session.get(QuarantinedRecord, record_id)
    if record is None or record.resolved_at is not None:
        raise NotFound("Запись карантина не найдена или уже разобрана.")
    if record.source != "fetch" or not record.external_id:
        raise InvalidInput(
            "Эту запись нельзя запросить повторно: загрузите исправленный файл выгрузки."
        )
    page = system.fetch_incident(record.external_id)
    if page.rejected:
        record.reason = page.rejected[0].reason
        record.raw = page.rejected[0].raw
        session.commit()
        return False
    ingest_page(session, replace(page, rejected=()), now)
    record.resolved_at = now
    session.commit()
    return True


RECHECK_WINDOW = 20
MAX_ERRORS_PER_RUN = 5


def retry_quarantine(
    session: Session,
    system: IncidentSystem,
    now: datetime,
    *,
    limit: int = 50,
    max_attempts: int = 10,
) -> int:
    """Retry quarantined fetch records automatically; return how many were settled.

    A record with an id is fetched again. A record whose id could not be read
    is settled by reading its page again in small windows, each until it comes
    back whole (progress is kept, so every poll moves on). After ``max_attempts``
    failures in a row a record waits for a person (the admin page's «Повторить»).
    """
    items = list(session.scalars(
        select(QuarantinedRecord)
        .where(QuarantinedRecord.resolved_at.is_(None), QuarantinedRecord.source == "fetch",
               QuarantinedRecord.attempts < max_attempts)
        .order_by(QuarantinedRecord.attempts, QuarantinedRecord.external_id.is_(None), QuarantinedRecord.id)
        .limit(limit)
    ))  # fmt: skip
    settled = errors = 0
    for item in items:
        if item.resolved_at is None:
            try:
                if item.external_id is not None:
                    _refetch(session, system, item, now)
                elif item.page_cursor is not None:
                    _reread(session, system, item, now)
            except IncidentSystemError:
                session.commit()  # keep the progress made; a flaky call does not stop the rest
                errors += 1
                if errors >= MAX_ERRORS_PER_RUN:
                    break  # the system is down again: the next poll tries later
                continue
        settled += item.resolved_at is not None
        session.commit()
    return settled


def _refetch(
    session: Session, system: IncidentSystem, item: QuarantinedRecord, now: datetime
) -> None:
    page = system.fetch_incident(item.external_id or "")
    ingest_page(session, replace(page, rejected=()), now)  # a valid card settles the record
    if page.rejected:
        item.attempts += 1
        item.reason = page.rejected[0].reason


def _reread(
    session: Session, system: IncidentSystem, item: QuarantinedRecord, now: datetime
) -> None:
    while item.page_span > 0:
        window = system.fetch_changes(item.page_cursor or None, min(RECHECK_WINDOW, item.page_span))
        # Records of the window that are bad but carry an id wait in quarantine like any other.
        readable = tuple(r for r in window.rejected if r.external_id is not None)
        ingest_page(session, replace(window, rejected=readable), now)
        unreadable = any(r.external_id is None for r in window.rejected)
        if unreadable or window.next_cursor in (None, item.page_cursor):
            item.attempts += 1  # still unreadable (or the cursor did not move): again next time
            return
        item.page_cursor = window.next_cursor
        item.page_span -= len(
            {c.external_id for c in window.cards} | {r.external_id for r in window.rejected}
        )
        item.attempts = 0
        if not window.has_more:
            break
    item.resolved_at = now
