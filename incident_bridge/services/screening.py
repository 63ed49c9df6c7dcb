"""Screening of incoming messages when they arrive (proposes exclusion; an operator decides)."""

from __future__ import annotations

from datetime import datetime

from incident_bridge.domain.events import EventKind
from incident_bridge.persistence.models import Incident
from incident_bridge.services.actors import SYSTEM_ACTOR
from incident_bridge.services.context import Context
from incident_bridge.services.history import record
from incident_bridge.services.unit_of_work import UnitOfWork


def screen_incident(uow: UnitOfWork, ctx: Context, incident: Incident, now: datetime) -> None:
    """Run the obscenity/insult/threat screening on a new message and keep its verdict."""
    result = ctx.checker.screen(incident.text)
    incident.screening = result.to_dict()
    if result.excluded:
        record(
            uow,
            incident,
            EventKind.SCREENING,
            SYSTEM_ACTOR,
            now,
            comment="Предложено исключить из работы",
            data=incident.screening,
        )
