"""Queueing what goes to the incident system: one outbox row per delivery, checked first."""

from __future__ import annotations

import uuid
from datetime import datetime

from incident_bridge.domain.errors import IllegalTransition
from incident_bridge.domain.model import OutboundKind, Platform
from incident_bridge.domain.workflow import OutboxState
from incident_bridge.persistence.models import Draft, Incident, OutboxMessage
from incident_bridge.services.actors import Actor
from incident_bridge.services.unit_of_work import UnitOfWork


def within_platform_limit(incident: Incident, text: str) -> None:
    """Refuse a reply longer than the incident system accepts for the platform (no override)."""
    platform = Platform.of(incident.platform)
    if len(text) > platform.reply_limit:
        raise IllegalTransition(
            f"Ответ длиннее, чем примет система Инцидент для площадки «{platform.label}»: "
            f"{len(text)} знаков при пределе {platform.reply_limit}. Сократите текст "
            "(исправьте проект) или верните его исполнителю на доработку."
        )


def enqueue(
    uow: UnitOfWork,
    incident: Incident,
    kind: OutboundKind,
    text: str,
    actor: Actor,
    now: datetime,
    *,
    draft: Draft | None,
) -> OutboxMessage:
    """Queue one delivery to the incident system, with a fresh idempotency key."""
    row = OutboxMessage(
        incident_id=incident.id,
        draft_id=draft.id if draft else None,
        kind=kind,
        idempotency_key=f"ib-{uuid.uuid4()}",
        text=text,
        signed_by=actor.name,
        state=OutboxState.PENDING,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    uow.add(row)
    return row
