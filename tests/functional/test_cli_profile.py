"""`flask bridge profile list|show`: everything a profile decides, each rule with its clause."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
import flask
import pytest
from click.testing import CliRunner
from flask.cli import ScriptInfo

from incident_bridge.domain.profile_loader import list_profiles
from incident_bridge.host import create_app
from tests.conftest import shared_checker


def make_app(**config: Any) -> flask.Flask:
    settings = {"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x", **config}
    return create_app(settings, checker=shared_checker())


def invoke(app: flask.Flask, *args: str) -> click.testing.Result:
    return CliRunner().invoke(
        app.cli, ["bridge", *args], obj=ScriptInfo(create_app=lambda: app), catch_exceptions=False
    )


@pytest.mark.parametrize("name", list_profiles())
def test_show_json_has_every_rule_of_each_profile(name: str) -> None:
    result = invoke(make_app(), "profile", "show", name, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["name"] == name
    assert {"clocks", "exclusion", "blocking", "steps", "file", "absent"} <= set(data)
    for clock in data["clocks"]:
        assert {"name", "amount", "unit", "basis", "who", "clause"} <= set(clock)
        assert clock["clause"]
    assert set(data["exclusion"]) == {"clause", "grounds"} and data["exclusion"]["grounds"]
    assert set(data["blocking"]) == {"answer", "interim", "clarification"}
    assert Path(data["file"]).is_file()


def test_show_json_answers_where_a_clause_lives() -> None:
    """A newcomer asks where Leningrad cl. 8.9 lives: the clock, its numbers and the file."""
    data = json.loads(invoke(make_app(), "profile", "show", "leningrad", "--json").output)
    [part] = [c for c in data["clocks"] if c["clause"] == "8.9"]
    assert (part["name"], part["amount"], part["unit"], part["basis"], part["who"]) == (
        "part", 5, "hours", "working", "executor"
    )  # fmt: skip
    assert "[clocks.part]" in Path(data["file"]).read_text(encoding="utf-8")


def test_yelets_says_it_has_no_exclusion_clause() -> None:
    data = json.loads(invoke(make_app(), "profile", "show", "yelets", "--json").output)
    assert data["exclusion"]["clause"] is None
    assert "основание исключения указывает сотрудник" in data["exclusion"]["grounds"]
    assert data["blocking"]["answer"] == ["greeting", "spelling", "grammar", "completeness"]
    assert "completeness" not in data["blocking"]["interim"]


def test_show_text_for_a_person() -> None:
    result = invoke(make_app(), "profile", "show", "lipetsk")
    assert result.exit_code == 0, result.output
    text = result.output
    assert "Профиль lipetsk: Администрация Липецкой области" in text
    assert "lipetsk.toml" in text
    assert "Часть ответа соисполнителя: 2 ч · Исполнитель · п. 14" in text
    assert "п. 17: Не подлежат обработке и ответу" in text
    assert "route                Направить исполнителю · Куратор · п. 6" in text


def test_list_marks_the_active_profile_and_unknown_is_an_error() -> None:
    app = make_app(INCIDENT_BRIDGE_PROFILE="sobolevo")
    listed = invoke(app, "profile", "list").output.splitlines()
    assert "* sobolevo" in [line[:10] for line in listed]
    assert len(listed) == 5
    missing = CliRunner().invoke(
        app.cli, ["bridge", "profile", "show", "atlantis"], obj=ScriptInfo(create_app=lambda: app)
    )
    assert missing.exit_code == 2 and "не найден" in missing.output


def test_a_broken_profile_stops_the_app_with_file_and_field(tmp_path: Path) -> None:
    (tmp_path / "broken.toml").write_text(
        'extends = "yelets"\n[steps]\nroute = { who = "mayor", clause = "п. 5" }\n',
        encoding="utf-8",
    )
    with pytest.raises(Exception, match=r"broken\.toml: steps\.route\.who"):
        make_app(INCIDENT_BRIDGE_PROFILE="broken", INCIDENT_BRIDGE_PROFILE_DIRS=[str(tmp_path)])
