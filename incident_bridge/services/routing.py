"""Which subdivision to suggest when routing a message, and the admin's topic rules behind it.

A suggestion needs a reason, in this order:

0. a repeat message, where the profile routes repeats to the earlier bodies
   (``profile.repeats.route_to_earlier``): the earlier message's subdivision;
1. the admin's rule for the message's topic (``TopicRoute``; topics are
   compared lower-cased with ё as е, so «Ёлки» and «елки» are one topic);
2. else the active subdivision most often chosen for that topic in the history
   (the ROUTE entries; the message's own earlier routings are left out, since a
   subdivision that declined it is no reason to send it back);
3. else nothing: the person chooses, and the route form refuses an empty choice.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass
from datetime import datetime

from incident_bridge.domain.errors import InvalidInput, NotFound
from incident_bridge.domain.model import CARD_LIMITS
from incident_bridge.domain.regulations import Profile
from incident_bridge.persistence.models import Incident, TopicRoute
from incident_bridge.services import repeats
from incident_bridge.services.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)


class Basis(enum.StrEnum):
    """Why a subdivision is suggested."""

    REPEAT = "repeat"
    TOPIC_RULE = "topic_rule"
    HISTORY = "history"


@dataclass(frozen=True, slots=True)
class Suggestion:
    """The subdivision to preselect and why, in words for the page."""

    subdivision_id: int
    subdivision_name: str
    basis: Basis
    reason: str


def normalise_topic(topic: str) -> str:
    """The key a topic is matched by: lower case, ё as е, single spaces."""
    return " ".join(topic.lower().replace("ё", "е").split())


def suggest(
    uow: UnitOfWork, incident: Incident, profile: Profile | None = None
) -> Suggestion | None:
    """The subdivision to preselect for routing ``incident``, or None when there is no reason.

    A subdivision that already returned this message as not its own is never suggested again.
    With ``profile``, a repeat goes first to the earlier message's body where its rule says so.
    """
    declined = {
        e.data.get("subdivision_id")
        for e in incident.events
        if e.kind == "route" and _declined_after(incident, e.id)
    }
    if profile is not None and profile.repeats.route_to_earlier:
        suggestion = _repeat_suggestion(uow, incident, profile, declined)
        if suggestion is not None:
            return suggestion
    rule = uow.topic_routes.for_topic(normalise_topic(incident.topic))
    if rule is not None and rule.subdivision_id not in declined:
        subdivision = uow.people.subdivision(rule.subdivision_id)
        if subdivision is not None and subdivision.active:
            return Suggestion(
                subdivision.id, subdivision.name, Basis.TOPIC_RULE,
                f"по правилу для темы «{incident.topic}»",
            )  # fmt: skip
    chosen = uow.topic_routes.most_chosen(incident.topic, excluding_incident=incident.id)
    if chosen is not None and chosen.id not in declined:
        return Suggestion(
            chosen.id,
            chosen.name,
            Basis.HISTORY,
            "это подразделение чаще всего выбирали для этой темы",
        )
    return None


def _repeat_suggestion(
    uow: UnitOfWork, incident: Incident, profile: Profile, declined: set[object]
) -> Suggestion | None:
    """The earlier message's body, for a repeat (Lipetsk п. 15, Leningrad 8.10, Sobolevo п. 18)."""
    link = repeats.earlier_of(uow, incident)
    for subdivision_id in repeats.earlier_bodies(uow, incident):
        subdivision = uow.people.subdivision(subdivision_id)
        if link is None or subdivision is None or not subdivision.active:
            continue
        if subdivision.id in declined:
            continue
        return Suggestion(
            subdivision.id, subdivision.name, Basis.REPEAT,
            f"повторное сообщение: прежнее № {link.earlier.number} исполняло это подразделение "
            f"(повторное направляется тем же исполнителям, {_clause(profile.repeats.clause)})",
        )  # fmt: skip
    return None


def _clause(clause: str | None) -> str:
    text = clause or ""
    return text if text.startswith("п.") else f"п. {text}"


def _declined_after(incident: Incident, route_entry_id: int | None) -> bool:
    """Whether the routing entry was followed by the executor's return («не наше»)."""
    return any(e.kind == "decline" and (e.id or 0) > (route_entry_id or 0) for e in incident.events)


def add_topic_route(
    uow: UnitOfWork, *, topic: str, subdivision_id: int, by: str, now: datetime
) -> TopicRoute:
    """Record the admin's rule: messages on ``topic`` are suggested to this subdivision."""
    key = normalise_topic(topic)
    if not key:
        raise InvalidInput("Укажите тему.")
    if len(key) > CARD_LIMITS.topic:
        raise InvalidInput(f"Тема длиннее {CARD_LIMITS.topic} символов.")
    with uow:
        subdivision = uow.people.subdivision(subdivision_id)
        if subdivision is None or not subdivision.active:
            raise InvalidInput("Выберите действующее подразделение.")
        existing = uow.topic_routes.for_topic(key)
        if existing is not None:
            raise InvalidInput(
                f"Для темы «{key}» уже задано подразделение. Удалите это правило, чтобы задать другое."
            )
        route = TopicRoute(topic=key, subdivision_id=subdivision.id, added_by=by, added_at=now)
        uow.add(route)
    log.info("topic route added", extra={"topic": key, "subdivision": subdivision.id, "by": by})
    return route


def remove_topic_route(uow: UnitOfWork, route_id: int, *, by: str) -> TopicRoute:
    """Remove the admin's rule (who removed it is logged: the row itself goes)."""
    with uow:
        route = uow.topic_routes.get(route_id)
        if route is None:
            raise NotFound("Правило не найдено: возможно, его уже удалили.")
        uow.topic_routes.remove(route)
    log.info(
        "topic route removed",
        extra={"topic": route.topic, "subdivision": route.subdivision_id, "by": by},
    )
    return route
