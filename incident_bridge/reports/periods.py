"""The period a report covers: a month, a quarter or any span of days, in the organisation's zone."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from incident_bridge.domain.errors import InvalidInput

MONTHS = (
    "январь", "февраль", "март", "апрель", "май", "июнь",
    "июль", "август", "сентябрь", "октябрь", "ноябрь", "декабрь",
)  # fmt: skip
QUARTERS = ("I", "II", "III", "IV")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-[QqКк]([1-4])$")
_SPAN = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")
#: The longest span a report covers (a year and a bit: a year against the one before).
MAX_DAYS = 400


@dataclass(frozen=True, slots=True)
class Period:
    """Days ``first``..``last`` (inclusive) in ``zone``; ``key`` is how a link names it."""

    first: date
    last: date
    zone: ZoneInfo
    key: str
    label: str

    @property
    def start(self) -> datetime:
        """The period's first instant, in UTC."""
        return datetime.combine(self.first, time(), self.zone).astimezone(UTC)

    @property
    def end(self) -> datetime:
        """The instant after the period, in UTC."""
        return datetime.combine(self.last + timedelta(days=1), time(), self.zone).astimezone(UTC)

    def previous(self) -> Period:
        """The period before of the same kind: the month, the quarter or as many days."""
        if _MONTH.match(self.key):
            before = self.first - timedelta(days=1)
            return month(before.year, before.month, self.zone)
        if _QUARTER.match(self.key):
            before = self.first - timedelta(days=1)
            return quarter(before.year, (before.month - 1) // 3 + 1, self.zone)
        days = (self.last - self.first).days + 1
        return span(self.first - timedelta(days=days), self.first - timedelta(days=1), self.zone)


def month(year: int, number: int, zone: ZoneInfo) -> Period:
    first = date(year, number, 1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return Period(first, last, zone, f"{year}-{number:02d}", f"{MONTHS[number - 1]} {year}")


def quarter(year: int, number: int, zone: ZoneInfo) -> Period:
    first = date(year, 3 * number - 2, 1)
    last = month(year, 3 * number, zone).last
    return Period(first, last, zone, f"{year}-Q{number}", f"{QUARTERS[number - 1]} квартал {year}")


def span(first: date, last: date, zone: ZoneInfo) -> Period:
    if last < first:
        raise InvalidInput("Конец периода раньше его начала.")
    if (last - first).days + 1 > MAX_DAYS:
        raise InvalidInput(f"Период длиннее {MAX_DAYS} дней: выберите короче.")
    label = f"{first:%d.%m.%Y}–{last:%d.%m.%Y}"
    return Period(first, last, zone, f"{first.isoformat()}..{last.isoformat()}", label)


def parse(key: str, zone: ZoneInfo) -> Period:
    """``2026-10`` (a month), ``2026-Q4`` (a quarter) or ``2026-10-01..2026-10-15``."""
    text = key.strip()
    try:
        if m := _MONTH.match(text):
            return month(int(m[1]), int(m[2]), zone)
        if m := _QUARTER.match(text):
            return quarter(int(m[1]), int(m[2]), zone)
        if m := _SPAN.match(text):
            return span(date.fromisoformat(m[1]), date.fromisoformat(m[2]), zone)
    except ValueError:
        pass
    raise InvalidInput(
        "Период не распознан: укажите месяц (2026-10), квартал (2026-Q4) "
        "или даты (2026-10-01..2026-10-15)."
    )


def current_quarter(now: datetime, zone: ZoneInfo) -> Period:
    """The quarter ``now`` falls in, in the organisation's zone."""
    today = now.astimezone(zone).date()
    return quarter(today.year, (today.month - 1) // 3 + 1, zone)
