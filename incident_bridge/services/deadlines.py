"""Each incident's clocks, computed from its history, and the stored nearest deadline.

The clocks follow the organisation's profile (``ctx.profile``) and the calendar
with the overrides known when the message arrived (``ctx.calendars``).
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime, timedelta

from incident_bridge.domain.deadlines import ClockState, ClockStatus, compute_clocks, nearest_due
from incident_bridge.domain.events import EventKind, HistoryEvent, Timeline
from incident_bridge.domain.regulations import CountsFrom, Profile
from incident_bridge.domain.workflow import Role
from incident_bridge.persistence.models import CalendarOverrideRow, Incident, Stage
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
    """Recompute ``incident.due_at`` (the nearest due time of its running clocks) and keep
    each clock run that has finished as a stage for the reports."""
    timeline = timeline_of(incident)
    incident.due_at = due_of(ctx, timeline, now, overrides)
    record_stages(incident, timeline_clocks(ctx, timeline, now, overrides))


#: Clocks the reports take per message (each body's part clock is the parts' own).
_NOT_STAGES = frozenset({"part"})


def record_stages(incident: Incident, clocks: Sequence[ClockState]) -> int:
    """Add the finished (met or missed) clock runs not stored yet; return how many.

    The body and, for an executor's clock, the executor in charge are the message's
    at the time the run is first stored: the change that stopped it.
    """
    finished = [
        c
        for c in clocks
        if c.state in (ClockStatus.MET, ClockStatus.MISSED)
        and c.name not in _NOT_STAGES
        and c.started_at is not None
        and c.stopped_at is not None
    ]
    if not finished:
        return 0
    known = {(s.clock, s.started_at) for s in incident.stages}
    # An executor's stage is credited to who wrote the draft that ended it, else the one in charge.
    author = incident.drafts[-1].author_id if incident.drafts else incident.assignee_id
    added = 0
    for clock in finished:
        assert clock.started_at is not None and clock.stopped_at is not None
        if (clock.name, clock.started_at) in known:
            continue
        incident.stages.append(
            Stage(
                clock=clock.name,
                started_at=clock.started_at,
                due_at=clock.due_at,
                stopped_at=clock.stopped_at,
                met=clock.state is ClockStatus.MET,
                spent_minutes=max(0, clock.spent_minutes or 0),
                subdivision_id=incident.subdivision_id,
                executor_id=author if clock.who is Role.EXECUTOR else None,
            )
        )
        added += 1
    return added


def due_of(
    ctx: Context, timeline: Timeline, now: datetime, overrides: Sequence[CalendarOverrideRow]
) -> datetime | None:
    """The nearest due time of the running clocks of one timeline."""
    calendar = ctx.calendars.known_at(overrides, timeline.arrived_at)
    return nearest_due(history_of(timeline, ctx.profile), ctx.profile, calendar, now)


def rebuild_stages(uow: UnitOfWork, ctx: Context, now: datetime, *, batch: int = 500) -> int:
    """Store the finished clock runs of every message that lacks them; return how many added.

    For messages kept before the reports existed (or after the profile changed): each
    message's clocks are computed from its history, as ``refresh`` does on every change.
    """
    added, last = 0, 0
    while True:
        with uow:
            ids = uow.incidents.ids_after(last, batch)
            if not ids:
                return added
            overrides = uow.calendar.overrides()
            for incident_id in ids:
                incident = uow.incidents.get(incident_id)
                if incident is not None:
                    added += record_stages(incident, clocks(ctx, incident, now, overrides))
        last = ids[-1]


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
