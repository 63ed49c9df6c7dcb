"""Every profile and clock: (profile, clock, start, tracks) -> due, counted by hand."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest

from incident_bridge.domain.deadlines import due_for
from incident_bridge.domain.errors import NotFound
from incident_bridge.domain.regulations import Profile

DUE = [
    # Yelets: working minutes and hours, Moscow, lunch 13–14.
    ("yelets", "route", "2025-10-30T15:00:00+03:00", (), "2025-10-30T16:00:00+03:00"),
    ("yelets", "draft", "2025-10-31T15:00:00+03:00", (), "2025-11-01T12:00:00+03:00"),  # work Sat
    ("yelets", "total", "2025-12-31T10:00:00+03:00", (), "2026-01-12T18:00:00+03:00"),
    ("yelets", "review", "2024-12-27T17:45:00+03:00", (), "2024-12-28T09:15:00+03:00"),
    ("yelets", "redirect", "2024-02-22T16:50:00+03:00", (), "2024-02-26T09:20:00+03:00"),
    ("yelets", "final_after_interim", "2025-04-29T11:00:00+03:00", (), "2025-05-14T18:00:00+03:00"),
    ("yelets", "after_clarification", "2025-06-11T16:30:00+03:00", (), "2025-06-16T10:30:00+03:00"),
    ("yelets", "rework", "2025-03-07T16:45:00+03:00", (), "2025-03-10T09:15:00+03:00"),
    # Lipetsk: calendar minutes for routing and publishing; the draft 4 wh before the total.
    ("lipetsk", "route", "2025-10-30T23:50:00+03:00", (), "2025-10-31T00:20:00+03:00"),
    ("lipetsk", "total", "2025-10-30T15:00:00+03:00", (), "2025-10-31T16:00:00+03:00"),
    ("lipetsk", "draft", "2025-10-30T15:00:00+03:00", (), "2025-10-31T11:00:00+03:00"),
    ("lipetsk", "review", "2025-10-30T17:30:00+03:00", (), "2025-10-31T09:30:00+03:00"),
    ("lipetsk", "publish", "2025-10-30T17:50:00+03:00", (), "2025-10-30T18:20:00+03:00"),
    ("lipetsk", "part", "2025-10-30T17:50:00+03:00", (), "2025-10-30T19:50:00+03:00"),
    ("lipetsk", "rework", "2024-11-01T17:30:00+03:00", (), "2024-11-02T09:30:00+03:00"),
    ("lipetsk", "redirect", "2025-10-30T17:50:00+03:00", (), "2025-10-30T18:20:00+03:00"),
    (
        "lipetsk",
        "final_after_interim",
        "2026-12-30T12:00:00+03:00",
        (),
        "2027-01-19T18:00:00+03:00",
    ),
    (
        "lipetsk",
        "after_clarification",
        "2026-04-30T16:30:00+03:00",
        (),
        "2026-05-04T10:30:00+03:00",
    ),
    # Leningrad: high importance shortens the total to 4 wh.
    ("leningrad", "total", "2024-04-26T16:00:00+03:00", ("high",), "2024-04-27T11:00:00+03:00"),
    ("leningrad", "total", "2024-04-26T16:00:00+03:00", (), "2024-04-27T17:00:00+03:00"),
    ("leningrad", "draft", "2024-04-27T15:00:00+03:00", (), "2024-05-02T11:00:00+03:00"),
    ("leningrad", "redirect", "2024-05-08T17:30:00+03:00", (), "2024-05-08T18:30:00+03:00"),
    ("leningrad", "part", "2024-11-01T16:00:00+03:00", (), "2024-11-02T12:00:00+03:00"),
    (
        "leningrad",
        "after_clarification",
        "2024-11-02T16:00:00+03:00",
        (),
        "2024-11-05T10:00:00+03:00",
    ),
    ("leningrad", "review", "2026-02-20T17:30:00+03:00", (), "2026-02-24T09:30:00+03:00"),
    ("leningrad", "rework", "2026-03-06T17:30:00+03:00", (), "2026-03-10T09:30:00+03:00"),
    ("leningrad", "publish", "2026-03-06T23:45:00+03:00", (), "2026-03-07T00:15:00+03:00"),
    (
        "leningrad",
        "final_after_interim",
        "2024-12-26T10:00:00+03:00",
        (),
        "2025-01-15T18:00:00+03:00",
    ),
    # Luga: arrives routed; rework in plain hours.
    ("luga", "draft", "2026-05-08T15:00:00+03:00", (), "2026-05-12T12:00:00+03:00"),
    ("luga", "review", "2026-05-08T16:00:00+03:00", (), "2026-05-12T10:00:00+03:00"),
    ("luga", "rework", "2026-05-08T17:30:00+03:00", (), "2026-05-08T18:30:00+03:00"),
    ("luga", "total", "2026-12-30T12:00:00+03:00", (), "2027-01-11T13:00:00+03:00"),
    ("luga", "redirect", "2026-05-08T16:50:00+03:00", (), "2026-05-08T17:20:00+03:00"),
    ("luga", "publish", "2026-05-08T16:50:00+03:00", (), "2026-05-08T17:20:00+03:00"),
    ("luga", "final_after_interim", "2026-11-02T10:00:00+03:00", (), "2026-11-12T18:00:00+03:00"),
    ("luga", "after_clarification", "2026-11-03T16:00:00+03:00", (), "2026-11-05T10:00:00+03:00"),
    # Sobolevo: Kamchatka (UTC+12); the priority track is 4 calendar hours.
    ("sobolevo", "total", "2025-10-30T15:00:00+03:00", (), "2025-10-31T18:00:00+12:00"),
    ("sobolevo", "total", "2025-10-31T10:00:00+12:00", ("priority",), "2025-10-31T14:00:00+12:00"),
    ("sobolevo", "draft", "2025-10-31T10:00:00+12:00", (), "2025-10-31T15:00:00+12:00"),
    ("sobolevo", "route", "2025-10-31T17:45:00+12:00", (), "2025-10-31T18:15:00+12:00"),
    (
        "sobolevo",
        "final_after_interim",
        "2025-10-31T17:45:00+12:00",
        (),
        "2025-11-12T18:00:00+12:00",
    ),
    ("sobolevo", "redirect", "2025-10-31T23:50:00+12:00", (), "2025-11-01T00:20:00+12:00"),
    ("sobolevo", "review", "2025-10-31T23:50:00+12:00", (), "2025-11-01T00:50:00+12:00"),
    ("sobolevo", "rework", "2025-10-31T12:30:00+12:00", (), "2025-10-31T13:30:00+12:00"),
    ("sobolevo", "publish", "2025-10-31T12:30:00+12:00", (), "2025-10-31T13:30:00+12:00"),
    ("sobolevo", "part", "2025-10-31T12:30:00+12:00", (), "2025-10-31T14:30:00+12:00"),
    (
        "sobolevo",
        "after_clarification",
        "2025-11-01T16:30:00+12:00",
        (),
        "2025-11-05T10:30:00+12:00",
    ),
]


@pytest.mark.parametrize(("profile", "clock", "start", "tracks", "due"), DUE)
def test_due(
    profiles: Callable[[str], Profile],
    profile: str,
    clock: str,
    start: str,
    tracks: tuple[str, ...],
    due: str,
) -> None:
    chosen = profiles(profile)
    calendar = chosen.calendar()
    result = due_for(chosen, calendar, clock, datetime.fromisoformat(start), tracks=tracks)
    assert result.astimezone(calendar.zone).isoformat() == due


def test_every_defined_clock_is_in_the_table(profiles: Callable[[str], Profile]) -> None:
    covered = {(p, c) for p, c, *_ in DUE}
    for name in ("yelets", "lipetsk", "leningrad", "luga", "sobolevo"):
        assert {(name, c) for c in profiles(name).clocks} - {("yelets", "part")} <= covered


@pytest.mark.parametrize(
    ("profile", "clock"),
    [("yelets", "part"), ("yelets", "publish"), ("leningrad", "route"), ("luga", "part")],
)
def test_absent_clock_says_why(
    profiles: Callable[[str], Profile], profile: str, clock: str
) -> None:
    chosen = profiles(profile)
    with pytest.raises(NotFound, match="нет срока"):
        due_for(
            chosen, chosen.calendar(), clock, datetime.fromisoformat("2025-10-30T15:00:00+03:00")
        )
