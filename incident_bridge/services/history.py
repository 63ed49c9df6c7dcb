"""Recording history entries and applying state-machine decisions to an incident."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from incident_bridge.domain.events import EventKind
from incident_bridge.domain.model import DraftKind
from incident_bridge.domain.workflow import Action, Status, transition
from incident_bridge.persistence.models import Incident, IncidentEvent
from incident_bridge.services.actors import Actor


def record(
    session: Session,
    incident: Incident,
    kind: EventKind,
    actor: Actor,
    now: datetime,
    *,
    comment: str | None = None,
    before: str | None = None,
    after: str | None = None,
    data: dict[str, Any] | None = None,
) -> IncidentEvent:
    """Append one attributed entry to the incident's history."""
    entry = IncidentEvent(
        incident=incident,
        kind=kind.value,
        at=now,
        actor_id=actor.user_id,
        actor_label=actor.label,
        from_status=before,
        to_status=after,
        comment=comment,
        data=data or {},
    )
    session.add(entry)
    return entry


def apply(
    session: Session,
    incident: Incident,
    action: Action,
    actor: Actor,
    now: datetime,
    *,
    draft_kind: DraftKind | None = None,
    reason: str | None = None,
    data: dict[str, Any] | None = None,
) -> Status:
    """Move ``incident`` by ``action`` through the state machine and record it; return the new state."""
    decision = transition(
        Status(incident.status),
        action,
        actor_role=actor.role,
        draft_kind=draft_kind,
        reason=reason,
    )
    incident.status = decision.after.value
    incident.updated_at = now
    payload = dict(data or {})
    if draft_kind is not None:
        payload["draft_kind"] = draft_kind.value
    record(
        session,
        incident,
        EventKind(action.value),
        actor,
        now,
        comment=reason,
        before=decision.before.value,
        after=decision.after.value,
        data=payload,
    )
    return decision.after
