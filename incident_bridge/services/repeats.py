"""Repeat messages: found per screening batch, linked both ways, unlinked or linked by a person.

``find_in_batch`` is the thin shell around ``domain.repeats.decide``: for one batch of
new messages it gathers every candidate in one indexed query (quoted numbers, authors'
profile links, the streets the texts name), decides each message and stores the
links with a ``REPEAT_FOUND`` entry by the system. Who may unlink a false match or
link by number is whoever routes under the profile (an admin may stand in).
What follows a link is the profile's (``profile.repeats``): the default route to the
earlier bodies and the measures check of the answer.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from incident_bridge.domain.errors import (
    IllegalTransition,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from incident_bridge.domain.events import EventKind
from incident_bridge.domain.repeats import Message, Reason, decide, place_of, quoted_numbers
from incident_bridge.domain.workflow import Action, may_take
from incident_bridge.persistence.models import Incident, RepeatLink
from incident_bridge.services.actors import SYSTEM_ACTOR, Actor
from incident_bridge.services.context import Context
from incident_bridge.services.history import record
from incident_bridge.services.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)


def _message(incident: Incident) -> Message:
    return Message(
        incident.id, incident.number, incident.remote_created_at, incident.text,
        incident.author_url, incident.municipality, incident.topic, incident.place_key,
    )  # fmt: skip


def find_in_batch(
    uow: UnitOfWork, ctx: Context, incidents: Sequence[Incident], now: datetime
) -> int:
    """Link each new message of the batch that repeats an earlier one; return how many.

    Inside the caller's unit of work (the screening batch). One query for the candidates
    of the whole batch, one for the links the batch already has: never one per message.
    """
    if not incidents:
        return 0
    for incident in incidents:
        incident.place_key = place_of(incident.text)
    uow.flush()  # the batch's own places count: a repeat may come in the same page
    window = timedelta(days=ctx.profile.repeats.window_days)
    new = [_message(i) for i in incidents]
    candidates = uow.repeats.candidates(
        numbers={n for m in new for n in quoted_numbers(m.text)},
        author_urls={m.author_url for m in new if m.author_url},
        places={m.place for m in new if m.place},
        since=min(m.created_at for m in new) - window,
    )
    already = uow.repeats.linked([i.id for i in incidents])
    by_id = {c.id: c for c in candidates}
    links = []
    for incident, message in zip(incidents, new, strict=True):
        if incident.id in already:
            continue
        match = decide(message, candidates, ctx.profile.repeats.window_days)
        if match is None:
            continue
        earlier = by_id[match.earlier_id]
        links.append(_link(uow, incident, earlier, match.reason, SYSTEM_ACTOR, now))
    uow.repeats.add_all(links)
    return len(links)


def _link(
    uow: UnitOfWork,
    incident: Incident,
    earlier: Message | Incident,
    reason: Reason,
    actor: Actor,
    now: datetime,
    comment: str | None = None,
) -> RepeatLink:
    record(
        uow, incident, EventKind.REPEAT_FOUND, actor, now,
        comment=comment or f"Повторное сообщение: ранее № {earlier.number} ({reason.label})",
        data={"earlier_id": earlier.id, "earlier_number": earlier.number, "reason": reason.value},
    )  # fmt: skip
    return RepeatLink(
        repeat_id=incident.id,
        earlier_id=earlier.id,
        reason=reason.value,
        found_at=now,
        found_by=actor.label,
    )


def _may_link(ctx: Context, actor: Actor) -> None:
    if not may_take(actor.role, Action.ROUTE, ctx.profile.performers):
        raise PermissionDenied(
            "Связывать повторные сообщения может тот, кто направляет сообщения исполнителям."
        )


def unlink(
    uow: UnitOfWork, ctx: Context, incident_id: int, actor: Actor, reason: str, *, now: datetime
) -> None:
    """Undo a false match: the message is no longer taken for a repeat (the reason is kept)."""
    reason = reason.strip()
    with uow:
        _may_link(ctx, actor)
        incident = uow.incidents.get(incident_id)
        if incident is None:
            raise NotFound("Сообщение не найдено.")
        if not reason:
            raise InvalidInput("Укажите, почему сообщение не повторное.")
        link = uow.repeats.earlier_of(incident_id)
        if link is None:
            raise IllegalTransition("Сообщение не связано с прежним: снимать нечего.")
        earlier = link.earlier
        record(
            uow, incident, EventKind.REPEAT_UNLINKED, actor, now, comment=reason,
            data={"earlier_id": earlier.id, "earlier_number": earlier.number,
                  "reason": link.reason, "found_by": link.found_by},
        )  # fmt: skip
        uow.repeats.remove(link)
    log.info("repeat unlinked", extra={"incident": incident_id, "by": actor.label})


def link(
    uow: UnitOfWork,
    ctx: Context,
    incident_id: int,
    actor: Actor,
    number: str,
    *,
    now: datetime,
    comment: str | None = None,
) -> RepeatLink:
    """Link a message by hand to the earlier one with ``number`` (attributed to ``actor``)."""
    number = number.strip().lstrip("№").strip()
    with uow:
        _may_link(ctx, actor)
        incident = uow.incidents.get(incident_id)
        if incident is None:
            raise NotFound("Сообщение не найдено.")
        if not number:
            raise InvalidInput("Укажите номер прежнего сообщения.")
        earlier = uow.repeats.by_number(number)
        if earlier is None:
            raise InvalidInput(f"Сообщения № {number} нет в системе.")
        if earlier.id == incident.id:
            raise InvalidInput("Сообщение нельзя связать с самим собой.")
        if (earlier.remote_created_at, earlier.id) > (incident.remote_created_at, incident.id):
            raise InvalidInput(
                f"Сообщение № {number} поступило позже этого: оно не может быть прежним."
            )
        if uow.repeats.earlier_of(incident.id) is not None:
            raise IllegalTransition(
                "Сообщение уже связано с прежним. Сначала снимите эту связь, затем укажите другую."
            )
        text = (comment or "").strip() or None
        new_link = _link(uow, incident, earlier, Reason.MANUAL, actor, now, comment=text)
        uow.repeats.add_all([new_link])
    log.info(
        "repeat linked", extra={"incident": incident_id, "earlier": earlier.id, "by": actor.label}
    )
    return new_link


def earlier_of(uow: UnitOfWork, incident: Incident) -> RepeatLink | None:
    """The link of this message to the earlier one it repeats, or None."""
    return uow.repeats.earlier_of(incident.id)


def repeats_of(uow: UnitOfWork, incident: Incident) -> list[RepeatLink]:
    """The later messages that repeat this one."""
    return uow.repeats.repeats_of(incident.id)


def is_repeat(uow: UnitOfWork, incident: Incident) -> bool:
    """Whether the message is linked as a repeat of an earlier one."""
    return bool(uow.repeats.linked([incident.id]))


def earlier_bodies(uow: UnitOfWork, incident: Incident) -> list[int]:
    """The subdivisions that worked the earlier message this one repeats (none if no repeat):
    every body that had a part of it, in their order, else its one subdivision — so that a
    repeat goes to the same bodies (Lipetsk п. 15, Leningrad 8.10, Sobolevo п. 18).
    """
    link_ = uow.repeats.earlier_of(incident.id)
    if link_ is None:
        return []
    earlier = link_.earlier
    if earlier.parts:
        return [p.subdivision_id for p in earlier.parts]
    return [earlier.subdivision_id] if earlier.subdivision_id is not None else []


def linked_ids(uow: UnitOfWork, incident_ids: Sequence[int]) -> set[int]:
    """Which of these messages are repeats (one query, for the queue's badges)."""
    return uow.repeats.linked(incident_ids)
