"""The Governor's posts watch (Leningrad cl. 7.2, 7.4): schedules counted by hand."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest

from incident_bridge.domain.errors import IllegalTransition, InvalidInput, PermissionDenied
from incident_bridge.domain.regulations import Profile, Watch
from incident_bridge.domain.watch import (
    TaskKind,
    TaskState,
    WatchAction,
    check_tick,
    normalise_url,
    require,
    schedule,
    task_state,
)
from incident_bridge.domain.workflow import Role


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _plan(profiles: Callable[[str], Profile], published: str) -> list[tuple[str, str, str]]:
    leningrad = profiles("leningrad")
    assert leningrad.watch is not None
    tasks = schedule(_at(published), leningrad.watch, leningrad.calendar())
    msk = _at("2026-01-01T00:00:00+03:00").tzinfo
    return [
        (t.kind.value, t.opens_at.astimezone(msk).strftime("%a %d %H:%M"),
         t.due_at.astimezone(msk).strftime("%a %d %H:%M"))
        for t in tasks
    ]  # fmt: skip


def test_a_monday_morning_post(profiles: Callable[[str], Profile]) -> None:
    # 2 working hours of continuous watch, then a check per 2 working hours (lunch 13–14)
    # while a check opens before Wednesday 12:00 (48 h after the continuous watch ended).
    assert _plan(profiles, "2026-03-02T10:00:00+03:00") == [
        ("continuous", "Mon 02 10:00", "Mon 02 12:00"),
        ("check", "Mon 02 12:00", "Mon 02 15:00"),
        ("check", "Mon 02 15:00", "Mon 02 17:00"),
        ("check", "Mon 02 17:00", "Tue 03 10:00"),
        ("check", "Tue 03 10:00", "Tue 03 12:00"),
        ("check", "Tue 03 12:00", "Tue 03 15:00"),
        ("check", "Tue 03 15:00", "Tue 03 17:00"),
        ("check", "Tue 03 17:00", "Wed 04 10:00"),
        ("check", "Wed 04 10:00", "Wed 04 12:00"),
    ]


def test_a_friday_afternoon_post_crosses_the_weekend(profiles: Callable[[str], Profile]) -> None:
    # The two days end on Sunday 17:00: only the check opening on Friday 17:00 falls in them,
    # and its two working hours end on Monday.
    assert _plan(profiles, "2026-03-13T15:00:00+03:00") == [
        ("continuous", "Fri 13 15:00", "Fri 13 17:00"),
        ("check", "Fri 13 17:00", "Mon 16 10:00"),
    ]


def test_a_post_watched_until_the_friday_close_has_no_checks(
    profiles: Callable[[str], Profile],
) -> None:
    assert _plan(profiles, "2026-03-13T16:00:00+03:00") == [
        ("continuous", "Fri 13 16:00", "Fri 13 18:00"),
    ]


def test_a_post_at_night_starts_at_the_next_working_minute(
    profiles: Callable[[str], Profile],
) -> None:
    plan = _plan(profiles, "2026-03-02T23:40:00+03:00")
    assert plan[0] == ("continuous", "Tue 03 09:00", "Tue 03 11:00")


def test_a_post_on_a_public_holiday(profiles: Callable[[str], Profile]) -> None:
    # 4 November 2026 (Wednesday) is a public holiday: the watch starts on Thursday 09:00.
    plan = _plan(profiles, "2026-11-04T11:00:00+03:00")
    assert plan[0] == ("continuous", "Thu 05 09:00", "Thu 05 11:00")
    assert plan[1] == ("check", "Thu 05 11:00", "Thu 05 13:00")
    # The span ends on Saturday 11:00: the last check is the one that ends at Friday's close.
    assert plan[-1] == ("check", "Fri 06 16:00", "Fri 06 18:00")
    assert len(plan) == 1 + 7


def test_a_post_on_the_shortened_pre_holiday_day(profiles: Callable[[str], Profile]) -> None:
    # 3 November 2026 closes at 17:00 (ТК РФ ст. 95), 4 November is a holiday.
    assert _plan(profiles, "2026-11-03T15:30:00+03:00") == [
        ("continuous", "Tue 03 15:30", "Thu 05 09:30"),
        ("check", "Thu 05 09:30", "Thu 05 11:30"),
        ("check", "Thu 05 11:30", "Thu 05 14:30"),
        ("check", "Thu 05 14:30", "Thu 05 16:30"),
        ("check", "Thu 05 16:30", "Fri 06 09:30"),
        ("check", "Fri 06 09:30", "Fri 06 11:30"),
        ("check", "Fri 06 11:30", "Fri 06 14:30"),
        ("check", "Fri 06 14:30", "Fri 06 16:30"),
        ("check", "Fri 06 16:30", "Mon 09 09:30"),
    ]


def test_only_the_profiles_roles_act(profiles: Callable[[str], Profile]) -> None:
    rule = profiles("leningrad").watch
    assert isinstance(rule, Watch)
    require(rule, Role.CURATOR, WatchAction.REGISTER)
    require(rule, Role.ADMIN, WatchAction.REMOVE_BODY)  # an admin stands in for the curator
    require(rule, Role.EXECUTOR, WatchAction.TICK)
    with pytest.raises(PermissionDenied, match="Куратор"):
        require(rule, Role.EXECUTOR, WatchAction.REGISTER)
    with pytest.raises(PermissionDenied, match="Исполнитель"):
        require(rule, Role.ADMIN, WatchAction.TICK)  # never for the executor's own step


def test_task_states_and_tick_refusals() -> None:
    opens, due = _at("2026-03-02T12:00:00+03:00"), _at("2026-03-02T15:00:00+03:00")
    before, during, after = (_at(f"2026-03-02T{h}:00:00+03:00") for h in ("11", "13", "16"))
    assert task_state(opens, due, None, None, before) is TaskState.UPCOMING
    assert task_state(opens, due, None, None, during) is TaskState.OPEN
    assert task_state(opens, due, None, None, after) is TaskState.OVERDUE
    assert task_state(opens, due, after, None, after) is TaskState.DONE_LATE
    assert task_state(opens, due, during, None, after) is TaskState.DONE
    assert task_state(opens, due, None, during, after) is TaskState.CANCELLED
    check_tick(TaskState.OVERDUE, "")  # late is allowed and kept as late
    for state in (TaskState.UPCOMING, TaskState.DONE, TaskState.CANCELLED):
        with pytest.raises(IllegalTransition):
            check_tick(state, "02.03.2026 12:00")


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("https://vk.com/wall-1_2", "https://vk.com/wall-1_2"),
        ("http://m.VK.com/wall-1_2/?utm_source=x#reply", "https://vk.com/wall-1_2"),
        ("https://www.t.me/gov/15", "https://t.me/gov/15"),
        ("https://vk.com/gov?w=wall-1_2&a=b", "https://vk.com/gov?a=b&w=wall-1_2"),
    ],
)
def test_post_urls_are_normalised(url: str, key: str) -> None:
    assert normalise_url(url) == key


def test_a_post_url_must_be_http() -> None:
    with pytest.raises(InvalidInput):
        normalise_url("javascript:alert(1)")
    assert TaskKind.CHECK.label
