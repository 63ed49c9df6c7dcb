"""A scaffold for a reply: the greeting by the author's name in the right gender form, a
paragraph to fill for each question the message asks, and the organisation's closing.

The scaffold's places to fill carry ``PLACEHOLDER``: a draft that still has one is refused
at submission, so a scaffold never reaches a citizen half-written.
"""

from __future__ import annotations

import re

from incident_bridge.checks import morph
from incident_bridge.checks.completeness_questions import extract
from incident_bridge.checks.greeting import name_gender

#: Marks each place the executor has to fill.
PLACEHOLDER = "[[ответ:"
_WORD = re.compile(r"[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?")


def addressee(author_name: str | None) -> tuple[str | None, str | None]:
    """The author's given name (and patronymic, if signed with one) and gender, as known.

    A nickname or a name the morphology does not know gives (None, None): the greeting
    then names no one rather than a wrong form.
    """
    words = _WORD.findall(author_name or "")
    given = [w for w in words if _is_given_name(w)]
    if not given:
        return None, None
    patronymic = next((w for w in words if _is_patronymic(w)), None)
    name = f"{given[0]} {patronymic}" if patronymic else given[0]
    return name, name_gender([given[0], *([patronymic] if patronymic else [])])


def greeting(author_name: str | None) -> str:
    """«Уважаемая Анна, здравствуйте!», «Уважаемый Иван Петрович, здравствуйте!» or «Здравствуйте!»."""
    name, gender = addressee(author_name)
    if name is None or gender is None:
        return "Здравствуйте!"
    respect = "Уважаемая" if gender == "femn" else "Уважаемый"
    return f"{respect} {name}, здравствуйте!"


def scaffold(message: str, author_name: str | None, closing: str) -> str:
    """The reply's skeleton: greeting, one paragraph per question, closing."""
    _, asks = extract(message)
    lines = [greeting(author_name), ""]
    if asks:
        for ask in asks:
            lines += [f"{PLACEHOLDER} {_short(ask.text)}]]", ""]
    else:
        lines += [f"{PLACEHOLDER} по существу сообщения]]", ""]
    lines.append(closing)
    return "\n".join(lines)


def has_placeholder(text: str) -> bool:
    return PLACEHOLDER in text


def _is_given_name(word: str) -> bool:
    return any(p.is_known and "Name" in p.tag.grammemes and "nomn" in p.tag
               for p in morph.parses(word.lower()))  # fmt: skip


def _is_patronymic(word: str) -> bool:
    low = word.lower()
    return low.endswith(("вич", "вна", "чна", "ична", "ьич")) or any(
        "Patr" in p.tag.grammemes for p in morph.parses(low)
    )


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
