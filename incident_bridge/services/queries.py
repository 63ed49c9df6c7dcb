"""Read-side queries for the pages: the queue with its filters (views on SQLAlchemy, no writes)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from incident_bridge.domain.deadlines import ClockState, headline
from incident_bridge.domain.workflow import FINAL_STATUSES, Role, Status
from incident_bridge.persistence.models import Incident, OutboxMessage
from incident_bridge.persistence.repositories import SqlAlchemyCalendar
from incident_bridge.services import deadlines
from incident_bridge.services.actors import Actor
from incident_bridge.services.context import Context

OPEN = "open"


@dataclass(frozen=True, slots=True)
class QueueFilter:
    """What the person asked the queue to show."""

    status: str | None = OPEN
    subdivision_id: int | None = None
    platform: str | None = None


def queue(session: Session, actor: Actor, flt: QueueFilter, *, limit: int = 200) -> list[Incident]:
    """Incidents the person may see, filtered, nearest deadline first (no deadline last)."""
    query: Select[tuple[Incident]] = select(Incident)
    if actor.role == Role.EXECUTOR:
        query = query.where(Incident.subdivision_id == actor.subdivision_id)
    elif flt.subdivision_id:
        query = query.where(Incident.subdivision_id == flt.subdivision_id)
    if flt.status == OPEN:
        query = query.where(Incident.status.not_in(list(FINAL_STATUSES)))
    elif flt.status:
        query = query.where(Incident.status == Status(flt.status))
    if flt.platform:
        query = query.where(Incident.platform == flt.platform)
    query = query.order_by(Incident.due_at.is_(None), Incident.due_at, Incident.arrived_at)
    return list(session.scalars(query.limit(limit)))


def outbox_for(session: Session, incident_id: int) -> list[OutboxMessage]:
    """Everything sent or to be sent for one incident, oldest first."""
    return list(
        session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.incident_id == incident_id)
            .order_by(OutboxMessage.id)
        )
    )


def with_headline_clock(
    session: Session, ctx: Context, incidents: list[Incident], now: datetime
) -> list[tuple[Incident, ClockState | None]]:
    """Pair each incident with the clock of its current step (None when nothing runs)."""
    overrides = SqlAlchemyCalendar(session).overrides()
    return [
        (incident, headline(deadlines.clocks(ctx, incident, now, overrides), incident.status))
        for incident in incidents
    ]
