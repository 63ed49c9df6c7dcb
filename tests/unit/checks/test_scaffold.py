"""The reply scaffold: the greeting in the author's gender, a paragraph per question, the closing."""

from __future__ import annotations

import pytest

from incident_bridge.checks.greeting import check_greeting
from incident_bridge.checks.scaffold import PLACEHOLDER, greeting, has_placeholder, scaffold

TWO = (
    "Здравствуйте! На улице Ленина яма у дома 12, когда её заделают? "
    "И почему в доме 12 третий день нет горячей воды?"
)


@pytest.mark.parametrize(
    ("author", "expected"),
    [
        ("Иван Петров", "Уважаемый Иван, здравствуйте!"),
        ("Анна Смирнова", "Уважаемая Анна, здравствуйте!"),
        ("Мария Петровна Иванова", "Уважаемая Мария Петровна, здравствуйте!"),
        ("Петров Сергей Иванович", "Уважаемый Сергей Иванович, здравствуйте!"),
        ("kotik_77", "Здравствуйте!"),  # a nickname: no name rather than a wrong one
        ("Петров", "Здравствуйте!"),  # a surname alone
        (None, "Здравствуйте!"),
    ],
)
def test_the_greeting_names_the_author_in_the_right_gender(author, expected) -> None:
    assert greeting(author) == expected
    assert check_greeting(expected, author_name=author).ok


def test_a_paragraph_to_fill_for_each_question_and_the_closing() -> None:
    text = scaffold(TWO, "Анна Смирнова", "С уважением, администрация города.")
    lines = [line for line in text.splitlines() if line]
    assert lines[0] == "Уважаемая Анна, здравствуйте!"
    assert lines[1] == f"{PLACEHOLDER} На улице Ленина яма у дома 12, когда её заделают?]]"
    assert lines[2] == f"{PLACEHOLDER} И почему в доме 12 третий день нет горячей воды?]]"
    assert lines[-1] == "С уважением, администрация города."
    assert has_placeholder(text)
    assert not has_placeholder(text.replace(PLACEHOLDER, "Ответ:"))


def test_a_message_with_no_question_gets_one_paragraph_on_its_substance() -> None:
    text = scaffold("Во дворе дома 5 сломаны качели.", None, "С уважением.")
    assert text.count(PLACEHOLDER) == 1 and "по существу сообщения" in text
