"""Delivering outbox rows to the incident system: in order per incident, at most once per key."""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from incident_bridge.domain.errors import DeliveryRejected, TransientDeliveryError
from incident_bridge.domain.events import EventKind
from incident_bridge.domain.model import DraftKind, Outbound, OutboundKind
from incident_bridge.domain.ports import IncidentSystem
from incident_bridge.domain.workflow import Action
from incident_bridge.persistence.models import Incident, OutboxMessage, SyncState
from incident_bridge.services import deadlines
from incident_bridge.services.actors import SYSTEM_ACTOR
from incident_bridge.services.history import apply, record
from incident_bridge.services.sync import DEFAULT_SYSTEM

_DRAFT_KIND = {
    OutboundKind.REPLY: DraftKind.ANSWER,
    OutboundKind.INTERIM: DraftKind.INTERIM,
    OutboundKind.CLARIFICATION: DraftKind.CLARIFICATION,
}

log = logging.getLogger(__name__)
BASE_DELAY = 5.0
MAX_DELAY = 15 * 60.0


@dataclass(slots=True)
class PushResult:
    """Counts of one push run."""

    sent: int = 0
    retried: int = 0
    needs_attention: int = 0


def backoff(attempts: int, retry_after: float | None, rng: random.Random) -> float:
    """Seconds to wait before the next attempt: exponential with full jitter, never below Retry-After."""
    ceiling = min(MAX_DELAY, BASE_DELAY * 2 ** max(0, attempts - 1))
    delay = rng.uniform(ceiling / 2, ceiling)
    return max(delay, retry_after or 0.0)


def due_rows(session: Session, now: datetime, limit: int = 100) -> list[OutboxMessage]:
    """Pending rows due now, only the oldest per incident so delivery keeps each incident's order."""
    pending = session.scalars(
        select(OutboxMessage).where(OutboxMessage.state == "pending").order_by(OutboxMessage.id)
    ).all()
    seen: set[int] = set()
    rows: list[OutboxMessage] = []
    for row in pending:
        if row.incident_id in seen:
            continue
        seen.add(row.incident_id)
        if row.next_attempt_at <= now:
            rows.append(row)
        if len(rows) >= limit:
            break
    return rows


def push(
    session: Session,
    system: IncidentSystem,
    now: datetime,
    *,
    max_attempts: int = 8,
    rng: random.Random | None = None,
    heartbeat: Callable[[], object] | None = None,
) -> PushResult:
    """Deliver every due outbox row once; failures are rescheduled or set aside for a person."""
    rng = rng or random.Random()
    result = PushResult()
    for row in due_rows(session, now):
        incident = session.get(Incident, row.incident_id)
        assert incident is not None
        outbound = Outbound(
            external_id=incident.external_id,
            kind=OutboundKind(row.kind),
            idempotency_key=row.idempotency_key,
            text=row.text,
            signed_by=row.signed_by,
        )
        try:
            delivery = system.deliver(outbound)
        except TransientDeliveryError as exc:
            log.warning("delivery failed, will retry", extra={
                "incident": incident.external_id, "outbox": row.id, "error": str(exc)})  # fmt: skip
            row.attempts += 1
            row.last_error = str(exc)
            _mark_unreachable(session, now)
            if row.attempts >= max_attempts:
                _needs_attention(session, incident, row, f"Превышено число попыток: {exc}", now)
                result.needs_attention += 1
            else:
                row.next_attempt_at = now + timedelta(
                    seconds=backoff(row.attempts, exc.retry_after, rng)
                )
                result.retried += 1
            session.commit()
            continue
        except DeliveryRejected as exc:
            log.error("delivery rejected", extra={
                "incident": incident.external_id, "outbox": row.id, "error": str(exc)})  # fmt: skip
            row.attempts += 1
            _needs_attention(session, incident, row, f"Система Инцидент отклонила: {exc}", now)
            result.needs_attention += 1
            session.commit()
            continue
        log.info("delivered", extra={"incident": incident.external_id, "outbox": row.id, "kind": row.kind,
                                     "idempotency_key": row.idempotency_key})  # fmt: skip
        row.attempts += 1
        row.state = "sent"
        row.sent_at = now
        row.remote_id = delivery.remote_id
        row.last_error = None
        kind = OutboundKind(row.kind)
        if kind in _DRAFT_KIND:
            apply(
                session,
                incident,
                Action.DELIVERED,
                SYSTEM_ACTOR,
                now,
                draft_kind=_DRAFT_KIND[kind],
                data={"outbox_id": row.id, "remote_id": delivery.remote_id},
            )
        else:
            record(
                session,
                incident,
                EventKind.DELIVERED,
                SYSTEM_ACTOR,
                now,
                data={"outbox_id": row.id, "remote_id": delivery.remote_id, "kind": kind.value},
            )
        session.flush()
        deadlines.refresh(session, incident, now)
        session.commit()
        result.sent += 1
        if heartbeat is not None:
            heartbeat()
    return result


def _needs_attention(
    session: Session, incident: Incident, row: OutboxMessage, message: str, now: datetime
) -> None:
    row.state = "needs_attention"
    row.last_error = message
    record(
        session,
        incident,
        EventKind.DELIVERY_FAILED,
        SYSTEM_ACTOR,
        now,
        comment=message,
        data={"outbox_id": row.id},
    )


def _mark_unreachable(session: Session, now: datetime) -> None:
    state = session.scalar(select(SyncState).where(SyncState.system == DEFAULT_SYSTEM))
    if state is None:
        state = SyncState(system=DEFAULT_SYSTEM)
        session.add(state)
    if state.unreachable_since is None:
        state.unreachable_since = now


def retry(session: Session, outbox_id: int, actor_name: str, now: datetime) -> OutboxMessage:
    """Send a row that needs attention again (same idempotency key: no double posting)."""
    from incident_bridge.domain.errors import InvalidInput, NotFound
    from incident_bridge.services.actors import Actor

    row = session.get(OutboxMessage, outbox_id)
    if row is None:
        raise NotFound("Отправка не найдена.")
    if row.state != "needs_attention":
        raise InvalidInput("Повторить можно только отправку, которая не удалась.")
    row.state = "pending"
    row.attempts = 0
    row.next_attempt_at = now
    incident = session.get(Incident, row.incident_id)
    assert incident is not None
    record(
        session,
        incident,
        EventKind.DELIVERY_FAILED,
        Actor(None, "operator", actor_name),
        now,
        comment="Отправка поставлена в очередь повторно",
        data={"outbox_id": row.id, "retry": True},
    )
    session.commit()
    return row
