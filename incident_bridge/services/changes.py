"""Loading a message as the person saw it and changing it in one unit of work."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from incident_bridge.domain.errors import ConcurrentUpdate, NotFound
from incident_bridge.persistence.models import Incident
from incident_bridge.services import deadlines
from incident_bridge.services.context import Context
from incident_bridge.services.unit_of_work import UnitOfWork


def load(uow: UnitOfWork, incident_id: int, expected_version: int | None) -> Incident:
    """Load an incident and refuse if it changed since the person last saw it."""
    incident = uow.incidents.get(incident_id)
    if incident is None:
        raise NotFound("Сообщение не найдено.")
    if expected_version is not None and incident.version_id != expected_version:
        raise ConcurrentUpdate()
    return incident


@contextmanager
def changing(
    uow: UnitOfWork, ctx: Context, incident_id: int, expected_version: int | None, now: datetime
) -> Iterator[Incident]:
    """Load the incident as the person saw it, let the use case change it, refresh its deadline.

    All of it is one unit of work: any error inside rolls everything back, so a
    refused step changes nothing.
    """
    with uow:
        incident = load(uow, incident_id, expected_version)
        yield incident
        deadlines.refresh(ctx, incident, now, uow.calendar.overrides())
