"""The production calendar: official norms per month, decrees, and the `holidays` cross-check."""

from __future__ import annotations

from datetime import date

import holidays
import pytest

from incident_bridge.domain.production_calendar import pinned_years, russian_calendar
from incident_bridge.domain.worktime import WorkCalendar, month_norms

# (year, [(days, hours) for Jan..Dec], year days, year hours): the official
# production calendar, 40-hour week (consultant.ru / Минтруд tables).
OFFICIAL = [
    (
        2024,
        [(17, 136), (20, 159), (20, 159), (21, 168), (20, 159), (19, 151),
         (23, 184), (22, 176), (21, 168), (23, 184), (21, 167), (21, 168)],
        248,
        1979,
    ),
    (
        2025,
        [(17, 136), (20, 160), (21, 167), (22, 175), (18, 144), (19, 151),
         (23, 184), (21, 168), (22, 176), (23, 184), (19, 151), (22, 176)],
        247,
        1972,
    ),
    (
        2026,
        [(15, 120), (19, 152), (21, 168), (22, 175), (19, 151), (21, 167),
         (23, 184), (21, 168), (22, 176), (22, 176), (20, 159), (22, 176)],
        247,
        1972,
    ),
    (
        2027,
        [(15, 120), (19, 151), (22, 176), (22, 175), (19, 152), (21, 167),
         (22, 176), (22, 176), (22, 176), (21, 168), (20, 159), (22, 176)],
        247,
        1972,
    ),
]  # fmt: skip


@pytest.mark.parametrize(("year", "months", "days", "hours"), OFFICIAL)
def test_month_norms_match_the_official_calendar(
    moscow: WorkCalendar, year: int, months: list[tuple[int, int]], days: int, hours: int
) -> None:
    norms = month_norms(moscow, year)
    assert [(m.days, m.minutes // 60) for m in norms] == months
    assert all(m.minutes % 60 == 0 for m in norms)
    assert (sum(m.days for m in norms), sum(m.minutes for m in norms) // 60) == (days, hours)


@pytest.mark.parametrize("year", [2024, 2025, 2026, 2027])
def test_pinned_norm_is_what_the_calendar_gives(moscow: WorkCalendar, year: int) -> None:
    source = moscow.production.source_of(year)
    assert source is not None
    norms = month_norms(moscow, year)
    assert source.norm_days == sum(m.days for m in norms)
    assert source.norm_hours == sum(m.minutes for m in norms) // 60


@pytest.mark.parametrize(
    ("year", "decree"),
    [
        (2024, "от 10.08.2023 № 1314"),
        (2025, "от 04.10.2024 № 1335"),
        (2026, "от 24.09.2025 № 1466"),
    ],
)
def test_each_year_names_its_decree(year: int, decree: str) -> None:
    source = russian_calendar([year]).source_of(year)
    assert source is not None and decree in source.source and source.verified


def test_2027_is_marked_unverified() -> None:
    source = russian_calendar([2027]).source_of(2027)
    assert source is not None and not source.verified


@pytest.mark.parametrize("year", [2024, 2025, 2026, 2027])
def test_pinned_data_agrees_with_the_holidays_package(year: int) -> None:
    ours = russian_calendar([year])
    theirs = holidays.country_holidays("RU", years=year)
    assert {d for d in ours.days_off if d.year == year} == set(theirs)
    assert {d for d in ours.working_weekends} == {
        d for d in theirs.weekend_workdays if d.year == year
    }


@pytest.mark.parametrize(
    ("day", "working", "minutes"),
    [
        (date(2024, 4, 27), True, 480),  # working Saturday
        (date(2024, 11, 2), True, 420),  # working Saturday, shortened (Nov 4 follows)
        (date(2024, 12, 28), True, 480),  # working Saturday
        (date(2025, 11, 1), True, 420),  # working Saturday, shortened
        (date(2025, 11, 3), False, 0),  # transferred day off
        (date(2025, 12, 31), False, 0),  # transferred from 5 January
        (date(2025, 12, 30), True, 480),  # a day off (not a holiday) follows: full day
        (date(2026, 1, 9), False, 0),
        (date(2026, 3, 9), False, 0),  # 8 March is a Sunday
        (date(2026, 4, 30), True, 420),
        (date(2026, 5, 8), True, 420),  # 9 May is a Saturday
        (date(2026, 2, 20), True, 480),  # Friday before 23 Feb (Monday): not shortened
        (date(2027, 2, 20), True, 420),
        (date(2027, 2, 22), False, 0),
        (date(2025, 7, 15), True, 480),
        (date(2025, 7, 19), False, 0),  # ordinary Saturday
    ],
)
def test_days(moscow: WorkCalendar, day: date, working: bool, minutes: int) -> None:
    assert moscow.is_working_day(day) is working
    assert moscow.working_minutes_on(day) == minutes


def test_shortened_day_loses_the_last_hour(moscow: WorkCalendar) -> None:
    assert moscow.hours_on(date(2025, 6, 11)) == ((540, 780), (840, 1020))


def test_years_beyond_the_data_fall_back_to_the_holidays_package() -> None:
    assert 2028 not in pinned_years()
    cal = WorkCalendar()
    assert not cal.is_working_day(date(2028, 1, 3))  # New Year holidays
    assert not cal.is_working_day(date(2028, 11, 6))  # 4 Nov is a Saturday: ст. 112 ч. 2
    assert cal.working_minutes_on(date(2028, 5, 8)) == 420  # eve of Victory Day
    assert cal.working_minutes_on(date(2028, 6, 9)) == 480  # Friday; 12 June is a Monday
    source = cal.production.source_of(2028) or russian_calendar([2028]).source_of(2028)
    assert source is not None and not source.verified
