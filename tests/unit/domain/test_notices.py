"""The pure decisions of who is told what: clock alerts, significance, surge keys, the profile."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from incident_bridge.domain.deadlines import ClockState, ClockStatus
from incident_bridge.domain.errors import ConfigurationError
from incident_bridge.domain.model import Importance
from incident_bridge.domain.notices import NoticeKind, clock_alerts, significance, surge_key
from incident_bridge.domain.profile_loader import load_profile
from incident_bridge.domain.regulations import Basis, Escalation
from incident_bridge.domain.workflow import Role

RULE = Escalation(warn_before={"*": 60, "route": 15}, keywords=("авари", "пожар"),
                  topics=("Отключение воды",), places=("Елец",))  # fmt: skip
START = datetime(2026, 9, 1, 6, 0, tzinfo=UTC)


def _clock(name: str, state: ClockStatus, left: int | None, paused: bool = False) -> ClockState:
    return ClockState(name=name, label=name, who=Role.EXECUTOR, state=state,
                      basis=Basis.WORKING, started_at=START, due_at=START, paused=paused,
                      left_minutes=left)  # fmt: skip


def test_a_clock_is_warned_within_its_lead_and_told_when_past_due() -> None:
    clocks = [
        _clock("draft", ClockStatus.DUE_SOON, 60),  # the lead itself: warned
        _clock("route", ClockStatus.ON_TIME, 20),  # route's lead is 15: not yet
        _clock("review", ClockStatus.OVERDUE, -5),
        _clock("total", ClockStatus.ON_TIME, 30, paused=True),  # paused: never
        _clock("rework", ClockStatus.MET, 10),  # finished: never
    ]
    assert [(a.clock.name, a.kind) for a in clock_alerts(clocks, RULE)] == [
        ("draft", NoticeKind.DUE_SOON), ("review", NoticeKind.OVERDUE),
    ]  # fmt: skip
    no_warning = Escalation(warn_before={"*": 0})
    assert clock_alerts([_clock("draft", ClockStatus.DUE_SOON, 1)], no_warning) == []


def test_the_same_run_of_a_clock_has_the_same_key_and_a_new_run_another() -> None:
    first = clock_alerts([_clock("draft", ClockStatus.OVERDUE, -1)], RULE)[0]
    again = clock_alerts([_clock("draft", ClockStatus.OVERDUE, -30)], RULE)[0]
    assert first.key == again.key
    later = ClockState("draft", "draft", Role.EXECUTOR, ClockStatus.OVERDUE, Basis.WORKING,
                       started_at=datetime(2026, 9, 2, tzinfo=UTC), left_minutes=-1)  # fmt: skip
    assert clock_alerts([later], RULE)[0].key != first.key


@pytest.mark.parametrize(
    ("text", "topic", "place", "importance", "why"),
    [
        ("Яма.", "Дороги", "Липецк", Importance.HIGH, "важность «Высокая»"),
        ("Яма.", "отключение воды", "Липецк", None, "тема «отключение воды»"),
        ("Яма.", "Дороги", "ЕЛЕЦ", None, "место «ЕЛЕЦ»"),
        ("На Мира АВАРИЯ водопровода", "Дороги", "Липецк", None, "ключевое слово «авари»"),
        ("Опять пожарная машина не проехала", "Дороги", "Липецк", None, "ключевое слово «пожар»"),
        ("Яма у дома 12, когда заделают?", "Дороги", "Липецк", Importance.NORMAL, None),
        ("Сварили кашу", "Дороги", "Липецк", None, None),  # «авари» only at a word's start
    ],
)
def test_significance(text, topic, place, importance, why) -> None:
    assert significance(RULE, text=text, topic=topic, place=place, importance=importance) == why


def test_a_surge_is_keyed_by_the_window_it_started_in() -> None:
    rule = Escalation(surge_minutes=120)
    a = surge_key("topic", "Вода", datetime(2026, 9, 1, 6, 0, tzinfo=UTC), rule)
    b = surge_key("topic", "вода", datetime(2026, 9, 1, 7, 59, tzinfo=UTC), rule)
    c = surge_key("topic", "вода", datetime(2026, 9, 1, 8, 0, tzinfo=UTC), rule)
    assert a == b != c


def test_every_profile_names_who_is_told_with_its_clause() -> None:
    clauses = {
        n: load_profile(n).escalation.head_clause for n in ("lipetsk", "leningrad", "sobolevo")
    }
    assert clauses == {"lipetsk": "п. 21, 22", "leningrad": "п. 14", "sobolevo": "п. 25"}
    assert load_profile("leningrad").escalation.deputy_clause == "п. 12"
    assert load_profile("yelets").escalation.lead("route") == 15


@pytest.mark.parametrize(
    ("table", "problem"),
    [
        ("warn_before = { draf = 10 }", "is not a clock"),
        ("warn_before = { draft = -1 }", "0 or more"),
        ("surge_count = 0", "1 or more"),
        ('keywords = ["", "x"]', "non-empty strings"),
        ("colour = 1", "unknown field"),
    ],
)
def test_a_broken_escalation_table_names_its_field(tmp_path, table, problem) -> None:
    (tmp_path / "mine.toml").write_text(f'extends = "yelets"\n[escalation]\n{table}\n',
                                        encoding="utf-8")  # fmt: skip
    with pytest.raises(ConfigurationError, match=problem):
        load_profile("mine", [tmp_path])
