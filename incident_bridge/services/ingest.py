"""Storing incoming incident cards: decide what changed, then apply it.

``decide`` is pure: given what is stored and a card from the system it says
what to do. ``ingest_page`` is the thin shell that applies the decisions of one
page (polled, re-fetched or imported) inside the caller's unit of work.
"""

from __future__ import annotations

import enum
import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from incident_bridge.domain.events import EventKind, HistoryEvent, Timeline
from incident_bridge.domain.model import IncidentCard, IncidentPage
from incident_bridge.domain.workflow import Action, Status
from incident_bridge.persistence.models import (
    AuthorMessage,
    CalendarOverrideRow,
    Incident,
    IncidentEvent,
    NewIncident,
)
from incident_bridge.services import approvals, deadlines, watch, webhooks
from incident_bridge.services.actors import SYSTEM_ACTOR
from incident_bridge.services.context import Context
from incident_bridge.services.history import apply, entry_values, record
from incident_bridge.services.quarantine import quarantine, resolve
from incident_bridge.services.unit_of_work import UnitOfWork

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
    """Counts of one ingested page (or of a whole poll), for logs and the admin page."""

    created: int = 0
    updated: int = 0
    stale: int = 0
    quarantined: int = 0
    incident_ids: list[int] = field(default_factory=list)

    def add(self, other: PageResult) -> None:
        """Fold another page's counts into these."""
        self.created += other.created
        self.updated += other.updated
        self.stale += other.stale
        self.quarantined += other.quarantined
        self.incident_ids.extend(other.incident_ids)


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
    uow: UnitOfWork,
    ctx: Context,
    page: IncidentPage,
    now: datetime,
    *,
    source: str = "fetch",
    page_cursor: str | None = None,
    page_span: int | None = None,
) -> PageResult:
    """Store one page of cards and quarantine its rejected records, in the caller's unit of work.

    ``page_span`` is how many records the page held (default: its cards and rejections),
    kept with a rejection that has no id so that its page can be read again.
    """
    result = PageResult()
    overrides = uow.calendar.overrides()  # once per page, not once per card
    stored: list[Incident] = []
    ids = [c.external_id for c in page.cards]
    existing = uow.incidents.by_external_ids(ids)
    created, bulk = _create_in_bulk(uow, ctx, page.cards, existing, Counter(ids), now, overrides)
    created_one_by_one: list[Incident] = []
    result.created += len(created)
    result.incident_ids.extend(created.values())
    for card in page.cards:
        if card.external_id in created:
            log.info("incident create", extra={
                "incident": card.external_id, "revision": card.revision, "source": source})  # fmt: skip
            continue
        incident = existing.get(card.external_id)
        decision = decide(
            incident.remote_revision if incident else None,
            {m.external_id for m in incident.follow_ups} if incident else set(),
            incident.feedback if incident else None,
            card,
        )
        if decision.verdict is Verdict.SKIP_STALE:
            result.stale += 1
            continue
        if incident is None:
            incident = _create(uow, ctx, card, now)
            existing[card.external_id] = incident
            created_one_by_one.append(incident)
            result.created += 1
        else:
            _update(uow, incident, card, now)
            result.updated += 1
        log.info("incident %s", decision.verdict.value, extra={
            "incident": card.external_id, "revision": card.revision, "source": source})  # fmt: skip
        _follow_ups(uow, ctx, incident, card, decision, now)
        approvals.apply_decision(uow, ctx, incident, card, now)
        if decision.feedback_changed and card.feedback is not None:
            uow.add(IncidentEvent(incident=incident, **_feedback_entry(card, now)))
        deadlines.refresh(ctx, incident, now, overrides)
        stored.append(incident)
    uow.flush()  # once per page: relationships carry the ids until then
    result.incident_ids.extend(i.id for i in stored)
    _announce_created(uow, [n for n in bulk if n.values["external_id"] in created], created,
                      created_one_by_one, now)  # fmt: skip
    watch.register_flagged(uow, ctx, page.cards, now)  # the Governor's posts the system flagged
    resolve(uow, [c.external_id for c in page.cards], now)
    span = page_span if page_span is not None else len(page.cards) + len(page.rejected)
    for rejected in page.rejected:
        quarantine(uow, rejected, now, source=source, page_cursor=page_cursor, page_span=span)
        log.warning("record quarantined", extra={
            "incident": rejected.external_id, "reason": rejected.reason, "source": source})  # fmt: skip
        result.quarantined += 1
    return result


def _create_in_bulk(
    uow: UnitOfWork,
    ctx: Context,
    cards: Sequence[IncidentCard],
    existing: dict[str, Incident],
    seen: Counter[str],
    now: datetime,
    overrides: Sequence[CalendarOverrideRow],
) -> tuple[dict[str, int], list[NewIncident]]:
    """Store the page's brand-new cards in multi-row inserts; external id -> id of each,
    and the rows offered (those stored are the ones in the mapping).

    A card seen twice in the page, or stored by another writer meanwhile, is left to
    the card-by-card path, which folds it in as an update.
    """
    new = [
        _new_incident(ctx, card, now, overrides)
        for card in cards
        if card.external_id not in existing and seen[card.external_id] == 1
    ]
    created = uow.incidents.insert_new(new)
    late = [n.values["external_id"] for n in new if n.values["external_id"] not in created]
    if late:
        existing.update(uow.incidents.by_external_ids(late))
    return created, new


