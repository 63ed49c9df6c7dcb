"""Clocks derived from a message's history: start, stop, pause, cancel, tracks, states."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

from incident_bridge.domain.deadlines import (
    ClockState,
    ClockStatus,
    compute_clocks,
    format_left,
    nearest_due,
    next_due,
)
from incident_bridge.domain.events import EventKind as K
from incident_bridge.domain.events import HistoryEvent
from incident_bridge.domain.model import DraftKind as D
from incident_bridge.domain.model import Importance
from incident_bridge.domain.regulations import Basis, Profile


def at(time: str, day: str = "2025-10-30", offset: str = "+03:00") -> datetime:
    return datetime.fromisoformat(f"{day}T{time}:00{offset}")


def ev(kind: K, time: str, draft: D | None = None, **kw: object) -> HistoryEvent:
    return HistoryEvent(kind, at(time, **kw), draft_kind=draft)  # type: ignore[arg-type]


def clocks(
    profiles: Callable[[str], Profile],
    name: str,
    events: list[HistoryEvent],
    now: datetime,
    tracks: tuple[str, ...] = (),
) -> dict[str, ClockState]:
    profile = profiles(name)
    return {
        c.name: c for c in compute_clocks(events, profile, profile.calendar(), now, tracks=tracks)
    }


def local(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(at("00:00").tzinfo).strftime("%d.%m %H:%M")


def test_answer_with_one_rework(profiles: Callable[[str], Profile]) -> None:
    history = [
        ev(K.ARRIVED, "10:00"),
        ev(K.ROUTE, "10:30"),
        ev(K.SUBMIT_DRAFT, "14:00", D.ANSWER),
        ev(K.RETURN, "14:10"),
        ev(K.SUBMIT_DRAFT, "14:50", D.ANSWER),  # rework due 14:40
        ev(K.APPROVE, "15:00", D.ANSWER),
        ev(K.DELIVERED, "15:05", D.ANSWER),
    ]
    c = clocks(profiles, "yelets", history, at("16:00"))
    assert [(n, s.state) for n, s in c.items()] == [
        ("route", ClockStatus.MET),
        ("redirect", ClockStatus.CANCELLED),
        ("draft", ClockStatus.MET),
        ("review", ClockStatus.MET),
        ("rework", ClockStatus.MISSED),
        ("total", ClockStatus.MET),
        ("final_after_interim", ClockStatus.NOT_STARTED),
        ("after_clarification", ClockStatus.NOT_STARTED),
    ]
    assert (local(c["rework"].due_at), c["rework"].left_minutes) == ("30.10 14:40", -10)
    assert local(c["review"].started_at) == "30.10 14:50"  # the latest run
    assert (local(c["total"].due_at), c["total"].left_minutes) == ("31.10 10:00", 235)
    assert c["draft"].who == "executor" and c["route"].who == "operator"
    assert next_due(c.values()) is None


def test_running_states_and_next_due(profiles: Callable[[str], Profile]) -> None:
    history = [ev(K.ARRIVED, "10:00"), ev(K.ROUTE, "10:30")]
    c = clocks(profiles, "yelets", history, at("12:00"))
    # 6 wh from 10:30 with lunch 13–14: due 17:30.
    assert c["draft"].state is ClockStatus.ON_TIME and c["draft"].left_minutes == 270
    assert c["draft"].describe_left() == "осталось 4 ч 30 мин рабочего времени"
    assert local(next_due(c.values())) == "30.10 17:30"  # draft, before total (31.10 10:00)
    c = clocks(profiles, "yelets", history, at("17:00"))
    assert c["draft"].state is ClockStatus.DUE_SOON and c["draft"].left_minutes == 30
    c = clocks(profiles, "yelets", history, at("17:45"))
    assert c["draft"].state is ClockStatus.OVERDUE
    assert c["draft"].describe_left() == "просрочено на 15 мин рабочего времени"
    assert c["total"].state is ClockStatus.ON_TIME
    c = clocks(profiles, "yelets", history, at("11:05", day="2025-10-31"))
    assert c["total"].state is ClockStatus.OVERDUE and c["total"].left_minutes == -65


def test_interim_answer_starts_seven_working_days(profiles: Callable[[str], Profile]) -> None:
    history = [
        ev(K.ARRIVED, "10:00"),
        ev(K.ROUTE, "10:10"),
        ev(K.SUBMIT_DRAFT, "11:00", D.INTERIM),
        ev(K.APPROVE, "11:10", D.INTERIM),
        ev(K.DELIVERED, "11:15", D.INTERIM),
    ]
    c = clocks(profiles, "yelets", history, at("12:00"))
    assert c["total"].state is ClockStatus.MET
    final = c["final_after_interim"]
    assert final.state is ClockStatus.ON_TIME and local(final.due_at) == "11.11 18:00"
    done = [*history, ev(K.SUBMIT_DRAFT, "10:00", D.ANSWER, day="2025-11-12")]
    done += [ev(K.DELIVERED, "11:00", D.ANSWER, day="2025-11-12")]
    c = clocks(profiles, "yelets", done, at("12:00", day="2025-11-12"))
    assert c["final_after_interim"].state is ClockStatus.MISSED


def test_clarification_pauses_the_total_until_the_author_replies(
    profiles: Callable[[str], Profile],
) -> None:
    history = [
        ev(K.ARRIVED, "10:00"),
        ev(K.ROUTE, "10:30"),
        ev(K.SUBMIT_DRAFT, "11:00", D.CLARIFICATION),
        ev(K.APPROVE, "11:10", D.CLARIFICATION),
        ev(K.DELIVERED, "12:00", D.CLARIFICATION),  # 2 wh of the total used
    ]
    c = clocks(profiles, "yelets", history, at("10:00", day="2025-11-05"))
    assert c["total"].paused and c["total"].due_at is None
    assert c["total"].left_minutes == 360 and c["total"].state is ClockStatus.ON_TIME
    assert next_due(c.values()) is None
    replied = [*history, ev(K.AUTHOR_REPLIED, "15:00", day="2025-11-05")]
    c = clocks(profiles, "yelets", replied, at("15:30", day="2025-11-05"))
    assert not c["total"].paused and local(c["total"].due_at) == "06.11 12:00"
    after = c["after_clarification"]
    assert after.state is ClockStatus.ON_TIME and local(after.due_at) == "05.11 17:00"
    assert local(next_due(c.values())) == "05.11 17:00"


def test_relative_draft_waits_while_the_total_is_paused(profiles: Callable[[str], Profile]) -> None:
    history = [
        ev(K.ARRIVED, "10:00"),
        ev(K.ROUTE, "10:30"),
        ev(K.SUBMIT_DRAFT, "11:00", D.CLARIFICATION),
        ev(K.APPROVE, "11:10", D.CLARIFICATION),
        ev(K.DELIVERED, "11:20", D.CLARIFICATION),
        ev(K.AUTHOR_REPLIED, "10:00", day="2025-11-05"),
        ev(K.ROUTE, "10:05", day="2025-11-05"),
    ]
    c = clocks(profiles, "lipetsk", history[:5], at("12:00"))
    assert c["draft"].state is ClockStatus.MET and local(c["draft"].due_at) == "30.10 16:00"
    c = clocks(profiles, "lipetsk", [*history[:5], history[6]], at("12:00", day="2025-11-05"))
    assert c["draft"].paused and c["draft"].due_at is None
    c = clocks(profiles, "lipetsk", history, at("10:30", day="2025-11-05"))
    # 9 wh total, 1 h 20 min used before the pause: 7 h 40 min from 05.11 10:00.
    assert local(c["total"].due_at) == "06.11 09:40"
    assert local(c["draft"].due_at) == "05.11 14:40"  # 4 wh earlier


def test_high_importance_and_priority_tracks(profiles: Callable[[str], Profile]) -> None:
    high = [HistoryEvent(K.ARRIVED, at("10:00"), importance=Importance.HIGH)]
    c = clocks(profiles, "leningrad", high, at("11:00"))
    assert c["total"].track == "high" and local(c["total"].due_at) == "30.10 15:00"
    lowered = [*high, HistoryEvent(K.UPDATED, at("10:30"), importance=Importance.NORMAL)]
    c = clocks(profiles, "leningrad", lowered, at("11:00"))
    assert c["total"].track is None and local(c["total"].due_at) == "31.10 11:00"
    kamchatka = [HistoryEvent(K.ARRIVED, at("10:00", offset="+12:00"))]
    c = clocks(profiles, "sobolevo", kamchatka, at("11:00", offset="+12:00"), tracks=("priority",))
    assert c["total"].basis is Basis.CALENDAR
    assert c["total"].due_at == at("14:00", offset="+12:00")


def test_executor_returns_a_message_out_of_competence(profiles: Callable[[str], Profile]) -> None:
    history = [ev(K.ARRIVED, "10:00"), ev(K.ROUTE, "10:05"), ev(K.DECLINE, "10:30")]
    c = clocks(profiles, "lipetsk", history, at("10:40"))
    assert c["redirect"].state is ClockStatus.MET
    assert c["draft"].state is ClockStatus.CANCELLED
    assert c["route"].state is ClockStatus.ON_TIME  # the curator routes it again
    assert local(c["route"].due_at) == "30.10 11:00"


def test_exclusion_cancels_everything(profiles: Callable[[str], Profile]) -> None:
    history = [ev(K.ARRIVED, "10:00"), ev(K.EXCLUDE, "10:05")]
    c = clocks(profiles, "yelets", history, at("12:00"))
    assert {s.state for s in c.values()} == {ClockStatus.CANCELLED, ClockStatus.NOT_STARTED}
    assert next_due(c.values()) is None


def test_events_after_now_are_ignored(profiles: Callable[[str], Profile]) -> None:
    history = [ev(K.ARRIVED, "10:00"), ev(K.ROUTE, "10:30")]
    c = clocks(profiles, "yelets", history, at("10:15"))
    assert c["route"].state is ClockStatus.ON_TIME and c["draft"].state is ClockStatus.NOT_STARTED


@pytest.mark.parametrize(
    ("minutes", "basis", "text"),
    [
        (80, Basis.WORKING, "осталось 1 ч 20 мин рабочего времени"),
        (60, Basis.WORKING, "осталось 1 ч рабочего времени"),
        (5, Basis.CALENDAR, "осталось 5 мин"),
        (0, Basis.WORKING, "осталось 0 мин рабочего времени"),
        (-35, Basis.WORKING, "просрочено на 35 мин рабочего времени"),
        (-125, Basis.CALENDAR, "просрочено на 2 ч 5 мин"),
    ],
)
def test_format_left(minutes: int, basis: Basis, text: str) -> None:
    assert format_left(minutes, basis) == text


def test_the_queue_headlines_the_step_unless_the_whole_answer_is_due_first(
    profiles: Callable[[str], Profile],
) -> None:
    from incident_bridge.domain.deadlines import headline
    from incident_bridge.domain.workflow import Status

    early = [ev(K.ARRIVED, "10:00"), ev(K.ROUTE, "10:30")]
    c = clocks(profiles, "yelets", early, at("11:00"))
    assert headline(c.values(), Status.ROUTED).name == "draft"  # 6 wh left of 7.5 wh overall
    new = clocks(profiles, "yelets", [ev(K.ARRIVED, "10:00")], at("10:10"))
    assert headline(new.values(), Status.NEW).name == "route"  # never the redirect alternative
    late = [ev(K.ARRIVED, "10:00"), ev(K.ROUTE, "17:30")]
    c = clocks(profiles, "yelets", late, at("17:40"))
    # The draft's 6 wh end the next afternoon, the whole answer is due the next morning.
    assert headline(c.values(), Status.ROUTED).name == "total"


@pytest.mark.parametrize("name", ["yelets", "lipetsk", "leningrad", "luga", "sobolevo"])
def test_the_nearest_due_time_is_the_one_the_clocks_show(
    profiles: Callable[[str], Profile], name: str
) -> None:
    """Ingest and the deadlines job store ``nearest_due``; the pages show the clocks.

    Over random histories (any order of events, any draft kind and importance, paused,
    cancelled and stopped clocks) the two must name the same moment.
    """
    profile = profiles(name)
    calendar = profile.calendar()
    rng = random.Random(name)
    kinds, drafts = list(K), [None, *D]
    start = at("08:30", day="2025-12-26")
    for _ in range(400):
        moments = sorted(start + timedelta(minutes=rng.randint(0, 9 * 24 * 60)) for _ in range(8))
        history = [HistoryEvent(K.ARRIVED, moments[0], importance=rng.choice(list(Importance)))]
        history += [
            HistoryEvent(rng.choice(kinds), moment, draft_kind=rng.choice(drafts))
            for moment in moments[1 : rng.randint(1, 8)]
        ]
        now = start + timedelta(minutes=rng.randint(0, 12 * 24 * 60))
        tracks = ("priority",) if rng.random() < 0.2 else ()
        shown = next_due(compute_clocks(history, profile, calendar, now, tracks=tracks))
        assert nearest_due(history, profile, calendar, now, tracks=tracks) == shown, history


def test_a_clock_due_at_the_end_of_the_day_is_overdue_that_evening(
    profiles: Callable[[str], Profile],
) -> None:
    """No working time passes after 18:00, yet a clock due at 18:00 is late at 19:24."""
    history = [ev(K.ARRIVED, "17:00")]  # route: 1 wh, due 18:00
    at_six = clocks(profiles, "yelets", history, at("18:00"))["route"]
    assert at_six.state is ClockStatus.DUE_SOON and at_six.left_minutes == 0
    evening = clocks(profiles, "yelets", history, at("19:24"))["route"]
    assert evening.state is ClockStatus.OVERDUE
    assert evening.describe_left().startswith("просрочено")
