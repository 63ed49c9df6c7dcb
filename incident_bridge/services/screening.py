"""Screening of incoming messages when they arrive (proposes exclusion; an operator decides)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from incident_bridge.checks.screening import screen_message
from incident_bridge.domain.events import EventKind
from incident_bridge.persistence.models import Incident
from incident_bridge.services.actors import SYSTEM_ACTOR
from incident_bridge.services.history import record


def screen_incident(session: Session, incident: Incident, now: datetime) -> None:
    """Run the obscenity/insult/threat screening on a new message and keep its verdict."""
    result = screen_message(incident.text)
    incident.screening = {
        "excluded": result.excluded,
        "reasons": [reason.to_dict() for reason in result.reasons],
    }
    if result.excluded:
        record(
            session,
            incident,
            EventKind.SCREENING,
            SYSTEM_ACTOR,
            now,
            comment="Предложено исключить из работы",
            data=incident.screening,
        )
