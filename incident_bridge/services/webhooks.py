"""Webhooks: host systems subscribe to the bridge's events; deliveries go through an outbox.

``emit`` writes one pending ``WebhookDelivery`` per active subscriber of the event in
the caller's unit of work, so a delivery exists exactly when the change that caused
it was committed (a transactional outbox). ``deliver_due`` posts the due ones through a
``WebhookPoster``, one attempt each in its own transaction, signed with the
subscription's secret (``domain.signing``); a failure waits with backoff, and a
subscriber that fails is skipped for the rest of the run, so it never holds up the others.
"""

from __future__ import annotations

import json
import logging
import random
import secrets
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from incident_bridge.domain import signing
from incident_bridge.domain.backoff import backoff
from incident_bridge.domain.errors import (
    InvalidInput,
    NotFound,
    PermissionDenied,
    WebhookRejected,
    WebhookTransientError,
)
from incident_bridge.domain.ports import WebhookPoster
from incident_bridge.domain.workflow import Role
from incident_bridge.persistence.models import Incident, Webhook, WebhookDelivery
from incident_bridge.services.actors import Actor
from incident_bridge.services.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

INCIDENT_CREATED = "incident.created"
INCIDENT_DUE_SOON = "incident.due_soon"
INCIDENT_OVERDUE = "incident.overdue"
DRAFT_SUBMITTED = "draft.submitted"
REPLY_DELIVERED = "reply.delivered"

#: The events a host system may subscribe to, with their labels on the admin page.
EVENTS: dict[str, str] = {
    INCIDENT_CREATED: "Поступило новое сообщение",
    INCIDENT_DUE_SOON: "Срок истекает",
    INCIDENT_OVERDUE: "Срок нарушен",
    DRAFT_SUBMITTED: "Проект ответа (или часть ответа) направлен на проверку",
    REPLY_DELIVERED: "Ответ доставлен в систему Инцидент",
}

PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"
STATE_LABELS = {PENDING: "ожидает отправки", DELIVERED: "доставлено", FAILED: "не доставлено"}
DEFAULT_MAX_ATTEMPTS = 10
MAX_URL = 2000
MAX_DESCRIPTION = 500


@dataclass(frozen=True, slots=True)
class Subscription:
    """A new subscription and its secret: the only time the secret is shown."""

    webhook: Webhook
    secret: str


@dataclass(slots=True)
class DeliveryResult:
    """Counts of one delivery run."""

    delivered: int = 0
    retried: int = 0
    failed: int = 0


def validate_url(url: str) -> str:
    """The subscriber's URL, trimmed; an http(s) URL with a host, or a Russian refusal."""
    url = (url or "").strip()
    if not url:
        raise InvalidInput("Укажите адрес получателя.")
    if len(url) > MAX_URL:
        raise InvalidInput(f"Адрес длиннее {MAX_URL} символов.")
    if any(ch.isspace() or ord(ch) < 32 for ch in url):
        raise InvalidInput("В адресе не должно быть пробелов и управляющих символов.")
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 (a port past 65535 or not a number raises here)
    except ValueError:
        raise InvalidInput("Адрес получателя записан неверно.") from None
    if parts.scheme not in ("http", "https"):
        raise InvalidInput("Адрес получателя должен начинаться с http:// или https://.")
    if not host:
        raise InvalidInput("В адресе получателя нет имени сервера.")
    return url


def validate_events(events: Iterable[str]) -> list[str]:
    """The known events among ``events``, in the documented order; refuses unknown or none."""
    chosen = {e.strip() for e in events if e and e.strip()}
    unknown = sorted(chosen - EVENTS.keys())
    if unknown:
        raise InvalidInput(f"Неизвестные события: {', '.join(unknown)}.")
    if not chosen:
        raise InvalidInput("Выберите хотя бы одно событие.")
    return [e for e in EVENTS if e in chosen]


def _admin(actor: Actor) -> None:
    if actor.role != Role.ADMIN.value:
        raise PermissionDenied("Подписки на события ведёт администратор.")