def _announce_created(
    uow: UnitOfWork,
    bulk: Sequence[NewIncident],
    ids: dict[str, int],
    one_by_one: Sequence[Incident],
    now: datetime,
) -> None:
    """Queue ``incident.created`` for the page's new messages, in the page's transaction.

    One look-up of the subscribers per page; with none (the usual case), nothing per card.
    """
    if not bulk and not one_by_one:
        return
    subscribers = webhooks.listeners(uow, webhooks.INCIDENT_CREATED)
    if not subscribers:
        return
    items = [
        (f"{webhooks.INCIDENT_CREATED}:{ids[n.values['external_id']]}", webhooks.incident_data(
            incident_id=ids[n.values["external_id"]], number=n.values["number"],
            status=Status.NEW.value, subdivision=None, due_at=n.values["due_at"],
        ))
        for n in bulk
    ] + [
        (f"{webhooks.INCIDENT_CREATED}:{i.id}", webhooks.of_incident(i)) for i in one_by_one
    ]  # fmt: skip
    webhooks.emit_many(uow, webhooks.INCIDENT_CREATED, items, now, subscribers=subscribers)


def _new_incident(
    ctx: Context, card: IncidentCard, now: datetime, overrides: Sequence[CalendarOverrideRow]
) -> NewIncident:
    """A new card's row, its first history entries and follow-ups, and its nearest deadline."""
    arrived = _arrival(card)
    first = HistoryEvent(EventKind.ARRIVED, now, importance=card.importance)
    timeline = Timeline(0, card.created_at, card.detected_at, now, None, (first,))
    values: dict[str, Any] = {
        "external_id": card.external_id, "status": Status.NEW, "arrived_at": now,
        "updated_at": now, "version_id": 1, "screening": None, **_card_values(card),
        "due_at": deadlines.due_of(ctx, timeline, now, overrides),
    }  # fmt: skip
    events = [entry_values(EventKind.ARRIVED, SYSTEM_ACTOR, now, after=Status.NEW, data=arrived)]
    if card.feedback is not None:
        events.append(_feedback_entry(card, now))
    follow_ups = [
        {"external_id": m.external_id, "text": m.text, "created_at": m.created_at}
        for m in card.follow_ups
    ]
    return NewIncident(values, events, follow_ups)


def _arrival(card: IncidentCard) -> dict[str, Any]:
    return {"revision": card.revision, "importance": card.importance.value}


def _create(uow: UnitOfWork, ctx: Context, card: IncidentCard, now: datetime) -> Incident:
    incident = Incident(
        external_id=card.external_id,
        status=Status.NEW,
        arrived_at=now,
        updated_at=now,
        version_id=1,
    )
    _copy_card(incident, card)
    uow.add(incident)
    record(uow, incident, EventKind.ARRIVED, SYSTEM_ACTOR, now, after=Status.NEW,
           data=_arrival(card))  # fmt: skip
    return incident


#: What a person sees of a card: a change of these is worth a history entry. The system's own
#: step (it moves when our reply lands), the revision and the extra columns are only stored.
SHOWN_FIELDS = (
    "number", "remote_created_at", "detected_at", "text", "author_name", "author_url",
    "platform", "post_url", "municipality", "topic_group", "topic", "importance", "attachments",
)  # fmt: skip


def _update(uow: UnitOfWork, incident: Incident, card: IncidentCard, now: datetime) -> None:
    old = incident.remote_revision
    before = {name: getattr(incident, name) for name in SHOWN_FIELDS}
    _copy_card(incident, card)
    changed = [name for name in SHOWN_FIELDS if getattr(incident, name) != before[name]]
    if not changed:
        return  # a new revision with nothing a person would see: no empty history entry
    incident.updated_at = now
    record(
        uow,
        incident,
        EventKind.UPDATED,
        SYSTEM_ACTOR,
        now,
        data={
            "revision": card.revision,
            "previous_revision": old,
            "importance": card.importance.value,
            "changed": changed,
        },
    )


def _follow_ups(
    uow: UnitOfWork,
    ctx: Context,
    incident: Incident,
    card: IncidentCard,
    decision: Decision,
    now: datetime,
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
        if decision.verdict is Verdict.UPDATE and incident.status is not Status.AWAITING_AUTHOR:
            record(uow, incident, EventKind.FOLLOW_UP, SYSTEM_ACTOR, now,
                   comment=message.text, data={"follow_up": message.external_id})  # fmt: skip
        if incident.status is Status.AWAITING_AUTHOR:
            apply(
                uow,
                ctx.profile,
                incident,
                Action.AUTHOR_REPLIED,
                SYSTEM_ACTOR,
                now,
                data={"follow_up": message.external_id, "text": message.text},
            )


def _feedback_entry(card: IncidentCard, now: datetime) -> dict[str, Any]:
    assert card.feedback is not None
    return entry_values(EventKind.FEEDBACK, SYSTEM_ACTOR, now, comment=card.feedback.label,
                        data={"feedback": card.feedback.value})  # fmt: skip


def _copy_card(incident: Incident, card: IncidentCard) -> None:
    for name, value in _card_values(card).items():
        setattr(incident, name, value)


def _card_values(card: IncidentCard) -> dict[str, Any]:
    """What is stored of a card, by column."""
    return {
        "number": card.number,
        "remote_created_at": card.created_at,
        "detected_at": card.detected_at,
        "text": card.text,
        "author_name": card.author.name,
        "author_url": card.author.profile_url,
        "platform": card.platform.value,
        "post_url": card.post_url,
        "municipality": card.municipality,
        "topic_group": card.topic_group,
        "topic": card.topic,
        "importance": card.importance.value,
        "attachments": list(card.attachments),
        "remote_step": card.step,
        "feedback": card.feedback.value if card.feedback else None,
        "remote_revision": card.revision,
        "extra": dict(card.extra),
    }
