"""Screening of incoming messages (proposes exclusion; a person decides), right after they arrive.

The poll stores a page of new messages at once and leaves their screening to the
``screen`` job, on a queue of its own: storing is not held up by reading every text,
and on PostgreSQL several screeners share the work (each batch claimed with
``SKIP LOCKED``). Each batch also looks for repeat messages (``services.repeats``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from incident_bridge.domain.events import EventKind
from incident_bridge.persistence.models import Incident
from incident_bridge.services import repeats
from incident_bridge.services.actors import SYSTEM_ACTOR
from incident_bridge.services.context import Context
from incident_bridge.services.history import record
from incident_bridge.services.unit_of_work import UnitOfWork

#: Messages screened in one transaction.
BATCH = 500


def screen_incident(uow: UnitOfWork, ctx: Context, incident: Incident, now: datetime) -> None:
    """Run the obscenity/insult/threat screening on a message and keep its verdict."""
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


def screen_pending(
    uow: UnitOfWork,
    ctx: Context,
    now: datetime,
    *,
    batch: int = BATCH,
    heartbeat: Callable[[], object] | None = None,
) -> int:
    """Screen every message not screened yet, a batch per transaction; return how many.

    Each batch is claimed (PostgreSQL: ``FOR UPDATE SKIP LOCKED``), so screeners running
    at once take different messages; ``heartbeat`` is called after every batch.
    """
    done = 0
    while True:
        with uow:
            waiting = uow.incidents.unscreened(batch)
            for incident in waiting:
                screen_incident(uow, ctx, incident, now)
            repeats.find_in_batch(uow, ctx, waiting, now)  # a step of the batch, not per message
        done += len(waiting)
        if heartbeat is not None:
            heartbeat()
        if len(waiting) < batch:
            return done
