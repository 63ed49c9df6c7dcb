"""Each incident's clocks, computed from its history, and the stored nearest deadline.

The regulation profile comes from a ``DeadlinePolicy`` kept in the session's
``info`` (the extension puts it there); without one the default profile
(Yelets) applies. A message's clocks use the calendar overrides known when it
arrived, so an override recorded later never silently moves its deadlines.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from incident_bridge.domain.deadlines import ClockState, compute_clocks, next_due
from incident_bridge.domain.events import EventKind, HistoryEvent
from incident_bridge.domain.model import DraftKind, Importance
from incident_bridge.domain.regulations import Profile, load_profile
from incident_bridge.domain.workflow import FINAL_STATUSES, Status
from incident_bridge.domain.worktime import (
    CalendarOverride,
    OverrideKind,
    WeeklySchedule,
    WorkCalendar,
    parse_day,
)
from incident_bridge.persistence.models import CalendarOverrideRow, Incident

POLICY_KEY = "incident_bridge.deadline_policy"


@dataclass(frozen=True, slots=True)
class DeadlinePolicy:
    """Which regulation profile an organisation uses, and where admins' copies live."""

    profile_name: str = "yelets"
    profile_dirs: tuple[str, ...] = ()

    def profile(self) -> Profile:
        """The loaded (and cached) profile."""
        return _profile(self.profile_name, self.profile_dirs)


DEFAULT_POLICY = DeadlinePolicy()


@lru_cache(maxsize=32)
def _profile(name: str, dirs: tuple[str, ...]) -> Profile:
    return load_profile(name, extra_dirs=dirs)


def policy_of(session: Session) -> DeadlinePolicy:
    """The policy attached to ``session`` by the extension, or the default one."""
    policy = session.info.get(POLICY_KEY)
    return policy if isinstance(policy, DeadlinePolicy) else DEFAULT_POLICY


# -- calendars -------------------------------------------------------------------

_calendars: dict[tuple[object, ...], WorkCalendar] = {}


def to_domain(row: CalendarOverrideRow) -> CalendarOverride:
    """The domain value of a stored override."""
    return CalendarOverride(
        day=row.day,
        kind=OverrideKind(row.kind),
        reason=row.reason,
        recorded_at=row.recorded_at,
        hours=parse_day(row.hours or ()),
        schedule=WeeklySchedule.parse(row.schedule) if row.schedule else None,
    )


def override_rows(session: Session) -> list[CalendarOverrideRow]:
    """Every override ever recorded, oldest first."""
    return list(session.scalars(select(CalendarOverrideRow).order_by(CalendarOverrideRow.id)))


def calendar_for(
    profile: Profile, rows: Sequence[CalendarOverrideRow], known_at: datetime | None
) -> WorkCalendar:
    """The profile's calendar with the overrides in force at ``known_at`` (None: now known)."""
    in_force = [
        r for r in rows
        if (known_at is None or r.recorded_at <= known_at)
        and (r.revoked_at is None or (known_at is not None and r.revoked_at > known_at))
    ]  # fmt: skip
    key = (profile.name, profile.timezone, profile.schedule, tuple(r.id for r in in_force))
    calendar = _calendars.get(key)
    if calendar is None:
        if len(_calendars) > 64:
            _calendars.clear()
        calendar = profile.calendar(overrides=[to_domain(r) for r in in_force])
        _calendars[key] = calendar
    return calendar


# -- clocks ------------------------------------------------------------------------


def history_of(incident: Incident, profile: Profile) -> list[HistoryEvent]:
    """The incident's history as the deadline computation reads it."""
    events = []
    for entry in incident.events:
        try:
            kind = EventKind(entry.kind)
        except ValueError:
            continue
        at = entry.at
        if kind is EventKind.ARRIVED and profile.counts_from == "detection":
            at = min(entry.at, incident.detected_at)
        data = entry.data or {}
        events.append(HistoryEvent(
            kind=kind,
            at=at,
            draft_kind=DraftKind(data["draft_kind"]) if data.get("draft_kind") else None,
            importance=Importance(data["importance"]) if data.get("importance") else None,
        ))  # fmt: skip
    return events


def clocks(
    session: Session,
    incident: Incident,
    now: datetime,
    *,
    rows: Sequence[CalendarOverrideRow] | None = None,
) -> list[ClockState]:
    """Every clock of the organisation's profile for ``incident`` as of ``now``."""
    profile = policy_of(session).profile()
    calendar = calendar_for(
        profile, override_rows(session) if rows is None else rows, incident.arrived_at
    )
    return compute_clocks(history_of(incident, profile), profile, calendar, now)


def refresh(
    session: Session,
    incident: Incident,
    now: datetime,
    *,
    rows: Sequence[CalendarOverrideRow] | None = None,
) -> None:
    """Recompute ``incident.due_at``: the nearest due time of its running clocks."""
    incident.due_at = next_due(clocks(session, incident, now, rows=rows))


def refresh_open(session: Session, now: datetime) -> int:
    """Recompute the deadline of every incident still in work; return how many."""
    rows = override_rows(session)
    open_statuses = [s.value for s in Status if s not in FINAL_STATUSES]
    count = 0
    for incident in session.scalars(select(Incident).where(Incident.status.in_(open_statuses))):
        refresh(session, incident, now, rows=rows)
        count += 1
    session.commit()
    return count
