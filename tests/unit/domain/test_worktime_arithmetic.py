"""Working-time arithmetic: add, between, working days, DST, overrides, history."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest

from incident_bridge.domain.errors import InvalidInput
from incident_bridge.domain.production_calendar import ProductionCalendar
from incident_bridge.domain.worktime import (
    CALENDAR_TIME,
    CalendarOverride,
    OverrideKind,
    WeeklySchedule,
    WorkCalendar,
    apply_overrides,
    parse_day,
    parse_interval,
)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def local(cal: WorkCalendar, value: datetime) -> str:
    return value.astimezone(cal.zone).isoformat()


# (start, working duration, expected due) on the default Moscow calendar.
ADD = [
    ("2025-10-30T15:00:00+03:00", timedelta(hours=1), "2025-10-30T16:00:00+03:00"),
    ("2025-10-30T12:30:00+03:00", timedelta(hours=1), "2025-10-30T14:30:00+03:00"),  # lunch
    ("2025-10-30T09:00:00+03:00", timedelta(hours=4), "2025-10-30T13:00:00+03:00"),  # not 14:00
    ("2025-10-30T13:20:00+03:00", timedelta(minutes=30), "2025-10-30T14:30:00+03:00"),
    ("2025-10-31T15:00:00+03:00", timedelta(hours=6), "2025-11-01T12:00:00+03:00"),  # work Sat
    ("2025-11-01T15:00:00+03:00", timedelta(hours=6), "2025-11-05T13:00:00+03:00"),  # short Sat
    ("2025-12-31T10:00:00+03:00", timedelta(hours=8), "2026-01-12T18:00:00+03:00"),  # New Year
    ("2024-12-27T17:45:00+03:00", timedelta(minutes=30), "2024-12-28T09:15:00+03:00"),
    ("2024-02-22T16:50:00+03:00", timedelta(minutes=30), "2024-02-26T09:20:00+03:00"),
    ("2025-06-11T16:30:00+03:00", timedelta(hours=2), "2025-06-16T10:30:00+03:00"),
    ("2025-03-03T02:00:00+03:00", timedelta(hours=8), "2025-03-03T18:00:00+03:00"),  # night
    ("2025-03-07T16:45:00+03:00", timedelta(minutes=30), "2025-03-10T09:15:00+03:00"),
    ("2025-10-30T20:00:00+00:00", timedelta(hours=1), "2025-10-31T10:00:00+03:00"),  # UTC in
    ("2026-12-30T17:00:00+03:00", timedelta(hours=2), "2027-01-11T10:00:00+03:00"),  # year edge
    ("2025-10-30T16:00:00+03:00", timedelta(hours=-4), "2025-10-30T11:00:00+03:00"),  # back
    ("2025-11-05T10:00:00+03:00", timedelta(hours=-2), "2025-11-01T16:00:00+03:00"),
    ("2025-10-30T14:00:00+03:00", timedelta(hours=-1), "2025-10-30T12:00:00+03:00"),
    ("2025-10-30T21:00:00+03:00", timedelta(0), "2025-10-31T09:00:00+03:00"),
]


@pytest.mark.parametrize(("start", "duration", "due"), ADD)
def test_add(moscow: WorkCalendar, start: str, duration: timedelta, due: str) -> None:
    assert local(moscow, moscow.add(at(start), duration)) == due


@pytest.mark.parametrize(
    ("a", "b", "minutes"),
    [
        ("2025-10-30T15:00:00+03:00", "2025-10-31T10:00:00+03:00", 240),
        ("2025-10-30T12:00:00+03:00", "2025-10-30T15:00:00+03:00", 120),
        ("2025-10-31T10:00:00+03:00", "2025-10-30T15:00:00+03:00", -240),
        ("2025-11-01T23:00:00+03:00", "2025-11-04T23:00:00+03:00", 0),
        ("2024-01-01T00:00:00+03:00", "2025-01-01T00:00:00+03:00", 1979 * 60),
    ],
)
def test_between(moscow: WorkCalendar, a: str, b: str, minutes: int) -> None:
    assert moscow.between(at(a), at(b)) == timedelta(minutes=minutes)


def test_add_and_between_agree_on_random_pairs(moscow: WorkCalendar) -> None:
    rng = random.Random(7)
    base = at("2024-01-01T00:00:00+03:00")
    for _ in range(2000):
        start = base + timedelta(minutes=rng.randrange(4 * 365 * 24 * 60 - 30 * 24 * 60))
        duration = timedelta(minutes=rng.randrange(1, 60 * 60))
        due = moscow.add(start, duration)
        assert moscow.between(start, due) == duration
        assert moscow.is_open(due - timedelta(minutes=1))
        # Going back lands on the same working position as the start.
        assert moscow.between(moscow.add(due, -duration), start) == timedelta(0)


def test_batch_add_matches_single_add(moscow: WorkCalendar) -> None:
    starts = [int(at("2025-02-03T08:00:00+03:00").timestamp()) + i * 3_541 for i in range(300)]
    seconds = [(i * 977) % (40 * 3600) for i in range(300)]
    assert moscow.add_many(starts, seconds) == [
        moscow.add_seconds(s, d) for s, d in zip(starts, seconds, strict=True)
    ]


def test_batch_add_can_use_the_opening_convention(moscow: WorkCalendar) -> None:
    start = int(at("2025-10-30T09:00:00+03:00").timestamp())
    closing, opening = (
        moscow.add_many([start] * 2, [4 * 3600] * 2),
        moscow.add_many([start], [4 * 3600], later=True),
    )
    assert closing[0] == int(at("2025-10-30T13:00:00+03:00").timestamp())
    assert opening[0] == int(at("2025-10-30T14:00:00+03:00").timestamp())


def test_is_open(moscow: WorkCalendar) -> None:
    assert moscow.is_open(at("2025-10-30T09:00:00+03:00"))
    assert not moscow.is_open(at("2025-10-30T13:30:00+03:00"))
    assert not moscow.is_open(at("2025-11-04T10:00:00+03:00"))
    assert moscow.next_opening(at("2025-10-30T13:30:00+03:00")) == at("2025-10-30T14:00:00+03:00")


def test_calendar_time_is_plain_timedelta() -> None:
    start = at("2025-10-30T23:50:00+03:00")
    assert CALENDAR_TIME.add(start, timedelta(minutes=30)) == at("2025-10-31T00:20:00+03:00")
    assert CALENDAR_TIME.between(start, at("2025-10-31T00:20:00+03:00")) == timedelta(minutes=30)


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        # 7 working days after an interim answer on 30 Oct: end of 11 Nov (1 Nov works).
        ("2025-10-30T15:00:00+03:00", 7, "2025-11-11T18:00:00+03:00"),
        ("2025-04-29T11:00:00+03:00", 7, "2025-05-14T18:00:00+03:00"),
        ("2025-11-02T11:00:00+03:00", 1, "2025-11-05T18:00:00+03:00"),  # from a Sunday
        ("2024-04-26T23:30:00+03:00", 1, "2024-04-27T18:00:00+03:00"),  # working Saturday
        ("2024-12-27T10:00:00+03:00", 2, "2025-01-09T18:00:00+03:00"),
        ("2025-06-10T10:00:00+03:00", 1, "2025-06-11T17:00:00+03:00"),  # shortened day
    ],
)
def test_add_working_days(moscow: WorkCalendar, start: str, days: int, due: str) -> None:
    assert local(moscow, moscow.add_working_days(at(start), days)) == due


def test_working_days_between(moscow: WorkCalendar) -> None:
    assert moscow.working_days_between(date(2025, 10, 30), date(2025, 11, 11)) == 7
    assert moscow.working_days_between(date(2025, 11, 11), date(2025, 10, 30)) == -7
    assert moscow.working_days_between(date(2025, 12, 31), date(2026, 12, 31)) == 247


def test_kamchatka_counts_in_its_own_zone() -> None:
    cal = WorkCalendar("Asia/Kamchatka")
    # 15:00 in Moscow is midnight in Kamchatka (UTC+12): work starts at 09:00 there.
    due = cal.add(at("2025-10-30T15:00:00+03:00"), timedelta(hours=8))
    assert local(cal, due) == "2025-10-31T18:00:00+12:00"
    assert cal.local_date(at("2025-10-30T15:00:00+03:00")) == date(2025, 10, 31)


def test_daylight_saving_time() -> None:
    berlin = WorkCalendar("Europe/Berlin", production=ProductionCalendar())
    due = berlin.add(at("2025-03-28T17:00:00+01:00"), timedelta(hours=2))
    assert local(berlin, due) == "2025-03-31T10:00:00+02:00"
    assert berlin.between(at("2025-03-28T17:00:00+01:00"), due) == timedelta(hours=2)
    around_the_clock = WorkCalendar(
        "Europe/Berlin",
        WeeklySchedule.parse(
            {d: ["00:00-24:00"] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
        ),
        production=ProductionCalendar(weekend=frozenset()),
    )
    # 30 March 2025 has 23 hours in Berlin; 26 October 25.
    assert around_the_clock.add(at("2025-03-30T00:00:00+01:00"), timedelta(hours=24)) == at(
        "2025-03-31T01:00:00+02:00"
    )
    spring = around_the_clock.between(
        at("2025-03-30T00:00:00+01:00"), at("2025-03-31T00:00:00+02:00")
    )
    autumn = around_the_clock.between(
        at("2025-10-26T00:00:00+02:00"), at("2025-10-27T00:00:00+01:00")
    )
    assert (spring, autumn) == (timedelta(hours=23), timedelta(hours=25))


RECORDED = datetime(2025, 10, 1, tzinfo=UTC)


def test_local_holiday_override_and_history(moscow: WorkCalendar) -> None:
    closed = CalendarOverride(date(2025, 10, 31), OverrideKind.HOLIDAY, "День города", RECORDED)
    cal = moscow.with_overrides([closed])
    start = at("2025-10-30T15:00:00+03:00")
    assert local(cal, cal.add(start, timedelta(hours=6))) == "2025-11-01T12:00:00+03:00"
    # A deadline computed before the override was recorded does not move.
    before = cal.as_known_at(RECORDED - timedelta(seconds=1))
    assert local(before, before.add(start, timedelta(hours=6))) == "2025-10-31T12:00:00+03:00"


def test_override_kinds(moscow: WorkCalendar) -> None:
    overrides = [
        CalendarOverride(date(2025, 10, 31), OverrideKind.HOURS, "выездное совещание", RECORDED,
                         hours=parse_day(["10:00-12:00"])),
        CalendarOverride(date(2025, 11, 2), OverrideKind.WORKING, "субботник", RECORDED),
        CalendarOverride(date(2025, 11, 5), OverrideKind.CLOSED, "дезинфекция", RECORDED),
        CalendarOverride(date(2025, 11, 10), OverrideKind.SCHEDULE, "летний график", RECORDED,
                         schedule=WeeklySchedule.parse({"mon": ["08:00-17:00"], "tue": ["08:00-17:00"]})),
    ]  # fmt: skip
    cal = moscow.with_overrides(overrides)
    assert cal.working_minutes_on(date(2025, 10, 31)) == 120
    assert cal.hours_on(date(2025, 11, 2)) == ((540, 780), (840, 1080))
    assert not cal.is_working_day(date(2025, 11, 5))
    assert cal.hours_on(date(2025, 11, 11)) == ((480, 1020),)
    assert not cal.is_working_day(date(2025, 11, 12))  # the new schedule has no Wednesday
    assert cal.working_minutes_on(date(2025, 11, 6)) == 480  # before the new schedule


def test_latest_recorded_override_wins() -> None:
    first = CalendarOverride(date(2025, 10, 31), OverrideKind.CLOSED, "a", RECORDED)
    second = CalendarOverride(
        date(2025, 10, 31), OverrideKind.WORKING, "b", RECORDED + timedelta(days=1)
    )
    per_day, _ = apply_overrides([second, first])
    assert per_day[date(2025, 10, 31)] is second
    per_day, _ = apply_overrides([second, first], known_at=RECORDED)
    assert per_day[date(2025, 10, 31)] is first


@pytest.mark.parametrize("text", ["9-13", "13:00-09:00", "09:00-25:00", "x"])
def test_bad_intervals_are_refused(text: str) -> None:
    with pytest.raises(InvalidInput):
        parse_interval(text)


def test_overlapping_intervals_are_refused() -> None:
    with pytest.raises(InvalidInput):
        parse_day(["09:00-13:00", "12:00-18:00"])


def test_naive_datetimes_are_refused(moscow: WorkCalendar) -> None:
    with pytest.raises(InvalidInput):
        moscow.add(datetime(2025, 10, 30, 15), timedelta(hours=1))


def test_far_years_extend_the_calendar() -> None:
    cal = WorkCalendar()
    due = cal.add(at("2029-05-07T17:00:00+03:00"), timedelta(hours=2))
    assert cal.last_year >= 2029 and due > at("2029-05-07T17:00:00+03:00")
    back = cal.add(at("2024-01-09T10:00:00+03:00"), timedelta(hours=-3))
    assert local(cal, back) == "2023-12-29T16:00:00+03:00"
