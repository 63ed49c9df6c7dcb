"""Webhooks on SQLite and PostgreSQL: subscriptions, the transactional outbox of events,
retries with backoff, failure after the last attempt, and one bad subscriber never
holding up the others."""

from __future__ import annotations

import json
import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from incident_bridge.domain.errors import (
    InvalidInput,
    PermissionDenied,
    WebhookTransientError,
)
from incident_bridge.domain.model import DraftKind, IncidentPage
from incident_bridge.persistence.models import Incident, WebhookDelivery
from incident_bridge.services import ingest, notifications, outbox, webhooks, workflow
from incident_bridge.services.actors import actor_for
from tests.fakes import GOOD_ANSWER, make_card
from tests.webhook_fakes import FakeWebhookPoster

MSK = ZoneInfo("Europe/Moscow")
GOOD, BAD = "https://dms.example/hook", "https://broken.example/hook"


def at(day: int, hh: int, mm: int = 0) -> datetime:
    return datetime(2026, 9, day, hh, mm, tzinfo=MSK).astimezone(UTC)


def _subscribe(uow: Any, people: dict[str, Any], url: str, *events: str) -> Any:
    admin = actor_for(people["admin"])
    return webhooks.subscribe(uow, url, events, "СЭД", admin, at(1, 8)).webhook


def _page(*cards: Any) -> IncidentPage:
    return IncidentPage(tuple(cards), (), None, False)


def _arrive(uow: Any, ctx: Any, created: datetime, **fields: Any) -> Incident:
    card = make_card(created_at=created, detected_at=created, **fields)
    with uow:
        result = ingest.ingest_page(uow, ctx, _page(card), created)
    incident = uow.incidents.get(result.incident_ids[0])
    assert incident is not None
    return incident


def _deliveries(db_session: Any) -> list[WebhookDelivery]:
    db_session.expire_all()
    return list(db_session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))


def test_a_subscription_needs_an_http_url_with_a_host_and_known_events(uow, people):
    admin = actor_for(people["admin"])
    bad = [
        ("ftp://dms.example/hook", ["incident.created"], "http:// или https://"),
        ("http:///hook", ["incident.created"], "нет имени сервера"),
        ("javascript:alert(1)", ["incident.created"], "http:// или https://"),
        ("https://dms.example/a b", ["incident.created"], "пробелов"),
        ("https://dms.example/hook", ["incident.deleted"], "Неизвестные события: incident.deleted"),
        ("https://dms.example/hook", [], "хотя бы одно событие"),
        ("", ["incident.created"], "Укажите адрес"),
    ]
    for url, events, why in bad:
        with pytest.raises(InvalidInput, match=why):
            webhooks.subscribe(uow, url, events, "", admin, at(1, 8))
    with pytest.raises(PermissionDenied):
        webhooks.subscribe(uow, GOOD, ["incident.created"], "", actor_for(people["operator"]),
                           at(1, 8))  # fmt: skip
    made = webhooks.subscribe(uow, f" {GOOD} ", ["reply.delivered", "incident.created"], "СЭД",
                              admin, at(1, 8))  # fmt: skip
    assert made.webhook.url == GOOD and made.webhook.events == ["incident.created",
                                                                 "reply.delivered"]  # fmt: skip
    assert len(made.secret) >= 40 and made.webhook.secret == made.secret
    assert uow.webhooks.all() == [made.webhook]


def test_new_messages_are_announced_once_to_their_subscribers_only(uow, ctx, people, db_session):
    created = _subscribe(uow, people, GOOD, webhooks.INCIDENT_CREATED)
    _subscribe(uow, people, BAD, webhooks.DRAFT_SUBMITTED)
    cards = [make_card(), make_card()]
    with uow:
        result = ingest.ingest_page(uow, ctx, _page(*cards), at(1, 9))
    rows = _deliveries(db_session)
    assert [(r.webhook_id, r.event, r.state) for r in rows] == [
        (created.id, "incident.created", "pending")
    ] * 2
    assert {r.event_id for r in rows} == {f"incident.created:{i}" for i in result.incident_ids}
    # The page's rows get their ids at once: match by number, not by position.
    by_number = {json.loads(r.payload)["number"]: json.loads(r.payload) for r in rows}
    data = by_number[cards[0].number]
    assert data["status"] == "new" and data["due_at"]
    assert {d["incident_id"] for d in by_number.values()} == set(result.incident_ids)
    # A newer revision of the same cards is an update: nothing is announced again.
    with uow:
        ingest.ingest_page(uow, ctx, _page(*(replace(c, revision=2, text=c.text + "!")
                                             for c in cards)), at(1, 10))  # fmt: skip
    assert len(_deliveries(db_session)) == 2


