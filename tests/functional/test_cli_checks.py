"""`flask bridge check --batch IN.jsonl` through click's runner on a minimal Flask app."""

from __future__ import annotations

import json
from pathlib import Path

import click
import flask
from click.testing import CliRunner
from flask.cli import ScriptInfo

from incident_bridge.host import create_app
from tests.conftest import shared_checker


def make_app() -> flask.Flask:
    """The reference app (Yelets profile) on an in-memory database, with the shared checker."""
    config = {"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x"}
    return create_app(config, checker=shared_checker())


def invoke(*args: str, stdin: str | None = None) -> click.testing.Result:
    app = make_app()
    return CliRunner().invoke(
        app.cli,
        ["bridge", *args],
        input=stdin,
        obj=ScriptInfo(create_app=lambda: app),
        catch_exceptions=False,
    )


GOOD = {
    "id": "a1",
    "message": "Когда починят фонарь у дома 3 на улице Лесной?",
    "draft": "Здравствуйте, Ольга! Фонарь у дома № 3 на улице Лесной починили 5 марта.",
    "author": "Ольга Петрова",
    "platform": "vk",
}
BAD = {
    "id": 7,
    "message": "Когда вывезут мусор?",
    "draft": "мусор вывезут в течении недели, контейнер отремантируют.",
}


def test_batch_writes_one_report_per_line(tmp_path: Path) -> None:
    batch = tmp_path / "in.jsonl"
    batch.write_text(
        "\n".join(json.dumps(x, ensure_ascii=False) for x in (GOOD, BAD)) + "\n", encoding="utf-8"
    )
    result = invoke("check", "--batch", str(batch))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) == 2
    good, bad = (json.loads(line) for line in lines)
    assert good["id"] == "a1" and good["greeting"]["ok"] and good["spelling"]["ok"]
    assert bad["id"] == 7 and bad["ok"] is False and bad["greeting"]["ok"] is False
    assert [e["word"] for e in bad["spelling"]["errors"]] == ["отремантируют"]
    assert "в течении" in [BAD["draft"][e["start"] : e["end"]] for e in bad["grammar"]["errors"]]
    assert "Лесной" in lines[0]  # ensure_ascii=False: Cyrillic stays readable


def test_malformed_lines_never_stop_the_batch() -> None:
    lines = [
        "{not json",
        json.dumps({"id": "no-draft", "message": "Вопрос?"}),
        json.dumps(["a", "list"]),
        json.dumps({"id": "num", "message": "Вопрос?", "draft": 5}),
        "",
        json.dumps(GOOD, ensure_ascii=False),
    ]
    result = invoke("check", "--batch", "-", stdin="\n".join(lines) + "\n")
    assert result.exit_code == 0, result.output
    out = [json.loads(line) for line in result.output.splitlines()]
    assert len(out) == 5
    assert out[0]["id"] is None and "error" in out[0]
    assert out[1]["id"] == "no-draft" and "error" in out[1]
    assert "error" in out[2] and "error" in out[3]
    assert out[4]["id"] == "a1" and "error" not in out[4]


def test_blocking_option_and_organisation_words(tmp_path: Path) -> None:
    words = tmp_path / "words.txt"
    words.write_text("# organisation words\nЛесэнергосбыт\n", encoding="utf-8")
    item = dict(GOOD, draft=GOOD["draft"] + " лесэнергосбыт проверил линию, фото прилагаем.")
    batch = tmp_path / "in.jsonl"
    batch.write_text(json.dumps(item, ensure_ascii=False) + "\n", encoding="utf-8")
    report = json.loads(invoke("check", "--batch", str(batch), "--words", str(words)).output)
    assert report["spelling"]["ok"] is True
    strict = json.loads(
        invoke(
            "check", "--batch", str(batch), "--words", str(words), "--blocking", "greeting,format"
        ).output
    )
    assert strict["ok"] is False
    assert invoke("check", "--batch", str(batch), "--blocking", "nonsense").exit_code != 0
