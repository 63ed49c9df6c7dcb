"""The organisation's working calendars, with the local overrides known at a given time.

A message's clocks use the overrides known when it arrived, so an override
recorded later never silently moves its deadlines. Calendars are costly to
build and few differ, so ``Calendars`` keeps them: one object per application.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import datetime

from incident_bridge.domain.regulations import Profile
from incident_bridge.domain.worktime import (
    CalendarOverride,
    OverrideKind,
    WeeklySchedule,
    WorkCalendar,
    parse_day,
)
from incident_bridge.persistence.models import CalendarOverrideRow


def to_domain(row: CalendarOverrideRow) -> CalendarOverride:
    """The domain value of a stored override (raises ``InvalidInput`` on bad hours)."""
    return CalendarOverride(
        day=row.day,
        kind=OverrideKind(row.kind),
        reason=row.reason,
        recorded_at=row.recorded_at,
        hours=parse_day(row.hours or ()),
        schedule=WeeklySchedule.parse(row.schedule) if row.schedule else None,
    )


def in_force(
    rows: Sequence[CalendarOverrideRow], known_at: datetime | None
) -> list[CalendarOverrideRow]:
    """The overrides recorded and not yet revoked at ``known_at`` (None: as they stand now)."""
    return [
        r for r in rows
        if (known_at is None or r.recorded_at <= known_at)
        and (r.revoked_at is None or (known_at is not None and r.revoked_at > known_at))
    ]  # fmt: skip


class Calendars:
    """The profile's calendars, one per set of overrides in force, built once and kept."""

    def __init__(self, profile: Profile, *, keep: int = 64) -> None:
        self.profile = profile
        self._keep = keep
        self._built: dict[tuple[int, ...], WorkCalendar] = {}
        self._lock = threading.Lock()

    def known_at(
        self, rows: Sequence[CalendarOverrideRow], known_at: datetime | None
    ) -> WorkCalendar:
        """The calendar with the overrides of ``rows`` in force at ``known_at``."""
        applied = in_force(rows, known_at)
        key = tuple(r.id for r in applied)
        with self._lock:
            calendar = self._built.get(key)
        if calendar is None:
            calendar = self.profile.calendar(overrides=[to_domain(r) for r in applied])
            with self._lock:
                if len(self._built) >= self._keep:
                    self._built.clear()
                self._built[key] = calendar
        return calendar
