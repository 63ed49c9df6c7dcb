"""Regulation profiles: the shipped five, validation errors, user copies."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest

from incident_bridge.domain.deadlines import due_for
from incident_bridge.domain.errors import ConfigurationError, NotFound
from incident_bridge.domain.model import DraftKind
from incident_bridge.domain.profile_loader import list_profiles, load_profile, load_profile_file
from incident_bridge.domain.regulations import CLOCK_NAMES, Basis, Profile, Term, Unit
from incident_bridge.domain.review import Check
from incident_bridge.domain.workflow import Role

START = datetime.fromisoformat("2025-10-31T15:00:00+03:00")


def test_five_profiles_ship(profiles: Callable[[str], Profile]) -> None:
    assert list_profiles() == ["leningrad", "lipetsk", "luga", "sobolevo", "yelets"]
    for name in list_profiles():
        profile = profiles(name)
        assert set(profile.clocks) | set(profile.absent) == set(CLOCK_NAMES)
        assert profile.clock("total").term.unit is Unit.HOURS


@pytest.mark.parametrize(
    ("name", "timezone", "total", "absent"),
    [
        ("yelets", "Europe/Moscow", Term(8, Unit.HOURS), {"publish", "part"}),
        ("lipetsk", "Europe/Moscow", Term(9, Unit.HOURS), set()),
        ("leningrad", "Europe/Moscow", Term(9, Unit.HOURS), {"route"}),
        ("luga", "Europe/Moscow", Term(9, Unit.HOURS), {"route", "part"}),
        ("sobolevo", "Asia/Kamchatka", Term(8, Unit.HOURS), set()),
    ],
)
def test_profile_numbers(
    profiles: Callable[[str], Profile], name: str, timezone: str, total: Term, absent: set[str]
) -> None:
    profile = profiles(name)
    assert (profile.timezone, profile.clock("total").term, set(profile.absent)) == (
        timezone,
        total,
        absent,
    )
    assert profile.clock("after_clarification").term == Term(2, Unit.HOURS)
    assert profile.clock("final_after_interim").term == Term(7, Unit.WORKING_DAYS)


def test_yelets_blocks_approval_on_its_three_checks(profiles: Callable[[str], Profile]) -> None:
    yelets = profiles("yelets")
    assert yelets.blocking_for(DraftKind.ANSWER) == {
        Check.GREETING,
        Check.SPELLING,
        Check.GRAMMAR,
        Check.COMPLETENESS,
    }
    # An interim answer or a clarification request does not answer the questions yet.
    assert yelets.blocking_for(DraftKind.INTERIM) == {Check.GREETING, Check.SPELLING, Check.GRAMMAR}
    assert Check.COMPLETENESS not in yelets.blocking_for(DraftKind.CLARIFICATION)
    assert yelets.blocking_clause == "п. 7, 8"


def test_relative_and_variant_clocks(profiles: Callable[[str], Profile]) -> None:
    assert profiles("lipetsk").clock("draft").before == "total"
    assert profiles("sobolevo").clock("draft").before == "total"
    assert profiles("leningrad").clock("total").variants["high"].term == Term(4, Unit.HOURS)
    assert profiles("sobolevo").clock("total").variants["priority"].term == Term(
        4, Unit.HOURS, Basis.CALENDAR
    )
    assert profiles("sobolevo").clock("total").variants["priority"].clause == "п. 8"


def test_yelets_total_switches_to_calendar_hours(profiles: Callable[[str], Profile]) -> None:
    yelets = profiles("yelets")
    calendar_total = yelets.with_clock("total", term=Term(8, Unit.HOURS, Basis.CALENDAR))
    due = due_for(calendar_total, yelets.calendar(), "total", START)
    assert due == datetime.fromisoformat("2025-10-31T23:00:00+03:00")
    assert due_for(yelets, yelets.calendar(), "total", START) == datetime.fromisoformat(
        "2025-11-01T15:00:00+03:00"
    )


def test_with_clock_can_add_an_absent_clock(profiles: Callable[[str], Profile]) -> None:
    yelets = profiles("yelets").with_clock("part", term=Term(2, Unit.HOURS), who=Role.EXECUTOR)
    assert "part" not in yelets.absent and yelets.clock("part").term.amount == 2
    with pytest.raises(NotFound, match="нет срока"):
        profiles("yelets").clock("part")


def test_user_directory_overrides_and_extends(tmp_path: Path) -> None:
    (tmp_path / "yelets.toml").write_text(
        'extends = "yelets"\n[clocks.draft]\namount = 4\n[clocks.part]\namount = 2\n'
        'unit = "hours"\nwho = "executor"\nclause = "распоряжение главы № 5"\n',
        encoding="utf-8",
    )
    profile = load_profile("yelets", [tmp_path])
    assert profile.clock("draft").term == Term(4, Unit.HOURS)
    assert profile.clock("part").term == Term(2, Unit.HOURS)
    assert profile.clock("route").term == Term(1, Unit.HOURS)  # inherited
    assert "yelets" in list_profiles([tmp_path])


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ('timezone = "Europe/Nowhere"', "timezone"),
        ('[clocks.draft]\nunit = "days"', "clocks.draft.unit"),
        ("[clocks.draft]\namount = -1", "clocks.draft.amount"),
        ('[clocks.draft]\nstarts = ["teleport"]', "clocks.draft.starts"),
        ('[clocks.draft]\nwho = "mayor"', "clocks.draft.who"),
        ('[clocks.draft]\nanswerable = "executor"', "clocks.draft.answerable"),
        ('[clocks.draft]\nclause = " "', "clocks.draft.clause"),
        ('[steps]\nroute = { who = "mayor", clause = "п. 5" }', "steps.route.who"),
        ('[steps.route]\nclause = ""', "steps.route.clause"),
        ('[steps]\nteleport = { who = "operator", clause = "п. 1" }', "steps.teleport"),
        ('[blocking]\nanswer = ["astrology"]', "blocking.answer"),
        ('[exclusion]\nclause = "п. 1"', "exclusion.grounds"),
        ('[clocks.draft]\nbefore = "part"', "clocks.draft.before"),
        ('[clocks.draft]\ncolour = "red"', "clocks.draft.colour"),
        ("[clocks.coffee]\namount = 1", "clocks.coffee"),
        ('[schedule]\nmon = ["18:00-09:00"]', "schedule"),
        ('checks = ["greeting"]', "checks"),
        ('[clocks.final_after_interim]\npauses = ["route"]', "clocks.final_after_interim.pauses"),
    ],
)
def test_invalid_profiles_name_file_and_field(tmp_path: Path, change: str, field: str) -> None:
    path = tmp_path / "broken.toml"
    lines = 'extends = "yelets"\n' + change + "\n"
    if change.startswith(("timezone", "checks")):
        lines = change + '\nextends = "yelets"\n'
    path.write_text(lines, encoding="utf-8")
    with pytest.raises(ConfigurationError) as info:
        load_profile_file(path)
    assert str(path) in str(info.value) and field in str(info.value)


def test_missing_clock_must_be_declared_absent(tmp_path: Path) -> None:
    source = load_profile("yelets").path
    text = Path(source).read_text(encoding="utf-8")
    text = re.sub(r"\[clocks\.part\]\nabsent = .*\n", "", text)
    path = tmp_path / "short.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigurationError, match="clocks.part: missing"):
        load_profile_file(path)


def test_unknown_profile() -> None:
    with pytest.raises(ConfigurationError, match="есть: leningrad"):
        load_profile("atlantis")


def test_profile_that_is_not_toml(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text("title = ", encoding="utf-8")
    with pytest.raises(ConfigurationError, match="bad.toml: cannot read"):
        load_profile_file(path)
