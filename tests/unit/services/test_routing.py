"""The routing suggestion and the admin's topic rules, on an in-memory unit of work.

The history's aggregate query runs on SQLite and PostgreSQL in
tests/integration/test_queue_search.py.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from incident_bridge.domain.errors import InvalidInput, NotFound
from incident_bridge.domain.model import IncidentPage
from incident_bridge.persistence.models import Incident, TopicRoute
from incident_bridge.services import ingest, routing, workflow
from incident_bridge.services.actors import actor_for
from incident_bridge.services.context import Context
from incident_bridge.services.routing import Basis, Suggestion
from tests.fakes import make_card
from tests.unit.services.fakes import Cast, FakeUnitOfWork


def arrive(uow: FakeUnitOfWork, ctx: Context, now: datetime, **card: Any) -> Incident:
    page = IncidentPage((make_card(**card),), (), None, False)
    with uow:
        result = ingest.ingest_page(uow, ctx, page, now)
    incident = uow.incidents.get(result.incident_ids[0])
    assert incident is not None
    return incident


def routed(
    uow: FakeUnitOfWork, ctx: Context, people: Cast, now: datetime, topic: str, subdivision: Any
) -> Incident:
    incident = arrive(uow, ctx, now, topic=topic)
    workflow.route(uow, ctx, incident.id, actor_for(people.operator), subdivision.id, now=now)
    return incident


def rule(uow: FakeUnitOfWork, topic: str, subdivision: Any, now: datetime) -> TopicRoute:
    return routing.add_topic_route(
        uow, topic=topic, subdivision_id=subdivision.id, by="Админ", now=now
    )


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("Ямы на дорогах", "ямы на дорогах"),
        ("  ЁЛКИ   во дворе ", "елки во дворе"),
        ("Уборка снега", "уборка снега"),
    ],
)
def test_topics_are_matched_lower_cased_with_yo_as_ye(typed: str, key: str) -> None:
    assert routing.normalise_topic(typed) == key


def test_the_admins_rule_comes_first_and_says_so(
    uow: FakeUnitOfWork, ctx: Context, people: Cast, now: datetime
) -> None:
    for _ in range(3):
        routed(uow, ctx, people, now, "Ёлки во дворе", people.housing)
    rule(uow, "елки во дворе", people.roads, now)
    incident = arrive(uow, ctx, now, topic="Ёлки во дворе")
    assert routing.suggest(uow, incident) == Suggestion(
        people.roads.id, people.roads.name, Basis.TOPIC_RULE, "по правилу для темы «Ёлки во дворе»"
    )


def test_else_the_subdivision_chosen_most_often_for_the_topic(
    uow: FakeUnitOfWork, ctx: Context, people: Cast, now: datetime
) -> None:
    routed(uow, ctx, people, now, "Отопление", people.roads)
    routed(uow, ctx, people, now, "Отопление", people.housing)
    routed(uow, ctx, people, now, "Отопление", people.housing)
    routed(uow, ctx, people, now, "Ямы на дорогах", people.roads)  # another topic
    incident = arrive(uow, ctx, now, topic="Отопление")
    assert routing.suggest(uow, incident) == Suggestion(
        people.housing.id, people.housing.name, Basis.HISTORY, "это подразделение чаще всего выбирали для этой темы"
    )


def test_a_tie_goes_to_the_latest_choice(
    uow: FakeUnitOfWork, ctx: Context, people: Cast, now: datetime
) -> None:
    routed(uow, ctx, people, now, "Отопление", people.housing)
    routed(uow, ctx, people, now, "Отопление", people.roads)
    suggestion = routing.suggest(uow, arrive(uow, ctx, now, topic="Отопление"))
    assert suggestion is not None and suggestion.subdivision_id == people.roads.id


def test_inactive_subdivisions_are_never_suggested(
    uow: FakeUnitOfWork, ctx: Context, people: Cast, now: datetime
) -> None:
    routed(uow, ctx, people, now, "Отопление", people.roads)
    routed(uow, ctx, people, now, "Отопление", people.roads)
    routed(uow, ctx, people, now, "Отопление", people.housing)
    rule(uow, "Отопление", people.roads, now)
    with uow:
        people.roads.active = False
    suggestion = routing.suggest(uow, arrive(uow, ctx, now, topic="Отопление"))
    # The rule's subdivision is closed: the history's next choice instead.
    assert suggestion is not None
    assert (suggestion.subdivision_id, suggestion.basis) == (people.housing.id, Basis.HISTORY)


def test_a_declined_message_is_not_suggested_back_to_the_subdivision_that_declined(
    uow: FakeUnitOfWork, ctx: Context, people: Cast, now: datetime
) -> None:
    incident = routed(uow, ctx, people, now, "Совсем редкая тема", people.roads)
    workflow.decline(uow, ctx, incident.id, actor_for(people.roads_executor), "Не наше.", now=now)
    assert routing.suggest(uow, incident) is None


def test_no_reason_no_suggestion(
    uow: FakeUnitOfWork, ctx: Context, people: Cast, now: datetime
) -> None:
    assert routing.suggest(uow, arrive(uow, ctx, now, topic="Новая тема")) is None


def test_adding_a_rule_is_attributed_and_normalised(
    uow: FakeUnitOfWork, people: Cast, now: datetime
) -> None:
    committed = uow.committed
    added = rule(uow, "  Ямы НА дорогах ", people.roads, now)
    assert (added.topic, added.subdivision_id, added.added_by, added.added_at) == (
        "ямы на дорогах",
        people.roads.id,
        "Админ",
        now,
    )
    assert uow.committed == committed + 1
    assert [r.topic for r in uow.topic_routes.all()] == ["ямы на дорогах"]


@pytest.mark.parametrize(
    ("topic", "message"),
    [
        ("   ", "Укажите тему"),
        ("я" * 301, "длиннее"),
        ("ЯМЫ на дорогах", "уже задано"),
    ],
)
def test_a_bad_rule_is_refused_in_russian_and_changes_nothing(
    uow: FakeUnitOfWork, people: Cast, now: datetime, topic: str, message: str
) -> None:
    rule(uow, "Ямы на дорогах", people.housing, now)
    with pytest.raises(InvalidInput, match=message):
        rule(uow, topic, people.roads, now)
    assert [(r.topic, r.subdivision_id) for r in uow.topic_routes.all()] == [
        ("ямы на дорогах", people.housing.id)
    ]


def test_a_rule_needs_an_active_subdivision(
    uow: FakeUnitOfWork, people: Cast, now: datetime
) -> None:
    with uow:
        people.roads.active = False
    rolled_back = uow.rolled_back
    with pytest.raises(InvalidInput, match="действующее подразделение"):
        rule(uow, "Ямы", people.roads, now)
    with pytest.raises(InvalidInput, match="действующее подразделение"):
        routing.add_topic_route(uow, topic="Ямы", subdivision_id=999, by="Админ", now=now)
    assert uow.rolled_back == rolled_back + 2 and uow.topic_routes.all() == []


def test_removing_a_rule(uow: FakeUnitOfWork, people: Cast, now: datetime) -> None:
    added = rule(uow, "Ямы", people.roads, now)
    removed = routing.remove_topic_route(uow, added.id, by="Админ")
    assert removed is added and uow.topic_routes.all() == []
    with pytest.raises(NotFound, match="уже удалили"):
        routing.remove_topic_route(uow, added.id, by="Админ")


def test_a_subdivision_that_declined_the_message_is_not_suggested_back(
    uow: FakeUnitOfWork, ctx: Context, people: Cast, now: datetime
) -> None:
    from incident_bridge.services import workflow

    routing.add_topic_route(uow, topic="Ямы на дорогах", subdivision_id=people.roads.id,
                            by="Админ", now=now)  # fmt: skip
    incident = arrive(uow, ctx, now, topic="Ямы на дорогах")
    assert routing.suggest(uow, incident) is not None
    workflow.route(uow, ctx, incident.id, actor_for(people.operator), people.roads.id, now=now)
    workflow.decline(uow, ctx, incident.id, actor_for(people.roads_executor), "Не наше", now=now)
    assert routing.suggest(uow, incident) is None