def test_without_subscribers_nothing_is_written(uow, ctx, people, db_session):
    webhook = _subscribe(uow, people, GOOD, webhooks.INCIDENT_CREATED)
    webhooks.deactivate(uow, webhook.id, actor_for(people["admin"]), at(1, 8, 30))
    _arrive(uow, ctx, at(1, 9))
    assert _deliveries(db_session) == []


def test_an_event_is_written_in_the_transaction_of_its_change(uow, ctx, people, db_session):
    _subscribe(uow, people, GOOD, webhooks.DRAFT_SUBMITTED)
    incident = _arrive(uow, ctx, at(1, 9))
    executor = actor_for(people["roads_executor"])
    workflow.route(uow, ctx, incident.id, actor_for(people["operator"]), people["roads"].id,
                   now=at(1, 9, 10), assignee_id=people["roads_executor"].id)  # fmt: skip
    with pytest.raises(RuntimeError), uow:  # the change fails after the event was queued
        workflow.submit_draft(uow, ctx, incident.id, executor, DraftKind.ANSWER, GOOD_ANSWER,
                              now=at(1, 10))  # fmt: skip
        assert len(uow.webhooks.known([f"draft.submitted:draft:{incident.drafts[-1].id}"])) == 1
        raise RuntimeError("the database went away")
    assert _deliveries(db_session) == []
    draft = workflow.submit_draft(uow, ctx, incident.id, executor, DraftKind.ANSWER, GOOD_ANSWER,
                                  now=at(1, 10))  # fmt: skip
    (row,) = _deliveries(db_session)
    assert row.event == "draft.submitted" and row.event_id == f"draft.submitted:draft:{draft.id}"
    data = json.loads(row.payload)
    assert data["draft_id"] == draft.id and data["kind"] == "answer" and data["part"] is None
    assert data["subdivision"] == people["roads"].name and data["status"] == "on_review"


def test_a_failing_subscriber_is_retried_with_backoff_then_failed_and_others_still_get_theirs(
    uow, ctx, people, db_session
):
    good = _subscribe(uow, people, GOOD, webhooks.INCIDENT_CREATED)
    bad = _subscribe(uow, people, BAD, webhooks.INCIDENT_CREATED)
    with uow:
        ingest.ingest_page(uow, ctx, _page(make_card(), make_card()), at(1, 9))
    poster = FakeWebhookPoster(script={BAD: [WebhookTransientError("Получатель недоступен"), 503]})
    rng = random.Random(7)
    result = webhooks.deliver_due(uow, poster, at(1, 9), max_attempts=3, rng=rng)
    # The good one gets both; the bad one is tried once, then left alone for this run.
    assert (result.delivered, result.retried, result.failed) == (2, 1, 0)
    assert len(poster.to(GOOD)) == 2 and len(poster.to(BAD)) == 1
    rows = {(r.webhook_id, r.attempts): r for r in _deliveries(db_session)}
    first = rows[(bad.id, 1)]
    assert first.state == "pending" and first.last_error == "Получатель недоступен"
    wait = first.next_attempt_at - at(1, 9)
    assert timedelta(seconds=2.5) <= wait <= timedelta(seconds=5)  # the first backoff, jittered
    assert rows[(bad.id, 0)].state == "pending"
    assert all(r.state == "delivered" and r.last_status == 200 for r in _deliveries(db_session)
               if r.webhook_id == good.id)  # fmt: skip
    # A second later the untried one is due, the one that failed is not yet.
    assert webhooks.deliver_due(uow, poster, at(1, 9) + timedelta(seconds=1), rng=rng).retried == 1
    assert [r.attempts for r in _deliveries(db_session) if r.webhook_id == bad.id] == [1, 1]
    later = at(1, 9)
    for _ in range(8):
        later += timedelta(hours=1)
        webhooks.deliver_due(uow, poster, later, max_attempts=3, rng=rng)
    bad_rows = [r for r in _deliveries(db_session) if r.webhook_id == bad.id]
    assert [(r.state, r.attempts, r.last_status) for r in bad_rows] == [("failed", 3, 503)] * 2
    assert len(poster.to(BAD)) == 6 and len(poster.to(GOOD)) == 2  # nothing delivered twice


