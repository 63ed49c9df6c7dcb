"""A person marks a message's matter resolved positively (the analytical note counts them).

Whoever approves answers under the profile may (an admin may stand in), on a message
already answered; the mark is attributed in the history and cannot be made twice.
"""

from __future__ import annotations

from datetime import datetime

from incident_bridge.domain.errors import IllegalTransition, PermissionDenied
from incident_bridge.domain.events import EventKind
from incident_bridge.domain.workflow import Action, Role, Status
from incident_bridge.persistence.models import Incident
from incident_bridge.services.actors import Actor
from incident_bridge.services.changes import changing
from incident_bridge.services.context import Context
from incident_bridge.services.history import record
from incident_bridge.services.unit_of_work import UnitOfWork

#: States in which the author has had an answer.
ANSWERED = frozenset({Status.CLOSED, Status.INTERIM_ANSWERED})


def may_mark(role: str, ctx: Context) -> bool:
    approver = ctx.profile.performers.get(Action.APPROVE)
    return role == Role.ADMIN or (approver is not None and role == approver)


def mark_resolved(
    uow: UnitOfWork,
    ctx: Context,
    incident_id: int,
    actor: Actor,
    *,
    now: datetime,
    expected_version: int | None = None,
    comment: str | None = None,
) -> Incident:
    """Record that the matter was resolved positively (an interim or final answer given)."""
    if not may_mark(actor.role, ctx):
        raise PermissionDenied("Отметить решение вопроса может тот, кто одобряет ответы.")
    with changing(uow, ctx, incident_id, expected_version, now) as incident:
        if incident.status not in ANSWERED:
            raise IllegalTransition("Отметить решение вопроса можно, когда автору уже ответили.")
        if incident.resolved_at is not None:
            raise IllegalTransition(f"Уже отмечено: {incident.resolved_by}.")
        incident.resolved_at, incident.resolved_by = now, actor.name
        incident.updated_at = now
        record(
            uow, incident, EventKind.RESOLVED, actor, now, comment=(comment or "").strip() or None
        )
    return incident
