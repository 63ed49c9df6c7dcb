"""Which earlier message a new one repeats, and why: the pure decision."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from incident_bridge.domain.repeats import (
    Match,
    Message,
    Reason,
    author_key,
    decide,
    place_of,
    quoted_numbers,
)

T0 = datetime(2025, 10, 1, 9, 0, tzinfo=UTC)


def message(id: int, days: float = 0, **fields: object) -> Message:
    base = Message(
        id=id,
        number=f"2025-{id:06d}",
        created_at=T0 + timedelta(days=days),
        text="Здравствуйте! На детской площадке сломаны качели.",
        author_url=f"https://vk.com/id{id}",
        municipality="Елец",
        topic="Детские площадки",
        place=None,
    )
    return replace(base, **fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        ("Я уже писал об этом (инцидент № 48213), обещали разобраться.", {"48213"}),
        (
            "Повторно обращаюсь по той же проблеме, что и в прошлый раз (№ 2025-000123).",
            {"2025-000123"},
        ),
        ("Номер обращения 77120, ответа нет", {"77120"}),
        ("Дом 12, квартира 5, уже 3 недели", set()),
    ],
)
def test_numbers_quoted_in_a_text(text: str, numbers: set[str]) -> None:
    assert quoted_numbers(text) == numbers


def test_a_place_is_the_street_a_text_names_whatever_its_case() -> None:
    assert place_of("Яма на ул. Советская у дома 3") == place_of("На улице Советской опять яма")
    assert place_of("На улице Ленина темно") != place_of("На улице Мира темно")
    assert place_of("Во дворе темно") is None


def test_an_author_is_the_profile_link_without_scheme_or_slash() -> None:
    assert author_key("https://www.instagram.com/ivan/") == author_key("http://instagram.com/ivan")
    assert author_key(None) is None


def test_a_quoted_number_beats_a_more_recent_same_author() -> None:
    quoted = message(1, days=0)
    same_author = message(2, days=5, author_url="https://vk.com/id9")
    new = message(3, days=6, author_url="https://vk.com/id9", text="Снова пишу, см. № 2025-000001.")
    assert decide(new, [quoted, same_author], 30) == Match(1, Reason.QUOTES_NUMBER)


def test_the_most_recent_earlier_match_wins() -> None:
    older = message(1, days=0, author_url="https://vk.com/id9")
    place = message(2, days=3, place="ленин")
    new = message(3, days=4, author_url="https://vk.com/id9", place="ленин")
    assert decide(new, [older, place], 30) == Match(2, Reason.SAME_PLACE_TOPIC)
    assert decide(new, [older], 30) == Match(1, Reason.SAME_AUTHOR)


def test_same_place_needs_the_same_topic_and_municipality() -> None:
    new = message(3, days=4, place="ленин")
    other_topic = message(1, place="ленин", topic="Освещение")
    other_town = message(2, place="ленин", municipality="Становое")
    assert decide(new, [other_topic, other_town], 30) is None
    assert decide(new, [message(4, place="ленин", topic="детские  ПЛОЩАДКИ")], 30) is not None


def test_author_and_place_count_within_the_window_a_quoted_number_at_any_age() -> None:
    old = message(1, days=-60, author_url="https://vk.com/id9")
    new = message(3, author_url="https://vk.com/id9")
    assert decide(new, [old], 30) is None
    assert decide(new, [old], 90) == Match(1, Reason.SAME_AUTHOR)
    quoting = replace(new, text="Ответа по № 2025-000001 так и нет.")
    assert decide(quoting, [old], 30) == Match(1, Reason.QUOTES_NUMBER)


def test_only_earlier_messages_count() -> None:
    later = message(5, days=2, author_url="https://vk.com/id9")
    new = message(3, days=1, author_url="https://vk.com/id9")
    assert decide(new, [later, new], 30) is None
    same_instant = message(2, days=1, author_url="https://vk.com/id9")
    assert decide(new, [same_instant], 30) == Match(2, Reason.SAME_AUTHOR)
