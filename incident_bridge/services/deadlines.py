"""Keeping each incident's stored nearest deadline in step with its history."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from incident_bridge.domain.workflow import Status
from incident_bridge.persistence.models import Incident

# First version: the stage's regulation time as elapsed time (Yelets numbers).
_STAGE = {
    Status.NEW: timedelta(hours=1),
    Status.ROUTED: timedelta(hours=6),
    Status.ON_REVIEW: timedelta(minutes=30),
    Status.REWORK: timedelta(minutes=30),
    Status.PUBLISHING: timedelta(minutes=30),
}


def refresh(session: Session, incident: Incident, now: datetime) -> None:
    """Recompute ``incident.due_at`` from the time it entered its current state."""
    status = Status(incident.status)
    span = _STAGE.get(status)
    if span is None:
        incident.due_at = None
        return
    entered = incident.arrived_at
    for entry in reversed(incident.events):
        if entry.to_status == status.value:
            entered = entry.at
            break
    incident.due_at = entered + span


def refresh_open(session: Session, now: datetime) -> int:
    """Recompute the deadline of every incident still in work; return how many."""
    from incident_bridge.domain.workflow import FINAL_STATUSES

    open_statuses = [s.value for s in Status if s not in FINAL_STATUSES]
    count = 0
    for incident in session.query(Incident).filter(Incident.status.in_(open_statuses)):
        refresh(session, incident, now)
        count += 1
    session.commit()
    return count
