"""Working-time calendar: an organisation's open hours and arithmetic on them.

A ``WorkCalendar`` is the organisation's time zone, its weekly schedule (several
intervals a day, e.g. a lunch break), the Russian production calendar (public
holidays, transferred days off, working weekends, pre-holiday days an hour
shorter) and local ``CalendarOverride``s, optionally "as known at" an instant.

Every working interval is precomputed once as UTC epoch seconds together with
the cumulative working time before it, so ``add`` and ``between`` are two
binary searches: no stepping through minutes or days.

Working days (``add_working_days``): "N working days after an event on local
date D" ends at the close of the N-th working day strictly after D, whether or
not D itself is a working day (ГК РФ ст. 191: a period in days starts on the
day after the event).
"""

from __future__ import annotations

import enum
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from incident_bridge.domain.errors import ConfigurationError, InvalidInput
from incident_bridge.domain.production_calendar import (
    ProductionCalendar,
    pinned_years,
    russian_calendar,
)

#: Minutes after local midnight: (opens, closes).
Interval = tuple[int, int]
DayHours = tuple[Interval, ...]

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SHORTENED_BY = 60  # ТК РФ ст. 95: a pre-holiday day is one hour shorter
_MAX_YEARS = 60  # a calendar with no working time at all must not extend forever


def parse_interval(text: str) -> Interval:
    """``"09:00-13:00"`` -> ``(540, 780)``; ``24:00`` is allowed as a closing time."""
    try:
        opens, closes = (part.strip() for part in text.split("-"))
        start, end = (int(h) * 60 + int(m) for h, m in (opens.split(":"), closes.split(":")))
    except ValueError as exc:
        raise InvalidInput(f"«{text}»: expected an interval like 09:00-13:00") from exc
    if not 0 <= start < end <= 24 * 60:
        raise InvalidInput(f"«{text}»: the interval must open before it closes, within one day")
    return (start, end)


def parse_day(texts: Iterable[str]) -> DayHours:
    """Parse a day's intervals and check they are sorted and do not overlap."""
    hours = tuple(parse_interval(t) for t in texts)
    for (_, end), (start, _) in zip(hours, hours[1:], strict=False):
        if start < end:
            raise InvalidInput(f"{list(texts)}: intervals must be in order and must not overlap")
    return hours


def format_day(hours: DayHours) -> list[str]:
    """The inverse of ``parse_day``."""
    return [f"{s // 60:02d}:{s % 60:02d}-{e // 60:02d}:{e % 60:02d}" for s, e in hours]


@dataclass(frozen=True, slots=True)
class WeeklySchedule:
    """Open hours for each weekday, Monday first."""

    days: tuple[DayHours, ...]

    def __post_init__(self) -> None:
        if len(self.days) != 7:
            raise InvalidInput("a weekly schedule needs exactly seven days")

    @classmethod
    def parse(cls, table: Mapping[str, Sequence[str]]) -> WeeklySchedule:
        """Build from ``{"mon": ["09:00-13:00", ...], ...}``; missing days are days off."""
        unknown = set(table) - set(WEEKDAYS)
        if unknown:
            raise InvalidInput(f"unknown weekday(s): {', '.join(sorted(unknown))}")
        return cls(tuple(parse_day(table.get(name, ())) for name in WEEKDAYS))

    def to_dict(self) -> dict[str, list[str]]:
        """The inverse of ``parse``: working weekdays and their intervals."""
        return {name: format_day(day) for name, day in zip(WEEKDAYS, self.days, strict=True) if day}

    @property
    def standard_day(self) -> DayHours:
        """Hours of the first working weekday: what a working Saturday or extra day gets."""
        return next((d for d in self.days if d), ())


DEFAULT_SCHEDULE = WeeklySchedule.parse(
    {day: ["09:00-13:00", "14:00-18:00"] for day in WEEKDAYS[:5]}
)


class OverrideKind(enum.StrEnum):
    """What a local calendar override does."""

    HOLIDAY = "holiday"  # a local holiday: closed
    CLOSED = "closed"  # closed for another reason (e.g. a disinfection day)
    WORKING = "working"  # an extra working day (hours given or the standard day)
    HOURS = "hours"  # that day's hours changed
    SCHEDULE = "schedule"  # a new weekly schedule from ``day`` on