def test_a_refusal_fails_at_once_and_a_429_waits_for_retry_after(uow, ctx, people, db_session):
    _subscribe(uow, people, BAD, webhooks.INCIDENT_CREATED)
    _subscribe(uow, people, GOOD, webhooks.INCIDENT_CREATED)
    _arrive(uow, ctx, at(1, 9))
    poster = FakeWebhookPoster(script={
        BAD: [410], GOOD: [WebhookTransientError("HTTP 429", 429, retry_after=600), 200],
    })  # fmt: skip
    webhooks.deliver_due(uow, poster, at(1, 9))
    refused, waiting = _deliveries(db_session)
    assert (refused.state, refused.attempts, refused.last_status) == ("failed", 1, 410)
    assert waiting.state == "pending"
    assert waiting.next_attempt_at == at(1, 9) + timedelta(minutes=10)
    webhooks.deliver_due(uow, poster, at(1, 9, 11))
    assert [r.state for r in _deliveries(db_session)] == ["failed", "delivered"]


def test_an_ended_subscription_gets_nothing_more(uow, ctx, people, db_session):
    webhook = _subscribe(uow, people, GOOD, webhooks.INCIDENT_CREATED)
    _arrive(uow, ctx, at(1, 9))
    webhooks.deactivate(uow, webhook.id, actor_for(people["admin"]), at(1, 9, 1))
    _arrive(uow, ctx, at(1, 9, 2))
    poster = FakeWebhookPoster()
    assert webhooks.deliver_due(uow, poster, at(1, 9, 3)).delivered == 0 and poster.posts == []
    (row,) = _deliveries(db_session)
    assert row.state == "failed" and row.last_error == "Подписка отключена"
    with pytest.raises(InvalidInput, match="уже отключена"):
        webhooks.deactivate(uow, webhook.id, actor_for(people["admin"]), at(1, 9, 4))


def test_a_clock_about_to_end_and_its_breach_are_announced_once_each(uow, ctx, people, db_session):
    _subscribe(uow, people, GOOD, webhooks.INCIDENT_DUE_SOON, webhooks.INCIDENT_OVERDUE)
    incident = _arrive(uow, ctx, at(1, 8, 50), number="R-1")  # routing due 10:00
    notifications.scan(uow, ctx, at(1, 9, 50))
    notifications.scan(uow, ctx, at(1, 9, 52))  # the same warning: not again
    (soon,) = _deliveries(db_session)
    assert soon.event == "incident.due_soon"
    assert soon.event_id.startswith("incident.due_soon:due_soon:")
    data = json.loads(soon.payload)
    assert data["number"] == "R-1" and data["clock"]["name"] == "route"
    notifications.scan(uow, ctx, at(1, 10, 5))
    notifications.scan(uow, ctx, at(1, 10, 6))
    assert [r.event for r in _deliveries(db_session)] == ["incident.due_soon", "incident.overdue"]
    assert json.loads(_deliveries(db_session)[1].payload)["incident_id"] == incident.id


def test_a_reply_delivered_to_the_incident_system_is_announced(
    uow, ctx, people, db_session, fake_system
):
    _subscribe(uow, people, GOOD, webhooks.REPLY_DELIVERED)
    now = datetime(2025, 10, 30, 9, 0, tzinfo=UTC)
    incident = _arrive(uow, ctx, now - timedelta(hours=1))
    operator = actor_for(people["operator"])
    workflow.route(uow, ctx, incident.id, operator, people["roads"].id, now=now)
    workflow.submit_draft(uow, ctx, incident.id, actor_for(people["roads_executor"]),
                          DraftKind.ANSWER, GOOD_ANSWER, now=now)  # fmt: skip
    workflow.approve(uow, ctx, incident.id, operator, now=now, override_reason="Проверено.")
    assert _deliveries(db_session) == []
    assert outbox.push(uow, ctx, fake_system, now).sent == 1
    (row,) = _deliveries(db_session)
    assert row.event == "reply.delivered" and json.loads(row.payload)["kind"] == "answer"
    outbox.push(uow, ctx, fake_system, now + timedelta(minutes=1))
    assert len(_deliveries(db_session)) == 1
