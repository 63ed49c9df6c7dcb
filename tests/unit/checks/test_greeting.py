"""Greeting: a draft opens by greeting its author, by the right name and gender."""

from __future__ import annotations

import pytest

from incident_bridge.checks.greeting import check_greeting, name_gender

BODY = " Сообщаем, что яма на дороге заделана 12 мая."


@pytest.mark.parametrize(
    "opening",
    [
        "Здравствуйте!",
        "Здравствуйте.",
        "Здравствуйте, Анна Сергеевна!",
        "Добрый день!",
        "Добрый день, Иван!",
        "Добрый вечер!",
        "Доброе утро!",
        "Доброго времени суток!",
        "Доброго дня!",
        "Приветствуем Вас!",
        "Уважаемый Иван Петрович!",
        "Уважаемая Мария!",
        "Уважаемая Мария Ивановна Петрова!",
        "Уважаемые жители!",
        "Уважаемый житель!",
        "Анна Сергеевна, здравствуйте!",
        "Мария, добрый день!",
        "   \nЗдравствуйте!",
        "ЗДРАВСТВУЙТЕ!",
    ],
)
def test_openings_that_greet(opening: str) -> None:
    assert check_greeting(opening + BODY).ok


@pytest.mark.parametrize(
    "draft",
    [
        "Сообщаем, что яма на дороге заделана.",
        "Благодарим за обращение. Здравствуйте!",
        "Ваше обращение рассмотрено. Добрый день, Иван!",
        "Привет! Яму заделали.",
        "Уважаемый, яму заделали.",
        "",
        "В ответ на Ваше обращение сообщаем: доброго времени суток у нас не бывает.",
    ],
)
def test_no_greeting_at_the_opening(draft: str) -> None:
    result = check_greeting(draft)
    assert not result.ok
    assert result.problems


@pytest.mark.parametrize(
    ("opening", "author"),
    [
        ("Уважаемый Иван Петрович!", "Иван Петрович Сидоров"),
        ("Уважаемый Иван Петрович!", "Сидоров Иван Петрович"),
        ("Уважаемая Анна!", "Анна Кузнецова"),
        ("Добрый день, Анна Сергеевна!", "Анна Сергеевна"),
        ("Здравствуйте!", "Анна Кузнецова"),
        ("Уважаемая Александра!", "Саша"),
        ("Уважаемый Евгений!", "Женя Орлов"),
        ("Уважаемая Ольга Викторовна!", "Ольга"),
        ("Уважаемый Сидоренко!", "Сидоренко Олег"),
        ("Здравствуйте, Мария!", "Мария"),
        ("Добрый день!", "Ivan Petrov"),
    ],
)
def test_greeting_names_the_author(opening: str, author: str) -> None:
    assert check_greeting(opening + BODY, author_name=author).ok


@pytest.mark.parametrize(
    ("opening", "author"),
    [
        ("Уважаемый Иван Петрович!", "Мария Петрова"),
        ("Добрый день, Мария!", "Анна Кузнецова"),
        ("Уважаемая Ольга!", "Елена Смирнова"),
        ("Анна, здравствуйте!", "Ирина"),
    ],
)
def test_greeting_names_someone_else(opening: str, author: str) -> None:
    result = check_greeting(opening + BODY, author_name=author)
    assert not result.ok
    assert "автор" in result.problems[0]


@pytest.mark.parametrize(
    ("opening", "author"),
    [
        ("Уважаемая Иван Петрович!", "Иван Петрович"),
        ("Уважаемый Мария Ивановна!", "Мария Ивановна"),
        ("Уважаемый Мария!", None),
        ("Уважаемая Сергей!", None),
        ("Уважаемый Ольга Викторовна!", None),
        ("Уважаемая Николай!", "Николай Смирнов"),
        ("Уважаемый Анна!", "Анна"),
    ],
)
def test_respect_word_agrees_with_gender(opening: str, author: str | None) -> None:
    result = check_greeting(opening + BODY, author_name=author)
    assert not result.ok
    assert "Уважаем" in result.problems[-1]


def test_greeting_span_points_into_the_draft() -> None:
    draft = "  Добрый вечер, Анна!" + BODY
    result = check_greeting(draft)
    assert result.start is not None and result.end is not None
    assert draft[result.start : result.end] == "Добрый вечер"


@pytest.mark.parametrize(
    ("words", "gender"),
    [
        (["Иван"], "masc"),
        (["Мария"], "femn"),
        (["Петровна"], "femn"),
        (["Петрович"], "masc"),
        (["Иванова", "Ольга"], "femn"),
        (["Сидоренко"], None),
    ],
)
def test_name_gender(words: list[str], gender: str | None) -> None:
    assert name_gender(words) == gender


def test_every_reply_of_the_corpus_greets(replies: list[str]) -> None:
    assert [r[:40] for r in replies if not check_greeting(r).ok] == []
