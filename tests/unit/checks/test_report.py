"""The draft report: every check in one JSON-ready dict, and which checks block approval."""

from __future__ import annotations

import json

import pytest

from incident_bridge.checks.report import DEFAULT_BLOCKING, check_draft

MESSAGE = "Добрый день! Когда вывезут мусор с площадки у дома 5 на улице Мира?"
GOOD = (
    "Здравствуйте, Анна! Мусор с площадки у дома № 5 на улице Мира вывезут завтра до 10 часов. "
    "Мы проверили график вывоза и попросили регионального оператора не допускать задержек."
)


def test_a_good_draft_passes_and_has_the_agreed_shape() -> None:
    report = check_draft(MESSAGE, GOOD, author="Анна Кузнецова", platform="vk")
    data = report.to_dict("42")
    assert list(data) == [
        "id",
        "ok",
        "greeting",
        "spelling",
        "grammar",
        "completeness",
        "style",
        "screening",
    ]
    assert data["id"] == "42"
    assert data["greeting"] == {"ok": True}
    assert data["spelling"] == {"ok": True, "errors": []}
    assert data["grammar"] == {"ok": True, "errors": []}
    assert set(data["completeness"]) == {"ok", "questions"}
    assert set(data["style"]) == {"ok", "errors"}
    assert set(data["screening"]) == {"excluded", "reasons"}
    assert data["ok"] is report.ok
    json.dumps(data, ensure_ascii=False)


def test_offsets_point_into_the_draft() -> None:
    draft = "Здравствуйте! Мусор вывезут в течении недели, контейнер отремантируют."
    data = check_draft(MESSAGE, draft).to_dict(1)
    [spelling] = data["spelling"]["errors"]
    assert draft[spelling["start"] : spelling["end"]] == spelling["word"] == "отремантируют"
    assert "отремонтируют" in spelling["suggestions"]
    [grammar] = data["grammar"]["errors"]
    assert grammar["rule"] == "v_techenie"
    assert draft[grammar["start"] : grammar["end"]] == "в течении"
    assert set(grammar) == {"rule", "start", "end", "message"}
    assert data["ok"] is False


@pytest.mark.parametrize(
    ("draft", "failing"),
    [
        ("Мусор вывезут завтра до 10 часов.", "greeting"),
        ("Здравствуйте! Мусор вывезут заавтра до 10 часов.", "spelling"),
        ("Здравствуйте! Мусор вывезут завтра до 10 часов , утром.", "grammar"),
    ],
)
def test_each_blocking_check_fails_the_draft(draft: str, failing: str) -> None:
    data = check_draft(MESSAGE, draft).to_dict(None)
    assert data[failing]["ok"] is False
    assert data["ok"] is False


def test_style_is_reported_but_does_not_block_by_default() -> None:
    draft = GOOD + " Фото прилагаем. Щас всё хорошо."
    report = check_draft(MESSAGE, draft)
    data = report.to_dict(None)
    rules = {e["rule"] for e in data["style"]["errors"]}
    assert {"missing_attachment", "colloquial"} <= rules
    assert data["style"]["ok"] is False
    assert data["spelling"]["ok"] is True  # colloquial words are style, not spelling
    assert "style" not in DEFAULT_BLOCKING
    assert report.ok == (data["greeting"]["ok"] and data["completeness"]["ok"])


def test_blocking_checks_are_a_parameter() -> None:
    draft = GOOD + " Фото прилагаем."
    lenient = check_draft(MESSAGE, draft, blocking={"greeting"})
    strict = check_draft(MESSAGE, draft, blocking={"greeting", "format"})
    assert lenient.ok is True
    assert strict.ok is False
    with pytest.raises(ValueError, match="Unknown check"):
        check_draft(MESSAGE, draft, blocking={"greting"})


def test_screening_offsets_point_into_the_message() -> None:
    message = "Когда вывезут мусор, идиоты?"
    data = check_draft(message, GOOD).to_dict(None)
    if data["screening"]["excluded"]:
        for reason in data["screening"]["reasons"]:
            assert message[reason["start"] : reason["end"]] == reason["fragment"]


def test_extra_words_and_author_reach_the_spelling_check() -> None:
    draft = "Здравствуйте, Зульфия! Жалобу передали в Елецводоканалсервис, сети проверены."
    data = check_draft(
        MESSAGE, draft, author="Зульфия", extra_words={"Елецводоканалсервис"}
    ).to_dict(None)
    assert data["spelling"]["errors"] == []