def subscribe(
    uow: UnitOfWork,
    url: str,
    events: Iterable[str],
    description: str,
    actor: Actor,
    now: datetime,
) -> Subscription:
    """Subscribe ``url`` to ``events``; the answer carries the secret, shown this once."""
    _admin(actor)
    url = validate_url(url)
    chosen = validate_events(events)
    description = (description or "").strip()
    if len(description) > MAX_DESCRIPTION:
        raise InvalidInput(f"Описание длиннее {MAX_DESCRIPTION} символов.")
    secret = secrets.token_urlsafe(32)
    with uow:
        webhook = Webhook(
            url=url, description=description, secret=secret, events=chosen, active=True,
            created_at=now, created_by_id=actor.user_id,
        )  # fmt: skip
        uow.add(webhook)
        uow.flush()
    log.info("webhook subscribed", extra={"webhook": webhook.id, "events": chosen})
    return Subscription(webhook, secret)


def deactivate(uow: UnitOfWork, webhook_id: int, actor: Actor, now: datetime) -> Webhook:
    """End a subscription: nothing more is queued for it, and what waits is set aside."""
    _admin(actor)
    with uow:
        webhook = uow.webhooks.get(webhook_id)
        if webhook is None:
            raise NotFound("Подписка не найдена.")
        if not webhook.active:
            raise InvalidInput("Подписка уже отключена.")
        webhook.active = False
        webhook.deactivated_at, webhook.deactivated_by_id = now, actor.user_id
        uow.webhooks.fail_pending(webhook.id, "Подписка отключена")
    return webhook


def listeners(uow: UnitOfWork, event: str) -> list[Webhook]:
    """The active subscribers of ``event``: ask once per transaction, not once per change."""
    return [w for w in uow.webhooks.active() if event in (w.events or ())]


def incident_data(
    *,
    incident_id: int,
    number: str,
    status: str,
    subdivision: str | None,
    due_at: datetime | None,
) -> dict[str, Any]:
    """What every event about a message tells of it."""
    return {
        "incident_id": incident_id,
        "number": number,
        "status": status,
        "subdivision": subdivision,
        "due_at": due_at.isoformat() if due_at else None,
    }


def of_incident(incident: Incident, **extra: Any) -> dict[str, Any]:
    """``incident_data`` of a stored message, with the event's own fields."""
    data = incident_data(
        incident_id=incident.id,
        number=incident.number,
        status=incident.status.value,
        subdivision=incident.subdivision.name if incident.subdivision else None,
        due_at=incident.due_at,
    )
    return {**data, **extra}


def emit(
    uow: UnitOfWork,
    event: str,
    payload: Mapping[str, Any],
    now: datetime,
    *,
    event_id: str,
    subscribers: Sequence[Webhook] | None = None,
) -> int:
    """Queue ``event`` for each of its active subscribers, in the caller's transaction."""
    return emit_many(uow, event, [(event_id, payload)], now, subscribers=subscribers)


def emit_many(
    uow: UnitOfWork,
    event: str,
    items: Sequence[tuple[str, Mapping[str, Any]]],
    now: datetime,
    *,
    subscribers: Sequence[Webhook] | None = None,
) -> int:
    """Queue each (event id, data) of ``event`` for its subscribers; return how many were queued.

    An event id already queued for a subscriber is not queued again (a rescan, a rerun).
    ``subscribers`` (from ``listeners``) spares the look-up when the caller has them.
    """
    if event not in EVENTS:
        raise ValueError(f"unknown webhook event {event!r}")
    if not items:
        return 0
    targets = listeners(uow, event) if subscribers is None else list(subscribers)
    if not targets:
        return 0
    with uow:
        known = uow.webhooks.known([event_id for event_id, _ in items])
        queued = 0
        for event_id, data in items:
            for webhook in targets:
                if (webhook.id, event_id) in known:
                    continue
                uow.webhooks.add_delivery(WebhookDelivery(
                    webhook_id=webhook.id, event=event, event_id=event_id,
                    payload=json.dumps(data, ensure_ascii=False, sort_keys=True), state=PENDING,
                    attempts=0, next_attempt_at=now, created_at=now,
                ))  # fmt: skip
                queued += 1
    return queued


