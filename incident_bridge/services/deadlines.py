"""Each incident's clocks, computed from its history, and the stored nearest deadline.

The clocks follow the organisation's profile (``ctx.profile``) and the calendar
with the overrides known when the message arrived (``ctx.calendars``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from incident_bridge.domain.deadlines import ClockState, compute_clocks, next_due
from incident_bridge.domain.events import EventKind, HistoryEvent
from incident_bridge.domain.model import DraftKind, Importance
from incident_bridge.domain.regulations import CountsFrom, Profile
from incident_bridge.persistence.models import CalendarOverrideRow, Incident
from incident_bridge.services.context import Context
from incident_bridge.services.unit_of_work import UnitOfWork


def history_of(incident: Incident, profile: Profile) -> list[HistoryEvent]:
    """The incident's history as the deadline computation reads it."""
    events = []
    for entry in incident.events:
        try:
            kind = EventKind(entry.kind)
        except ValueError:
            continue
        at = entry.at
        if kind is EventKind.ARRIVED:
            # The clocks start when the regulation says, never at the bridge's sync time.
            started = (
                incident.detected_at
                if profile.counts_from is CountsFrom.DETECTION
                else incident.remote_created_at
            )
            at = min(entry.at, started)
        data = entry.data or {}
        events.append(HistoryEvent(
            kind=kind,
            at=at,
            draft_kind=DraftKind(data["draft_kind"]) if data.get("draft_kind") else None,
            importance=Importance(data["importance"]) if data.get("importance") else None,
        ))  # fmt: skip
    return events


def clocks(
    ctx: Context,
    incident: Incident,
    now: datetime,
    overrides: Sequence[CalendarOverrideRow],
) -> list[ClockState]:
    """Every clock of the organisation's profile for ``incident`` as of ``now``."""
    calendar = ctx.calendars.known_at(overrides, incident.arrived_at)
    return compute_clocks(history_of(incident, ctx.profile), ctx.profile, calendar, now)


def refresh(
    ctx: Context, incident: Incident, now: datetime, overrides: Sequence[CalendarOverrideRow]
) -> None:
    """Recompute ``incident.due_at``: the nearest due time of its running clocks."""
    incident.due_at = next_due(clocks(ctx, incident, now, overrides))


def refresh_open(uow: UnitOfWork, ctx: Context, now: datetime) -> int:
    """Recompute the deadline of every incident still in work; return how many."""
    with uow:
        overrides = uow.calendar.overrides()
        count = 0
        for incident in uow.incidents.in_work():
            refresh(ctx, incident, now, overrides)
            count += 1
    return count
