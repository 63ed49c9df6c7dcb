"""Delivering outbox rows to the incident system: in order per incident, at most once per key."""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from incident_bridge.domain.backoff import backoff
from incident_bridge.domain.errors import (
    DeliveryRejected,
    NotFound,
    PermissionDenied,
    TransientDeliveryError,
)
from incident_bridge.domain.events import EventKind
from incident_bridge.domain.model import Outbound, OutboundKind
from incident_bridge.domain.ports import IncidentSystem
from incident_bridge.domain.workflow import (
    Action,
    DeliveryStep,
    Status,
    draft_transition,
    may_take,
    outbox_transition,
    sending_action,
)
from incident_bridge.persistence.models import Incident, OutboxMessage
from incident_bridge.services import deadlines, parts, webhooks
from incident_bridge.services.actors import SYSTEM_ACTOR, Actor
from incident_bridge.services.context import Context
from incident_bridge.services.history import apply, record
from incident_bridge.services.polling import sync_state
from incident_bridge.services.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)


@dataclass(slots=True)
class PushResult:
    """Counts of one push run."""

    sent: int = 0
    retried: int = 0
    needs_attention: int = 0


def push(
    uow: UnitOfWork,
    ctx: Context,
    system: IncidentSystem,
    now: datetime,
    *,
    max_attempts: int = 8,
    rng: random.Random | None = None,
    heartbeat: Callable[[], object] | None = None,
    limit: int = 500,
) -> PushResult:
    """Deliver due outbox rows one by one; failures are rescheduled or set aside for a person.

    Each row is one unit of work: claimed (on PostgreSQL with ``FOR UPDATE SKIP
    LOCKED``, so several pushers share the work), delivered, its state and history
    entry stored. Only the oldest pending row of an incident is ever claimed, so
    each incident's deliveries keep their order. A row that fails goes back with a
    later attempt time, so one run never claims it twice; at most ``limit`` rows a run.
    """
    rng = rng or random.Random()
    result = PushResult()
    for _ in range(limit):
        with uow:
            row = uow.outbox.claim_next(now)
            if row is None:
                break
            incident = uow.incidents.get(row.incident_id)
            if incident is None:
                raise NotFound(f"Outbox row {row.id} points at a missing incident.")
            _deliver(uow, ctx, system, incident, row, now, max_attempts, rng, result)
        if heartbeat is not None:
            heartbeat()
    return result


def _deliver(
    uow: UnitOfWork,
    ctx: Context,
    system: IncidentSystem,
    incident: Incident,
    row: OutboxMessage,
    now: datetime,
    max_attempts: int,
    rng: random.Random,
    result: PushResult,
) -> None:
    outbound = Outbound(
        external_id=incident.external_id,
        kind=row.kind,
        idempotency_key=row.idempotency_key,
        text=row.text,
        signed_by=row.signed_by,
    )
    where = {"incident": incident.external_id, "outbox": row.id}
    row.attempts += 1
    try:
        delivery = system.deliver(outbound)
    except TransientDeliveryError as exc:
        log.warning("delivery failed, will retry", extra={**where, "error": str(exc)})
        row.last_error = str(exc)
        state = sync_state(uow)
        state.unreachable_since = state.unreachable_since or now
        if row.attempts >= max_attempts:
            message = f"Превышено число попыток: {exc}"
            _set_aside(uow, incident, row, DeliveryStep.EXHAUSTED, message, now)
            result.needs_attention += 1
        else:
            delay = backoff(row.attempts, exc.retry_after, rng)
            row.next_attempt_at = now + timedelta(seconds=delay)
            result.retried += 1
        return
    except DeliveryRejected as exc:
        log.error("delivery rejected", extra={**where, "error": str(exc)})
        _refused(uow, ctx, incident, row, f"Система Инцидент отклонила: {exc}", now)
        result.needs_attention += 1
        return
    log.info("delivered", extra={**where, "kind": row.kind.value,
                                 "idempotency_key": row.idempotency_key})  # fmt: skip
    row.state = outbox_transition(row.state, DeliveryStep.DELIVERED)
    row.sent_at = now
    row.remote_id = delivery.remote_id
    row.last_error = None
    receipt = {"outbox_id": row.id, "remote_id": delivery.remote_id}
    draft_kind = row.kind.draft_kind
    if draft_kind is not None:
        apply(uow, ctx.profile, incident, Action.DELIVERED, SYSTEM_ACTOR, now,
              draft_kind=draft_kind, data=receipt)  # fmt: skip
    else:
        record(uow, incident, EventKind.DELIVERED, SYSTEM_ACTOR, now,
               data={**receipt, "kind": row.kind.value})  # fmt: skip
    uow.flush()
    if row.kind is OutboundKind.PART_ANSWER:
        parts.after_delivery(uow, ctx, incident, now)
    deadlines.refresh(ctx, incident, now, uow.calendar.overrides())
    if draft_kind is not None or row.kind is OutboundKind.PART_ANSWER:  # it reached the author
        webhooks.emit(uow, webhooks.REPLY_DELIVERED, webhooks.of_incident(
            incident, outbox_id=row.id, kind=row.kind.value, remote_id=delivery.remote_id,
        ), now, event_id=f"{webhooks.REPLY_DELIVERED}:{row.id}")  # fmt: skip
    result.sent += 1


