"""The draft report: every check in one JSON-ready dict, and which checks block approval."""

from __future__ import annotations

import json

import pytest

from incident_bridge.checks.report import DraftChecker, check_draft
from incident_bridge.checks.spelling_lexicon import SpellingLexicon
from incident_bridge.domain.review import Check

MESSAGE = "Добрый день! Когда вывезут мусор с площадки у дома 5 на улице Мира?"
GOOD = (
    "Здравствуйте, Анна! Мусор с площадки у дома № 5 на улице Мира вывезут завтра до 10 часов. "
    "Мы проверили график вывоза и попросили регионального оператора не допускать задержек."
)
# What a regulation like Yelets' blocks on: this test's own data, not a default of the checks.
BLOCKING = frozenset({Check.GREETING, Check.SPELLING, Check.GRAMMAR, Check.COMPLETENESS})


def test_a_good_draft_passes_and_has_the_agreed_shape(checker: DraftChecker) -> None:
    report = checker.check(MESSAGE, GOOD, blocking=BLOCKING, author="Анна Кузнецова", platform="vk")
    data = report.to_dict("42")
    assert list(data) == [
        "id",
        "ok",
        "greeting",
        "spelling",
        "grammar",
        "typography",
        "completeness",
        "style",
        "screening",
        "measures",
    ]
    assert data["id"] == "42"
    assert data["greeting"] == {"ok": True}
    assert data["spelling"] == {"ok": True, "errors": []}
    assert data["grammar"] == {"ok": True, "errors": []}
    assert data["typography"] == {"ok": True, "errors": []}
    assert set(data["completeness"]) == {"ok", "questions"}
    assert set(data["style"]) == {"ok", "errors"}
    assert set(data["screening"]) == {"excluded", "reasons"}
    assert data["ok"] is report.ok
    json.dumps(data, ensure_ascii=False)


def test_offsets_point_into_the_draft(checker: DraftChecker) -> None:
    draft = "Здравствуйте! Мусор вывезут в течении недели, контейнер отремантируют."
    data = checker.check(MESSAGE, draft, blocking=BLOCKING).to_dict(1)
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
        ("Здравствуйте! Мусор вывезут согласно графика завтра до 10 часов.", "grammar"),
    ],
)
def test_each_blocking_check_fails_the_draft(
    checker: DraftChecker, draft: str, failing: str
) -> None:
    data = checker.check(MESSAGE, draft, blocking=BLOCKING).to_dict(None)
    assert data[failing]["ok"] is False
    assert data["ok"] is False


def test_typography_is_reported_but_does_not_block_unless_listed(checker: DraftChecker) -> None:
    draft = GOOD.replace("завтра", "завтра ,").replace("Мы проверили", "Мы  проверили")
    report = checker.check(MESSAGE, draft, blocking=BLOCKING)
    data = report.to_dict(None)
    assert data["grammar"]["ok"] is True
    assert data["typography"]["ok"] is False
    assert [
        (e["rule"], draft[e["start"] : e["end"]], e["suggestion"])
        for e in data["typography"]["errors"]
    ] == [
        ("space_before_punct", " ,", ","),
        ("double_space", "  ", " "),
    ]
    assert report.passed(Check.TYPOGRAPHY) is False
    assert report.ok is True
    assert checker.check(MESSAGE, draft, blocking={*BLOCKING, Check.TYPOGRAPHY}).ok is False


def test_style_is_reported_but_does_not_block_unless_listed(checker: DraftChecker) -> None:
    draft = GOOD + " Фото прилагаем. Щас всё хорошо."
    report = checker.check(MESSAGE, draft, blocking=BLOCKING)
    data = report.to_dict(None)
    rules = {e["rule"] for e in data["style"]["errors"]}
    assert {"missing_attachment", "colloquial"} <= rules
    assert data["style"]["ok"] is False
    assert data["spelling"]["ok"] is True  # colloquial words are style, not spelling
    assert report.passed(Check.STYLE) is False
    assert report.ok == (data["greeting"]["ok"] and data["completeness"]["ok"])


def test_blocking_checks_are_a_parameter(checker: DraftChecker) -> None:
    draft = GOOD + " Фото прилагаем."
    lenient = checker.check(MESSAGE, draft, blocking={Check.GREETING})
    strict = checker.check(MESSAGE, draft, blocking={Check.GREETING, Check.FORMAT})
    assert lenient.ok is True
    assert strict.ok is False
    assert strict.blocking == {Check.GREETING, Check.FORMAT}


def test_blocking_checks_may_be_named_by_their_values(lexicon: SpellingLexicon) -> None:
    draft = GOOD + " Фото прилагаем."
    report = check_draft(MESSAGE, draft, lexicon=lexicon, blocking=["greeting", "format"])
    assert report.blocking == {Check.GREETING, Check.FORMAT}
    assert all(isinstance(check, Check) for check in report.blocking)
    assert report.ok is False


def test_an_unknown_check_is_refused_with_the_known_ones(checker: DraftChecker) -> None:
    with pytest.raises(ValueError, match="Unknown check") as refused:
        checker.check(MESSAGE, GOOD, blocking={"greting", Check.SPELLING})
    assert "'greting'" in str(refused.value)
    assert all(check.value in str(refused.value) for check in Check)
    with pytest.raises(TypeError, match="collection of checks"):
        checker.check(MESSAGE, GOOD, blocking=Check.GREETING)


def test_screening_offsets_point_into_the_message(checker: DraftChecker) -> None:
    message = "Когда вывезут мусор, идиоты?"
    data = checker.check(message, GOOD, blocking=BLOCKING).to_dict(None)
    assert data["screening"] == checker.screen(message).to_dict()
    if data["screening"]["excluded"]:
        for reason in data["screening"]["reasons"]:
            assert message[reason["start"] : reason["end"]] == reason["fragment"]


def test_extra_words_and_author_reach_the_spelling_check(checker: DraftChecker) -> None:
    draft = "Здравствуйте, Зульфия! Жалобу передали в Елецводоканалсервис, сети проверены."
    data = checker.check(
        MESSAGE, draft, blocking=BLOCKING, author="Зульфия", extra_words={"Елецводоканалсервис"}
    ).to_dict(None)
    assert data["spelling"]["errors"] == []


def test_a_checker_builds_its_own_lexicon_unless_given_one(lexicon: SpellingLexicon) -> None:
    assert DraftChecker(lexicon).lexicon is lexicon
    own = DraftChecker().lexicon  # cheap: its dictionaries load on first use
    assert isinstance(own, SpellingLexicon)
    assert own is not lexicon