def body_of(delivery: WebhookDelivery, public_url: str | None) -> bytes:
    """The JSON body posted for ``delivery`` (the same on every attempt)."""
    data = json.loads(delivery.payload)
    if public_url and data.get("incident_id") is not None:
        data["url"] = f"{public_url.rstrip('/')}/incidents/{data['incident_id']}"
    envelope = {
        "id": delivery.event_id,
        "event": delivery.event,
        "occurred_at": delivery.created_at.isoformat(),
        "data": data,
    }
    return json.dumps(envelope, ensure_ascii=False, sort_keys=True).encode("utf-8")


def deliver_due(
    uow: UnitOfWork,
    poster: WebhookPoster,
    now: datetime,
    *,
    limit: int = 200,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    public_url: str | None = None,
    rng: random.Random | None = None,
    heartbeat: Callable[[], object] | None = None,
) -> DeliveryResult:
    """Post the due deliveries, one attempt each, each claimed and marked in its own transaction.

    A network error, a 5xx or a 429 is tried again later (exponential backoff, never
    sooner than ``Retry-After``) until ``max_attempts``; a refusal (a redirect, another
    4xx) fails at once. A subscriber that failed is not tried again in this run.
    """
    rng = rng or random.Random()
    result = DeliveryResult()
    troubled: set[int] = set()
    for _ in range(limit):
        with uow:
            row = uow.webhooks.claim_next(now, troubled)
            if row is None:
                break
            if not _attempt(row, poster, now, max_attempts, public_url, rng, result):
                troubled.add(row.webhook_id)
        if heartbeat is not None:
            heartbeat()
    return result


def _attempt(
    row: WebhookDelivery,
    poster: WebhookPoster,
    now: datetime,
    max_attempts: int,
    public_url: str | None,
    rng: random.Random,
    result: DeliveryResult,
) -> bool:
    """One attempt at ``row``; whether it was delivered."""
    webhook = row.webhook
    body = body_of(row, public_url)
    timestamp = int(now.timestamp())
    headers = signing.headers(webhook.secret, row.event, row.event_id, timestamp, body)
    where = {"webhook": webhook.id, "delivery": row.id, "event_id": row.event_id}
    row.attempts += 1
    try:
        status = poster.post(webhook.url, body, headers)
    except WebhookTransientError as exc:
        row.last_status, row.last_error = exc.status, str(exc)[:500]
        if row.attempts >= max_attempts:
            row.state = FAILED
            result.failed += 1
            log.error("webhook delivery out of attempts", extra={**where, "error": str(exc)})
        else:
            row.next_attempt_at = now + timedelta(
                seconds=backoff(row.attempts, exc.retry_after, rng)
            )
            result.retried += 1
            log.warning("webhook delivery failed, will retry", extra={**where, "error": str(exc)})
        return False
    except WebhookRejected as exc:
        row.last_status, row.last_error, row.state = exc.status, str(exc)[:500], FAILED
        result.failed += 1
        log.error("webhook delivery refused", extra={**where, "error": str(exc)})
        return False
    row.state, row.last_status, row.last_error, row.delivered_at = DELIVERED, status, None, now
    result.delivered += 1
    return True


def overview(uow: UnitOfWork) -> tuple[list[Webhook], dict[int, dict[str, int]], dict[int, Any]]:
    """The subscriptions, their delivery counts by state and last status (a read: no commit)."""
    return uow.webhooks.all(), uow.webhooks.counts(), uow.webhooks.last_statuses()


def latest_deliveries(uow: UnitOfWork, limit: int = 50) -> list[WebhookDelivery]:
    """The newest deliveries, with their subscriptions (a read: no commit)."""
    return uow.webhooks.latest_deliveries(limit)


def event_labels(events: Collection[str]) -> list[str]:
    """The Russian labels of ``events``, for the page."""
    return [EVENTS.get(e, e) for e in events]