def _refused(
    uow: UnitOfWork,
    ctx: Context,
    incident: Incident,
    row: OutboxMessage,
    message: str,
    now: datetime,
) -> None:
    """The system refused for good. A refused reply goes back to the department's review,
    where a person can correct it and approve it again, or return it to the executor; a
    refused redirect waits for a person on the admin and message pages.
    """
    draft_kind = row.kind.draft_kind
    if draft_kind is None or incident.status is not Status.PUBLISHING:
        _set_aside(uow, incident, row, DeliveryStep.ATTENTION, message, now)
        return
    row.state = outbox_transition(row.state, DeliveryStep.REFUSED)
    row.last_error = message
    apply(uow, ctx.profile, incident, Action.DELIVERY_REFUSED, SYSTEM_ACTOR, now,
          draft_kind=draft_kind, reason=message, data={"outbox_id": row.id})  # fmt: skip
    draft = next((d for d in incident.drafts if d.id == row.draft_id), None)
    if draft is not None:
        draft.state = draft_transition(draft.state, Action.DELIVERY_REFUSED)
    deadlines.refresh(ctx, incident, now, uow.calendar.overrides())


def _set_aside(
    uow: UnitOfWork,
    incident: Incident,
    row: OutboxMessage,
    step: DeliveryStep,
    message: str,
    now: datetime,
) -> None:
    """Out of attempts, or refused where only a person can decide: it waits for a retry."""
    row.state = outbox_transition(row.state, step)
    row.last_error = message
    record(
        uow,
        incident,
        EventKind.DELIVERY_FAILED,
        SYSTEM_ACTOR,
        now,
        comment=message,
        data={"outbox_id": row.id},
    )


def may_retry(role: str, kind: OutboundKind, ctx: Context) -> bool:
    """Whether ``role`` may resend an outbound of ``kind``: the one whose step sent it may."""
    return may_take(role, sending_action(kind), ctx.profile.performers)


def retry(
    uow: UnitOfWork, ctx: Context, outbox_id: int, actor: Actor, now: datetime
) -> OutboxMessage:
    """A person sends a failed delivery again (same idempotency key: no double posting).

    Only whoever the regulation lets send it (approve the draft, or redirect) may.
    """
    with uow:
        row = uow.outbox.get(outbox_id)
        if row is None:
            raise NotFound("Отправка не найдена.")
        if not may_retry(actor.role, row.kind, ctx):
            raise PermissionDenied(
                "Повторить эту отправку может тот, кто её отправил по регламенту."
            )
        row.state = outbox_transition(row.state, DeliveryStep.RETRIED)
        row.attempts = 0
        row.next_attempt_at = now
        incident = uow.incidents.get(row.incident_id)
        if incident is None:
            raise NotFound("Сообщение не найдено.")
        record(
            uow,
            incident,
            EventKind.DELIVERY_RETRY,
            actor,
            now,
            comment="Отправка поставлена в очередь повторно",
            data={"outbox_id": row.id, "role": actor.role},
        )
    return row
