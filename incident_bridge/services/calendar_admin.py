"""Local calendar overrides (regional holidays, closed days, changed hours) and the year's view."""

from __future__ import annotations

import calendar as stdlib_calendar
from dataclasses import dataclass
from datetime import date, datetime

from incident_bridge.domain.errors import InvalidInput, NotFound
from incident_bridge.domain.worktime import (
    OverrideKind,
    format_day,
    month_norms,
    parse_day,
)
from incident_bridge.persistence.models import CalendarOverrideRow
from incident_bridge.services.calendars import to_domain
from incident_bridge.services.context import Context
from incident_bridge.services.unit_of_work import UnitOfWork

KIND_LABELS = {
    OverrideKind.HOLIDAY: "Местный праздник (выходной)",
    OverrideKind.CLOSED: "Нерабочий день",
    OverrideKind.WORKING: "Дополнительный рабочий день",
    OverrideKind.HOURS: "Изменённые часы работы",
    OverrideKind.SCHEDULE: "Новый недельный график с этой даты",
}


def add_override(
    uow: UnitOfWork,
    *,
    day: date,
    kind: str,
    reason: str,
    by: str,
    now: datetime,
    hours: list[str] | None = None,
    schedule: dict[str, list[str]] | None = None,
) -> CalendarOverrideRow:
    """Record an override; it applies to messages that arrive from now on."""
    try:
        kind_value = OverrideKind(kind)
    except ValueError:
        raise InvalidInput(f"Неизвестный вид изменения «{kind}».") from None
    if not reason.strip():
        raise InvalidInput("Укажите основание (например, номер распоряжения).")
    row = CalendarOverrideRow(
        day=day,
        kind=kind_value.value,
        reason=reason.strip(),
        hours=list(hours or []),
        schedule=schedule,
        recorded_at=now,
        recorded_by=by,
    )
    to_domain(row)  # validates hours and schedule with a clear message before anything is stored
    with uow:
        uow.add(row)
    return row


def revoke_override(
    uow: UnitOfWork, override_id: int, *, by: str, now: datetime
) -> CalendarOverrideRow:
    """Revoke an override from now on; it stays in the history (old deadlines keep it)."""
    with uow:
        row = uow.calendar.get(override_id)
        if row is None:
            raise NotFound("Изменение календаря не найдено.")
        if row.revoked_at is not None:
            raise InvalidInput("Это изменение уже отменено.")
        row.revoked_at = now
        row.revoked_by = by
    return row


@dataclass(frozen=True, slots=True)
class DayCell:
    """One day of the year view."""

    day: date
    minutes: int
    kind: str  # working | short | off | override


@dataclass(frozen=True, slots=True)
class MonthView:
    """One month of the year view: its norm and its days (weeks of seven, None for padding)."""

    month: int
    name: str
    days: int
    hours: float
    weeks: list[list[DayCell | None]]


MONTHS = ["Январь", "Февраль", "Март", "Апрель", "Май", "Июнь", "Июль", "Август",
          "Сентябрь", "Октябрь", "Ноябрь", "Декабрь"]  # fmt: skip


def year_view(uow: UnitOfWork, ctx: Context, year: int) -> list[MonthView]:
    """The year's working calendar as it stands now, overrides included."""
    rows = uow.calendar.overrides()
    profile = ctx.profile
    cal = ctx.calendars.known_at(rows, None)
    overridden = {r.day for r in rows if r.revoked_at is None}
    standard = sum(e - s for s, e in profile.schedule.standard_day)
    months = []
    for norm in month_norms(cal, year):
        weeks: list[list[DayCell | None]] = []
        for week in stdlib_calendar.Calendar().monthdatescalendar(year, norm.month):
            cells: list[DayCell | None] = []
            for d in week:
                if d.month != norm.month:
                    cells.append(None)
                    continue
                minutes = cal.working_minutes_on(d)
                kind = (
                    "override"
                    if d in overridden
                    else ("off" if minutes == 0 else "short" if minutes < standard else "working")
                )
                cells.append(DayCell(d, minutes, kind))
            weeks.append(cells)
        months.append(
            MonthView(norm.month, MONTHS[norm.month - 1], norm.days, norm.minutes / 60, weeks)
        )
    return months


def describe(row: CalendarOverrideRow) -> str:
    """A one-line Russian description of an override."""
    text = KIND_LABELS[OverrideKind(row.kind)]
    if row.hours:
        text += ": " + ", ".join(format_day(parse_day(row.hours)))
    if row.schedule:
        text += ": " + "; ".join(
            f"{day}: {', '.join(hours)}" for day, hours in row.schedule.items()
        )
    return text
