"""Each incident's clocks, computed from its history, and the stored nearest deadline.

The clocks follow the organisation's profile (``ctx.profile``) and the calendar
with the overrides known when the message arrived (``ctx.calendars``).
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime, timedelta

from incident_bridge.domain.deadlines import ClockState, compute_clocks, nearest_due
from incident_bridge.domain.events import EventKind, HistoryEvent, Timeline
from incident_bridge.domain.regulations import CountsFrom, Profile
from incident_bridge.persistence.models import CalendarOverrideRow, Incident
from incident_bridge.services.context import Context
from incident_bridge.services.unit_of_work import UnitOfWork


def timeline_of(incident: Incident) -> Timeline:
    """The incident (as loaded with its history) as the clocks read it."""
    events = [HistoryEvent.read(e.kind, e.at, e.data) for e in incident.events]
    return Timeline(
        incident_id=incident.id,
        created_at=incident.remote_created_at,
        detected_at=incident.detected_at,
        arrived_at=incident.arrived_at,
        due_at=incident.due_at,
        events=tuple(e for e in events if e is not None),
        version=incident.version_id,
    )


def history_of(timeline: Timeline, profile: Profile) -> list[HistoryEvent]:
    """The history with the arrival moved to when the regulation starts the clocks.

    The clocks start at the card's creation or detection in the incident system
    (``counts_from``), never at the bridge's sync time.
    """
    started = (
        timeline.detected_at if profile.counts_from is CountsFrom.DETECTION else timeline.created_at
    )
    return [
        HistoryEvent(e.kind, started, e.draft_kind, e.importance)
        if e.kind is EventKind.ARRIVED and started < e.at
        else e
        for e in timeline.events
    ]


def clocks(
    ctx: Context,
    incident: Incident,
    now: datetime,
    overrides: Sequence[CalendarOverrideRow],
) -> list[ClockState]:
    """Every clock of the organisation's profile for ``incident`` as of ``now``."""
    return timeline_clocks(ctx, timeline_of(incident), now, overrides)


def timeline_clocks(
    ctx: Context, timeline: Timeline, now: datetime, overrides: Sequence[CalendarOverrideRow]
) -> list[ClockState]:
    """Every clock of the organisation's profile for one timeline as of ``now``."""
    calendar = ctx.calendars.known_at(overrides, timeline.arrived_at)
    return compute_clocks(history_of(timeline, ctx.profile), ctx.profile, calendar, now)


def refresh(
    ctx: Context, incident: Incident, now: datetime, overrides: Sequence[CalendarOverrideRow]
) -> None:
    """Recompute ``incident.due_at``: the nearest due time of its running clocks."""
    incident.due_at = due_of(ctx, timeline_of(incident), now, overrides)


def due_of(
    ctx: Context, timeline: Timeline, now: datetime, overrides: Sequence[CalendarOverrideRow]
) -> datetime | None:
    """The nearest due time of the running clocks of one timeline."""
    calendar = ctx.calendars.known_at(overrides, timeline.arrived_at)
    return nearest_due(history_of(timeline, ctx.profile), ctx.profile, calendar, now)


#: Incidents recomputed in one transaction by ``refresh_open``.
BATCH = 2_000


def refresh_open(
    uow: UnitOfWork,
    ctx: Context,
    now: datetime,
    *,
    window: timedelta | None = timedelta(hours=2),
    batch: int = BATCH,
    writer: UnitOfWork | None = None,
) -> int:
    """Recompute the stored nearest deadline of incidents in work; return how many were read.

    Every change of a message recomputes its deadline at once, and time alone does
    not move a running clock's due time, so the periodic run reads only what may be
    stale: incidents with no deadline stored and those due in the next ``window``
    (a deadline already passed is not read again and again). ``window=None``
    recomputes every incident in work (after the profile changed).

    Histories are loaded in bulk, a batch at a time; only deadlines that moved are
    written, each batch in one transaction, and only to messages nobody changed since
    they were read. With ``writer`` (a unit of work on a connection of its own) a
    batch is written from a second thread while the next one is read and computed:
    the database's work and ours overlap.
    """
    with uow:
        overrides = uow.calendar.overrides()
        ids = uow.incidents.in_work_ids(None if window is None else (now, now + window))
    batches = (ids[start : start + batch] for start in range(0, len(ids), batch))
    if writer is None:
        for chunk in batches:
            with uow:
                due, read_at = _recomputed(uow, ctx, chunk, now, overrides)
                uow.incidents.set_due(due, read_at)
        return len(ids)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="deadlines-writer") as pool:
        writing: Future[int] | None = None
        for chunk in batches:
            with uow:
                due, read_at = _recomputed(uow, ctx, chunk, now, overrides)
            if writing is not None:
                writing.result()  # one batch in flight at most; its error stops the run
            writing = pool.submit(_write, writer, due, read_at)
        if writing is not None:
            writing.result()
    return len(ids)


def _recomputed(
    uow: UnitOfWork,
    ctx: Context,
    ids: Sequence[int],
    now: datetime,
    overrides: Sequence[CalendarOverrideRow],
) -> tuple[dict[int, datetime | None], dict[int, int]]:
    """The due times of these incidents that moved, and the versions they were read at."""
    due: dict[int, datetime | None] = {}
    read_at: dict[int, int] = {}
    for timeline in uow.incidents.timelines(ids):
        nearest = due_of(ctx, timeline, now, overrides)
        if nearest != timeline.due_at:
            due[timeline.incident_id] = nearest
            if timeline.version is not None:
                read_at[timeline.incident_id] = timeline.version
    return due, read_at


def _write(writer: UnitOfWork, due: dict[int, datetime | None], read_at: dict[int, int]) -> int:
    with writer:
        return writer.incidents.set_due(due, read_at)
