"""The order of several bodies' parts and each part's own clock."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from incident_bridge.domain.deadlines import ClockStatus, compute_clocks, part_clocks
from incident_bridge.domain.errors import ConfigurationError, IllegalTransition
from incident_bridge.domain.events import EventKind, HistoryEvent
from incident_bridge.domain.parts import (
    PartState,
    PartStep,
    PartView,
    all_in,
    all_published,
    initial_states,
    part_transition,
    to_open,
)
from incident_bridge.domain.profile_loader import load_profile
from incident_bridge.domain.regulations import Combiner, PartsMode

OPEN, WAITING, SUBMITTED, DECLINED = (
    PartState.OPEN, PartState.WAITING, PartState.SUBMITTED, PartState.DECLINED,
)  # fmt: skip


def _views(*states: PartState) -> list[PartView]:
    return [PartView(i, s) for i, s in enumerate(states)]


def test_in_order_opens_one_part_at_a_time_at_once_opens_all():
    assert initial_states(3, PartsMode.IN_ORDER) == [OPEN, WAITING, WAITING]
    assert initial_states(2, PartsMode.AT_ONCE) == [OPEN, OPEN]
    assert to_open(_views(SUBMITTED, WAITING, WAITING), PartsMode.IN_ORDER) == [1]
    assert to_open(_views(OPEN, WAITING), PartsMode.IN_ORDER) == []
    assert to_open(_views(DECLINED, SUBMITTED, WAITING), PartsMode.IN_ORDER) == [2]
    with pytest.raises(IllegalTransition, match="не менее двух"):
        initial_states(1, PartsMode.IN_ORDER)


def test_all_in_when_every_body_sent_or_declined():
    assert all_in(_views(SUBMITTED, DECLINED))
    assert not all_in(_views(SUBMITTED, OPEN))
    assert not all_in([])


def test_a_part_moves_only_by_its_table():
    assert part_transition(OPEN, PartStep.SUBMIT) is SUBMITTED
    assert part_transition(SUBMITTED, PartStep.RETURN) is OPEN
    with pytest.raises(IllegalTransition, match="ждёт очереди"):
        part_transition(WAITING, PartStep.SUBMIT)


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 10, day, hour, minute, tzinfo=UTC)


def test_each_part_runs_its_own_working_time_clock_on_leningrad():
    profile = load_profile("leningrad")  # 8.9: 5 working hours from receipt; 09-13, 14-18 MSK
    calendar = profile.calendar()
    events = [
        HistoryEvent(EventKind.ARRIVED, _at(27, 6)),  # Monday 09:00 MSK
        HistoryEvent(EventKind.ROUTE, _at(27, 6)),
        HistoryEvent(EventKind.PART_OPENED, _at(27, 6), part=1),
        HistoryEvent(EventKind.PART_SUBMITTED, _at(27, 8), part=1),  # 11:00 MSK
        HistoryEvent(EventKind.PART_OPENED, _at(27, 8), part=2),
    ]
    clocks = part_clocks(events, profile, calendar, _at(27, 9))
    assert clocks[1].state is ClockStatus.MET
    assert clocks[1].due_at == _at(27, 12)  # 09:00 + 5 wh with the lunch hour = 15:00 MSK
    # 11:00 + 5 wh: 11-13 (2 h), 14-17 (3 h) = 17:00 MSK
    assert clocks[2].due_at == _at(27, 14) and clocks[2].running
    # The message's own «part» clock is the running part due first.
    (part,) = [c for c in compute_clocks(events, profile, calendar, _at(27, 9)) if c.name == "part"]
    assert part.due_at == _at(27, 14)


def test_a_returned_part_starts_its_clock_anew():
    profile = load_profile("lipetsk")  # cl.14: 2 hours
    calendar = profile.calendar()
    events = [
        HistoryEvent(EventKind.PART_OPENED, _at(27, 6), part=7),
        HistoryEvent(EventKind.PART_SUBMITTED, _at(27, 7), part=7),
        HistoryEvent(EventKind.PART_RETURNED, _at(27, 9), part=7),
    ]
    clock = part_clocks(events, profile, calendar, _at(27, 9, 30))[7]
    assert clock.started_at == _at(27, 9) and clock.running


def test_a_submitted_part_is_published_in_turn_and_then_is_final() -> None:
    assert part_transition(SUBMITTED, PartStep.PUBLISH) is PartState.PUBLISHED
    for step in PartStep:
        with pytest.raises(IllegalTransition, match="опубликована"):
            part_transition(PartState.PUBLISHED, step)
    with pytest.raises(IllegalTransition):
        part_transition(OPEN, PartStep.PUBLISH)  # the body has not sent it yet


def test_in_turn_the_work_ends_when_every_part_is_published_or_declined() -> None:
    published = PartState.PUBLISHED
    assert all_published(_views(published, DECLINED))
    assert all_published(_views(published, published))
    assert not all_published(_views(published, SUBMITTED))  # one still awaits consent
    assert not all_published(_views(DECLINED, DECLINED))  # nothing was published
    assert all_in(_views(published, SUBMITTED))


def test_only_leningrad_may_publish_the_parts_in_turn() -> None:
    for name, in_turn in (("leningrad", True), ("lipetsk", False), ("sobolevo", False)):
        rule = load_profile(name).parts
        assert rule is not None
        assert (Combiner.IN_TURN in rule.ways) is in_turn, name
        assert Combiner.IN_TURN not in rule.combiners


def test_a_profile_cannot_list_in_turn_as_a_writer(tmp_path) -> None:
    (tmp_path / "mine.toml").write_text(
        'extends = "leningrad"\n[parts]\nclause = "8.9"\nassign = "curator"\n'
        'combine = ["in_turn"]\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigurationError, match="publish_in_turn"):
        load_profile("mine", [tmp_path])