@dataclass(frozen=True, slots=True)
class CalendarOverride:
    """A local change on top of the production calendar, recorded by an admin."""

    day: date
    kind: OverrideKind
    reason: str
    recorded_at: datetime
    hours: DayHours = ()
    schedule: WeeklySchedule | None = None

    def __post_init__(self) -> None:
        if self.recorded_at.utcoffset() is None:
            raise InvalidInput("recorded_at must be timezone-aware")
        if self.kind is OverrideKind.HOURS and not self.hours:
            raise InvalidInput(f"{self.day}: a changed-hours override needs its intervals")
        if self.kind is OverrideKind.SCHEDULE and self.schedule is None:
            raise InvalidInput(f"{self.day}: a schedule override needs the weekly schedule")


def apply_overrides(
    overrides: Iterable[CalendarOverride], known_at: datetime | None = None
) -> tuple[dict[date, CalendarOverride], list[CalendarOverride]]:
    """Per-day overrides and schedule changes in force, as known at ``known_at``.

    Overrides recorded after ``known_at`` are ignored so an old deadline does not
    move; for one day (or one schedule start) the latest recorded wins.
    """
    known = sorted(
        (o for o in overrides if known_at is None or o.recorded_at <= known_at),
        key=lambda o: o.recorded_at,
    )
    per_day: dict[date, CalendarOverride] = {}
    schedules: dict[date, CalendarOverride] = {}
    for o in known:
        (schedules if o.kind is OverrideKind.SCHEDULE else per_day)[o.day] = o
    return per_day, sorted(schedules.values(), key=lambda o: o.day)


def _shorten(hours: DayHours, minutes: int) -> DayHours:
    """Cut ``minutes`` off the end of the day (the last interval first)."""
    out = list(hours)
    while minutes > 0 and out:
        start, end = out.pop()
        cut = min(minutes, end - start)
        minutes -= cut
        if end - cut > start:
            out.append((start, end - cut))
    return tuple(out)


class TimeAxis(Protocol):
    """What a clock needs from its time basis: working time or calendar time."""

    def add(self, start: datetime, duration: timedelta) -> datetime: ...

    def between(self, a: datetime, b: datetime) -> timedelta: ...


class CalendarTime:
    """Plain calendar time through the same interface as ``WorkCalendar``."""

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """``start + duration``, in UTC."""
        return _aware(start, "start").astimezone(UTC) + duration

    def between(self, a: datetime, b: datetime) -> timedelta:
        """``b - a``."""
        return _aware(b, "b") - _aware(a, "a")


CALENDAR_TIME = CalendarTime()


def _aware(value: datetime, name: str) -> datetime:
    if value.utcoffset() is None:
        raise InvalidInput(f"{name} must be a timezone-aware datetime")
    return value


