"""The queries of webhook subscriptions and their deliveries, on SQLAlchemy."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, selectinload

from incident_bridge.persistence.models import Webhook, WebhookDelivery

#: The states of a delivery.
PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"


class SqlAlchemyWebhooks:
    """Subscriptions of host systems and the outbox of their deliveries."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, webhook_id: int) -> Webhook | None:
        return self.session.get(Webhook, webhook_id)

    def all(self) -> list[Webhook]:
        """Every subscription, the active ones first, newest first."""
        query = select(Webhook).order_by(Webhook.active.desc(), Webhook.id.desc())
        return list(self.session.scalars(query))

    def active(self) -> list[Webhook]:
        """The active subscriptions (few: one query, filtered by event by the caller)."""
        query = select(Webhook).where(Webhook.active.is_(True)).order_by(Webhook.id)
        return list(self.session.scalars(query))

    def add_delivery(self, delivery: WebhookDelivery) -> None:
        self.session.add(delivery)

    def known(self, event_ids: Collection[str]) -> set[tuple[int, str]]:
        """(webhook id, event id) of the deliveries already queued with these event ids."""
        if not event_ids:
            return set()
        query = select(WebhookDelivery.webhook_id, WebhookDelivery.event_id).where(
            WebhookDelivery.event_id.in_(event_ids)
        )
        return {(webhook, event_id) for webhook, event_id in self.session.execute(query)}

    def claim_next(self, now: datetime, skip: Collection[int] = ()) -> WebhookDelivery | None:
        """The oldest due pending delivery of an active subscription not in ``skip``, locked
        (``SKIP LOCKED`` on PostgreSQL, so several workers share the deliveries)."""
        query = (
            select(WebhookDelivery)
            .join(Webhook, Webhook.id == WebhookDelivery.webhook_id)
            .where(WebhookDelivery.state == PENDING, WebhookDelivery.next_attempt_at <= now)
            .where(Webhook.active.is_(True))
            .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
            .limit(1)
        )
        if skip:
            query = query.where(WebhookDelivery.webhook_id.not_in(skip))
        if self.session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True, of=WebhookDelivery)
        return self.session.scalar(query)

    def fail_pending(self, webhook_id: int, message: str) -> int:
        """Set aside the pending deliveries of a subscription that ended."""
        result = self.session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.webhook_id == webhook_id, WebhookDelivery.state == PENDING)
            .values(state=FAILED, last_error=message[:500])
        )
        return int(getattr(result, "rowcount", 0) or 0)

    def counts(self) -> dict[int, dict[str, int]]:
        """Deliveries per subscription and state, in one aggregate query."""
        query = select(WebhookDelivery.webhook_id, WebhookDelivery.state, func.count()).group_by(
            WebhookDelivery.webhook_id, WebhookDelivery.state
        )
        counts: dict[int, dict[str, int]] = {}
        for webhook_id, state, n in self.session.execute(query):
            counts.setdefault(int(webhook_id), {})[str(state)] = int(n)
        return counts

    def last_statuses(self) -> dict[int, int | None]:
        """The HTTP status of each subscription's latest attempted delivery (None: no answer)."""
        latest = (
            select(func.max(WebhookDelivery.id))
            .where(WebhookDelivery.attempts > 0)
            .group_by(WebhookDelivery.webhook_id)
        )
        query = select(WebhookDelivery.webhook_id, WebhookDelivery.last_status).where(
            WebhookDelivery.id.in_(latest)
        )
        return {int(webhook_id): status for webhook_id, status in self.session.execute(query)}

    def latest_deliveries(self, limit: int) -> list[WebhookDelivery]:
        """The newest deliveries with their subscriptions."""
        query = (
            select(WebhookDelivery)
            .options(selectinload(WebhookDelivery.webhook))
            .order_by(WebhookDelivery.id.desc())
            .limit(limit)
        )
        return list(self.session.scalars(query))
