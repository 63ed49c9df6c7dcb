"""The Russian production calendar: which dates are days off, working weekends, shortened.

Years 2024–2027 come from ``data/production_calendar_ru.toml`` (pinned, with
the government decree of each year); other years fall back to the ``holidays``
package, with pre-holiday days derived by the literal reading of ТК РФ ст. 95.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from importlib import resources
from typing import Any

from incident_bridge.domain.errors import ConfigurationError

DATA_FILE = "production_calendar_ru.toml"


@dataclass(frozen=True, slots=True)
class YearSource:
    """Where one year's data comes from and the official totals it must reproduce."""

    year: int
    source: str
    verified: bool
    norm_days: int | None = None
    norm_hours: int | None = None


@dataclass(frozen=True, slots=True)
class ProductionCalendar:
    """Days off on weekdays, working weekend days and shortened days of a country.

    ``days_off`` holds every non-working date (public holidays and transferred
    days off, weekends included or not); ordinary Saturdays and Sundays are
    implied by ``weekend``.
    """

    days_off: frozenset[date] = frozenset()
    working_weekends: frozenset[date] = frozenset()
    shortened: frozenset[date] = frozenset()
    weekend: frozenset[int] = frozenset({5, 6})
    sources: tuple[YearSource, ...] = field(default=(), compare=False)

    def is_working_day(self, day: date) -> bool:
        """True when the country works on ``day`` (before local overrides)."""
        if day in self.working_weekends:
            return True
        return day.weekday() not in self.weekend and day not in self.days_off

    def is_shortened(self, day: date) -> bool:
        """True when ``day`` is a pre-holiday day shortened by one hour."""
        return day in self.shortened and self.is_working_day(day)

    def source_of(self, year: int) -> YearSource | None:
        """The decree (or fallback) behind ``year``, if the year is covered."""
        return next((s for s in self.sources if s.year == year), None)


def _parse_date(value: Any, where: str) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise ConfigurationError(
            f"{DATA_FILE}: {where}: «{value}» is not a YYYY-MM-DD date"
        ) from exc


@cache
def _pinned() -> dict[str, Any]:
    text = resources.files("incident_bridge.domain.data").joinpath(DATA_FILE).read_text("utf-8")
    return tomllib.loads(text)


def pinned_years() -> tuple[int, ...]:
    """Years whose calendar is pinned in the shipped data file."""
    return tuple(sorted(int(y) for y in _pinned()["years"]))


def _pinned_year(year: int) -> tuple[set[date], set[date], set[date], YearSource]:
    data = _pinned()
    table = data["years"][str(year)]
    off = {_parse_date(f"{year}-{md}", "public_holidays") for md in data["public_holidays"]}
    off |= {_parse_date(d, f"years.{year}.days_off") for d in table.get("days_off", [])}
    work = {
        _parse_date(d, f"years.{year}.working_weekends") for d in table.get("working_weekends", [])
    }
    short = {_parse_date(d, f"years.{year}.shortened") for d in table.get("shortened", [])}
    norm = table.get("norm", {})
    source = YearSource(
        year, table["source"], bool(table.get("verified")), norm.get("days"), norm.get("hours")
    )
    return off, work, short, source


def _fallback_year(year: int) -> tuple[set[date], set[date], set[date], YearSource]:
    import holidays  # imported lazily: only years outside the pinned file need it

    country = holidays.country_holidays("RU", years=year)
    off = set(country)
    work = {d for d in country.weekend_workdays if d.year == year}
    fixed = {date.fromisoformat(f"{year}-{md}") for md in _pinned()["public_holidays"]}
    # ст. 112 ч. 2: a holiday (other than in January) on a weekend moves to the
    # next working day; `holidays` knows this only for years it was told about.
    for holiday in sorted(d for d in fixed if d.month > 1 and d.weekday() >= 5):
        moved = holiday + timedelta(days=1)
        while moved.weekday() >= 5 or moved in off:
            moved += timedelta(days=1)
        if not any(
            d.weekday() < 5 and d > holiday and d - holiday < timedelta(days=3) for d in off - fixed
        ):
            off.add(moved)

    def works(day: date) -> bool:
        return day in work or (day.weekday() < 5 and day not in off)

    # ст. 95: the working day immediately before a non-working public holiday.
    eves = (d - timedelta(days=1) for d in fixed)
    short = {d for d in eves if d.year == year and works(d)}
    source = YearSource(year, f"holidays {holidays.__version__} (RU); ТК РФ ст. 95, 112", False)
    return off, work, short, source


def russian_calendar(years: Iterable[int]) -> ProductionCalendar:
    """The Russian production calendar for ``years`` (pinned data first, then ``holidays``)."""
    return _russian_calendar(tuple(sorted(set(years))))


@cache
def _russian_calendar(years: tuple[int, ...]) -> ProductionCalendar:
    off: set[date] = set()
    work: set[date] = set()
    short: set[date] = set()
    sources: list[YearSource] = []
    pinned = set(pinned_years())
    for year in years:
        part = _pinned_year(year) if year in pinned else _fallback_year(year)
        off |= part[0]
        work |= part[1]
        short |= part[2]
        sources.append(part[3])
    return ProductionCalendar(
        frozenset(off), frozenset(work), frozenset(short), sources=tuple(sources)
    )