def _epoch(value: datetime, name: str) -> int:
    return int(_aware(value, name).timestamp() // 1)


def _from_epoch(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


class WorkCalendar:
    """An organisation's working time: zone, weekly schedule, production calendar, overrides."""

    def __init__(
        self,
        timezone: str | ZoneInfo = "Europe/Moscow",
        schedule: WeeklySchedule = DEFAULT_SCHEDULE,
        *,
        overrides: Iterable[CalendarOverride] = (),
        known_at: datetime | None = None,
        production: ProductionCalendar | None = None,
        years: tuple[int, int] | None = None,
    ) -> None:
        try:
            self.zone = timezone if isinstance(timezone, ZoneInfo) else ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ConfigurationError(f"unknown time zone «{timezone}»") from exc
        self.schedule = schedule
        self.overrides = tuple(overrides)
        self.known_at = known_at
        self._fixed_production = production
        self._per_day, self._schedule_changes = apply_overrides(self.overrides, known_at)
        pinned = pinned_years()
        self._build(*(years or (pinned[0], pinned[-1])))

    def as_known_at(self, instant: datetime) -> WorkCalendar:
        """The same calendar ignoring overrides recorded after ``instant``."""
        return self._copy(self.overrides, instant)

    def with_overrides(self, overrides: Iterable[CalendarOverride]) -> WorkCalendar:
        """The same calendar with ``overrides`` added to the existing ones."""
        return self._copy((*self.overrides, *overrides), self.known_at)

    def _copy(
        self, overrides: Iterable[CalendarOverride], known_at: datetime | None
    ) -> WorkCalendar:
        return WorkCalendar(
            self.zone,
            self.schedule,
            overrides=overrides,
            known_at=known_at,
            production=self._fixed_production,
            years=(self.first_year, self.last_year),
        )

    # -- building ---------------------------------------------------------------

    def _build(self, first: int, last: int) -> None:
        if last - first >= _MAX_YEARS:
            raise ConfigurationError(
                "the calendar has no working time in sight: check the schedule"
            )
        self.first_year, self.last_year = first, last
        self.production = self._fixed_production or russian_calendar(range(first, last + 1))
        starts: list[int] = []
        ends: list[int] = []
        cum: list[int] = []
        total = 0
        self._workdays: list[date] = []
        self._close: dict[date, int] = {}
        day = date(first, 1, 1)
        while day.year <= last:
            midnight = datetime.combine(day, time(0), self.zone)
            for opens, closes in self.hours_on(day):
                s = int((midnight + timedelta(minutes=opens)).timestamp())
                e = int((midnight + timedelta(minutes=closes)).timestamp())
                if e <= s:  # a DST jump swallowed the interval
                    continue
                starts.append(s)
                ends.append(e)
                cum.append(total)
                total += e - s
                self._close[day] = e
            if day in self._close:
                self._workdays.append(day)
            day += timedelta(days=1)
        self._starts, self._ends, self._cum = starts, ends, cum
        self._cum_end = [c + e - s for c, s, e in zip(cum, starts, ends, strict=True)]
        self._lo = int(datetime.combine(date(first, 1, 1), time(0), self.zone).timestamp())
        self._hi = int(datetime.combine(date(last + 1, 1, 1), time(0), self.zone).timestamp())

    def _cover(self, seconds: int) -> None:
        """Extend the precomputed years so that ``seconds`` is inside them."""
        while seconds < self._lo or seconds >= self._hi:
            year = _from_epoch(seconds).year
            self._build(min(self.first_year, year - 1), max(self.last_year, year + 1))

    def _schedule_for(self, day: date) -> WeeklySchedule:
        chosen = self.schedule
        for change in self._schedule_changes:
            if change.day > day:
                break
            chosen = change.schedule or chosen
        return chosen

    def hours_on(self, day: date) -> DayHours:
        """Local open intervals of ``day`` (minutes after midnight), everything applied."""
        schedule = self._schedule_for(day)
        override = self._per_day.get(day)
        if override is not None:
            if override.kind in (OverrideKind.HOLIDAY, OverrideKind.CLOSED):
                return ()
            return override.hours or schedule.standard_day
        production = self._fixed_production or self.production
        if not self.first_year <= day.year <= self.last_year and self._fixed_production is None:
            production = russian_calendar((day.year,))
        # The weekly schedule says which weekdays work; the country adds days off and
        # working weekends (which keep the schedule's hours, or the standard day's).
        hours = schedule.days[day.weekday()]
        if day in production.working_weekends:
            hours = hours or schedule.standard_day
        elif day in production.days_off:
            return ()
        if day in production.shortened:
            hours = _shorten(hours, SHORTENED_BY)
        return hours

    # -- queries ----------------------------------------------------------------

    def is_working_day(self, day: date) -> bool:
        """True when the organisation has any open hours on ``day``."""
        return bool(self.hours_on(day))

    def working_minutes_on(self, day: date) -> int:
        """Open minutes on ``day``."""
        return sum(end - start for start, end in self.hours_on(day))

    def is_open(self, at: datetime) -> bool:
        """True when ``at`` falls inside working time."""
        t = _epoch(at, "at")
        self._cover(t)
        i = bisect_right(self._ends, t)
        return i < len(self._starts) and self._starts[i] <= t

    def next_opening(self, at: datetime) -> datetime:
        """``at`` itself if open, otherwise the next moment work starts."""
        return self.add(at, timedelta(0))

    def _next_opening(self, t: int) -> int:
        while True:
            self._cover(t)
            i = bisect_right(self._ends, t)
            if i < len(self._starts):
                return max(t, self._starts[i])
            self._build(self.first_year, self.last_year + 1)

    def _position(self, t: int) -> int:
        """Working seconds from the start of the precomputed range up to ``t``."""
        self._cover(t)
        i = bisect_right(self._ends, t)
        if i == len(self._starts):
            return self._cum_end[-1] if self._starts else 0
        return self._cum[i] + max(0, t - self._starts[i])

    def _locate(self, position: int) -> int:
        """The earliest instant at which ``position`` working seconds have elapsed."""
        j = bisect_left(self._cum_end, position)
        return self._starts[j] + (position - self._cum[j])

    def add_seconds(self, start: int, seconds: int) -> int:
        """Epoch-seconds core of ``add``: the form for hot loops."""
        if seconds == 0:
            return self._next_opening(start)
        while True:
            position = self._position(start) + seconds
            if not self._starts or position > self._cum_end[-1]:
                self._build(self.first_year, self.last_year + 1 + seconds // (86400 * 366))
            elif position < 0 or (position == 0 and seconds < 0):
                # Positions count from the range's first year: rebuilding earlier shifts them.
                self._build(self.first_year - 1, self.last_year)
            else:
                return self._locate(position)

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """``start`` plus ``duration`` of working time (negative goes back), in UTC.

        A start outside working time begins counting at the next opening; a
        result on an interval boundary is the earlier instant (13:00, not 14:00).
        """
        seconds = int(duration.total_seconds() // 1)
        return _from_epoch(self.add_seconds(_epoch(start, "start"), seconds))

    def add_many(
        self, starts: Sequence[int], seconds: Sequence[int], *, later: bool = False
    ) -> list[int]:
        """Batch ``add`` on epoch seconds (queue recomputation, benchmarks).

        ``later=True`` resolves a result on a boundary to the next opening rather
        than the closing before it (pandas' business-hour convention).
        """
        out = []
        cum, cum_end, begin = self._cum, self._cum_end, self._starts
        pick = bisect_right if later else bisect_left
        for start, delta in zip(starts, seconds, strict=True):
            if delta > 0 and self._lo <= start < self._hi:
                position = self._position(start) + delta
                if position < cum_end[-1]:
                    j = pick(cum_end, position)
                    out.append(begin[j] + (position - cum[j]))
                    continue
            result = self.add_seconds(start, delta)
            cum, cum_end, begin = self._cum, self._cum_end, self._starts  # may have been rebuilt
            if later:
                result = self._next_opening(result) if self._is_closing(result) else result
            out.append(result)
        return out

    def _is_closing(self, t: int) -> bool:
        i = bisect_left(self._ends, t)
        return i < len(self._ends) and self._ends[i] == t

    def between(self, a: datetime, b: datetime) -> timedelta:
        """Working time from ``a`` to ``b`` (negative when ``b`` is earlier)."""
        ta, tb = _epoch(a, "a"), _epoch(b, "b")
        self._cover(ta)
        self._cover(tb)
        return timedelta(seconds=self._position(tb) - self._position(ta))

    def local_date(self, at: datetime) -> date:
        """The organisation's calendar date at ``at``."""
        return _aware(at, "at").astimezone(self.zone).date()

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """Close of the ``days``-th working day after the local date of ``start`` (UTC)."""
        if days < 1:
            raise InvalidInput("a period in working days must be at least one day")
        day = self.local_date(start)
        self._cover(int(datetime.combine(day, time(12), self.zone).timestamp()))
        while True:
            i = bisect_right(self._workdays, day) + days - 1
            if i < len(self._workdays):
                return _from_epoch(self._close[self._workdays[i]])
            self._build(self.first_year, self.last_year + 1 + days // 200)

    def working_days_between(self, a: date, b: date) -> int:
        """Working days in the local dates ``(a, b]`` (negative when ``b < a``)."""
        if b < a:
            return -self.working_days_between(b, a)
        for d in (a, b):
            self._cover(int(datetime.combine(d, time(12), self.zone).timestamp()))
        return bisect_right(self._workdays, b) - bisect_right(self._workdays, a)

    def axis(self, working: bool) -> TimeAxis:
        """This calendar for working-time clocks, ``CALENDAR_TIME`` otherwise."""
        return self if working else CALENDAR_TIME


@dataclass(frozen=True, slots=True)
class MonthNorm:
    """Working days and hours of one month."""

    month: int
    days: int
    minutes: int


def month_norms(calendar: WorkCalendar, year: int) -> list[MonthNorm]:
    """Working days and minutes of each month of ``year`` on ``calendar``."""
    out = []
    for month in range(1, 13):
        day = date(year, month, 1)
        days = minutes = 0
        while day.month == month:
            worked = calendar.working_minutes_on(day)
            days += worked > 0
            minutes += worked
            day += timedelta(days=1)
        out.append(MonthNorm(month, days, minutes))
    return out
