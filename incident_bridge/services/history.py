"""Recording history entries and applying state-machine decisions to an incident."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from incident_bridge.domain.events import EventKind, event_of
from incident_bridge.domain.model import DraftKind
from incident_bridge.domain.regulations import Profile
from incident_bridge.domain.workflow import Action, Role, Status, transition
from incident_bridge.persistence.models import Incident, IncidentEvent
from incident_bridge.services.actors import Actor
from incident_bridge.services.unit_of_work import UnitOfWork


def record(
    uow: UnitOfWork,
    incident: Incident,
    kind: EventKind,
    actor: Actor,
    now: datetime,
    *,
    comment: str | None = None,
    before: Status | None = None,
    after: Status | None = None,
    data: dict[str, Any] | None = None,
) -> IncidentEvent:
    """Append one attributed entry to the incident's history."""
    entry = IncidentEvent(
        incident=incident,
        **entry_values(kind, actor, now, comment=comment, before=before, after=after, data=data),
    )
    uow.add(entry)
    return entry


def entry_values(
    kind: EventKind,
    actor: Actor,
    now: datetime,
    *,
    comment: str | None = None,
    before: Status | None = None,
    after: Status | None = None,
    data: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The columns of one attributed history entry (for ``record`` and for bulk inserts)."""
    return {
        "kind": kind.value,
        "at": now,
        "actor_id": actor.user_id,
        "actor_label": actor.label,
        "from_status": before.value if before is not None else None,
        "to_status": after.value if after is not None else None,
        "comment": comment,
        "data": data or {},
    }


def apply(
    uow: UnitOfWork,
    profile: Profile,
    incident: Incident,
    action: Action,
    actor: Actor,
    now: datetime,
    *,
    draft_kind: DraftKind | None = None,
    reason: str | None = None,
    data: dict[str, Any] | None = None,
    performers: Mapping[Action, Role] | None = None,
    in_turn: bool = False,
) -> Status:
    """Move ``incident`` by ``action`` through the state machine and record it; return the new state.

    Who may take the action is the regulation's (``profile.performers``, or ``performers``
    where the message's own arrangement says, e.g. the curator writes a combined answer).
    """
    decision = transition(
        incident.status,
        action,
        actor_role=actor.role,
        performers=performers if performers is not None else profile.performers,
        draft_kind=draft_kind,
        reason=reason,
        in_turn=in_turn,
    )
    incident.status = decision.after
    incident.updated_at = now
    payload = dict(data or {})
    if draft_kind is not None:
        payload["draft_kind"] = draft_kind.value
    record(
        uow,
        incident,
        event_of(action),
        actor,
        now,
        comment=reason,
        before=decision.before,
        after=decision.after,
        data=payload,
    )
    return decision.after
