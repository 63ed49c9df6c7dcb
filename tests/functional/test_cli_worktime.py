"""`flask bridge calendar hours` and `flask bridge deadline` through click's runner."""

from __future__ import annotations

import json
from pathlib import Path

import click
import flask
import pytest
from click.testing import CliRunner
from flask.cli import AppGroup, ScriptInfo

from incident_bridge.cli import worktime


def make_app(profile_dirs: list[str] | None = None) -> flask.Flask:
    app = flask.Flask(__name__)
    if profile_dirs is not None:
        app.config["INCIDENT_BRIDGE_PROFILE_DIRS"] = profile_dirs
    group = AppGroup("bridge")
    worktime.register(group)
    app.cli.add_command(group)
    return app


@pytest.fixture
def app() -> flask.Flask:
    return make_app()


def invoke(app: flask.Flask, *args: str) -> click.testing.Result:
    runner = CliRunner()
    return runner.invoke(
        app.cli, ["bridge", *args], obj=ScriptInfo(create_app=lambda: app), catch_exceptions=False
    )


@pytest.mark.parametrize(
    ("year", "days", "hours", "november"),
    [(2024, 248, 1979, (21, 167)), (2025, 247, 1972, (19, 151)), (2026, 247, 1972, (20, 159))],
)
def test_calendar_hours_json(
    app: flask.Flask, year: int, days: int, hours: int, november: tuple[int, int]
) -> None:
    result = invoke(app, "calendar", "hours", "--year", str(year), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) == {"year", "days", "hours", "months"}
    assert (data["year"], data["days"], data["hours"]) == (year, days, hours)
    assert [set(m) for m in data["months"]] == [{"month", "days", "hours"}] * 12
    assert (data["months"][10]["days"], data["months"][10]["hours"]) == november


def test_calendar_hours_table_names_the_decree(app: flask.Flask) -> None:
    result = invoke(app, "calendar", "hours", "--year", "2025")
    assert result.exit_code == 0
    assert "1972" in result.output and "№ 1335" in result.output


@pytest.mark.parametrize(
    ("args", "due"),
    [
        (["--clock", "draft", "--start", "2025-10-30T15:00:00+03:00"], "2025-10-31T12:00:00+03:00"),
        (
            ["--profile", "leningrad", "--clock", "total", "--importance", "high",
             "--start", "2024-04-26T16:00:00+03:00"],
            "2024-04-27T11:00:00+03:00",
        ),
        (
            ["--profile", "sobolevo", "--clock", "total", "--start", "2025-10-30T15:00:00+03:00"],
            "2025-10-31T18:00:00+12:00",
        ),
        (
            ["--profile", "sobolevo", "--clock", "total", "--track", "priority",
             "--start", "2025-10-31T10:00:00+12:00"],
            "2025-10-31T14:00:00+12:00",
        ),
    ],
)  # fmt: skip
def test_deadline(app: flask.Flask, args: list[str], due: str) -> None:
    result = invoke(app, "deadline", *args)
    assert result.exit_code == 0, result.output
    assert result.output.strip() == due


def test_deadline_for_a_clock_the_profile_lacks(app: flask.Flask) -> None:
    result = invoke(app, "deadline", "--clock", "part", "--start", "2025-10-30T15:00:00+03:00")
    assert result.exit_code == 2
    assert "нет срока «part»" in result.output


def test_deadline_for_an_unknown_clock(app: flask.Flask) -> None:
    result = invoke(app, "deadline", "--clock", "lunch", "--start", "2025-10-30T15:00:00+03:00")
    assert result.exit_code == 2 and "Неизвестный срок" in result.output


def test_deadline_needs_an_offset(app: flask.Flask) -> None:
    result = invoke(app, "deadline", "--clock", "draft", "--start", "2025-10-30T15:00:00")
    assert result.exit_code == 2 and "смещение от UTC" in result.output


def test_profile_directory_from_the_app_config(tmp_path: Path) -> None:
    (tmp_path / "yelets.toml").write_text(
        'extends = "yelets"\n[clocks.draft]\namount = 1\n', encoding="utf-8"
    )
    app = make_app([str(tmp_path)])
    result = invoke(app, "deadline", "--clock", "draft", "--start", "2025-10-30T15:00:00+03:00")
    assert result.output.strip() == "2025-10-30T16:00:00+03:00"
