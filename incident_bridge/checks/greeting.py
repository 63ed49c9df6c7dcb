"""Greeting: the reply opens by greeting the author, by the right name and gender."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from incident_bridge.checks import morph

Gender = Literal["masc", "femn"]

# Greetings that open an official reply; «уважаемый …» is handled on its own (it needs a name).
_GREETING_RE = re.compile(
    r"(?:здравствуйте|здравствуй|добр(?:ый|ого)\s+(?:день|дня|вечер|вечера)|добр(?:ое|ого)\s+утр[оа]"
    r"|доброго\s+времени\s+суток|доброй\s+ночи|приветствуем\s+вас|приветствую\s+вас|приветствуем"
    r"|приветствую|добрый\s+день)\b",
    re.IGNORECASE,
)
_RESPECT_RE = re.compile(r"(?:уважаем|дорог)(ый|ая|ые|ой|ие)\b", re.IGNORECASE)
_NAME_WORD_RE = re.compile(r"[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?")
# What may stand before the greeting: a vocative such as «Анна Сергеевна,».
_VOCATIVE_RE = re.compile(r"(?:[А-ЯЁ][а-яё-]+\s*){1,3},\s*")
_FEMN_END = re.compile(r"(?:вна|чна|шна|ова|ева|ёва|ина|ына|ская|цкая)$")
_MASC_END = re.compile(r"(?:вич|ич|ов|ев|ёв|ин|ын|ский|цкий)$")


# Everyday forms of names people sign with in social networks, and the full name.
_FULL_NAMES = {
    "саша": "александр", "шура": "александр", "леша": "алексей", "миша": "михаил",
    "дима": "дмитрий", "сережа": "сергей", "паша": "павел", "коля": "николай", "вова": "владимир",
    "володя": "владимир", "ваня": "иван", "женя": "евгений", "юра": "юрий", "толя": "анатолий",
    "витя": "виктор", "костя": "константин", "петя": "петр", "гена": "геннадий", "слава": "вячеслав",
    "валера": "валерий", "андрюша": "андрей", "маша": "мария", "наташа": "наталья", "таня": "татьяна",
    "лена": "елена", "оля": "ольга", "света": "светлана", "катя": "екатерина", "аня": "анна",
    "надя": "надежда", "люба": "любовь", "галя": "галина", "нина": "нина", "валя": "валентина",
    "люда": "людмила", "ира": "ирина", "вика": "виктория", "настя": "анастасия", "даша": "дарья",
    "юля": "юлия", "ксюша": "ксения", "лиза": "елизавета", "зина": "зинаида", "тоня": "антонина",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class GreetingResult:
    """Whether the draft greets its author; ``problems`` are Russian explanations when not."""

    ok: bool
    greeting: str | None = None
    start: int | None = None
    end: int | None = None
    problems: list[str] = field(default_factory=list)


def check_greeting(text: str, *, author_name: str | None = None) -> GreetingResult:
    """Check that ``text`` opens with a greeting that names the author right, if it names anyone."""
    lead = len(text) - len(text.lstrip())
    head = text[lead:]
    vocative = _VOCATIVE_RE.match(head)
    found = _match_at(head, 0) or (_match_at(head, vocative.end()) if vocative else None)
    if found is None:
        return GreetingResult(ok=False, problems=["Ответ не начинается с приветствия автора."])
    start, end, respect = found
    names = _names_after(head, end) if respect else _vocative_after(head, end)
    if vocative and vocative.start() == 0 and start > 0:
        names = _NAME_WORD_RE.findall(vocative.group())
    problems = _name_problems(names, respect, author_name)
    return GreetingResult(
        ok=not problems,
        greeting=head[start:end],
        start=lead + start,
        end=lead + end,
        problems=problems,
    )


def _match_at(head: str, pos: int) -> tuple[int, int, str | None] | None:
    """A greeting starting at ``pos``: (start, end, the «уважаем-» ending if it is one)."""
    for regex in (_GREETING_RE, _RESPECT_RE):
        m = regex.match(head, pos)
        if m:
            respect = m.group(1).lower() if regex is _RESPECT_RE else None
            if (
                respect is not None
                and not _names_after(head, m.end())
                and not _addressee_after(head, m.end())
            ):
                return None
            return m.start(), m.end(), respect
    return None


def _names_after(head: str, pos: int) -> list[str]:
    """Up to three capitalised words right after «Уважаемый» (the addressee's name)."""
    m = re.match(r"(?:\s+[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?){1,3}", head[pos:])
    return m.group().split() if m else []


def _vocative_after(head: str, pos: int) -> list[str]:
    """«Добрый день, Анна Сергеевна!»: the name after a greeting, up to the punctuation."""
    m = re.match(r",\s*((?:[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?\s*){1,3})[!.,]", head[pos:])
    return m.group(1).split() if m else []


def _addressee_after(head: str, pos: int) -> bool:
    """«Уважаемый житель», «уважаемые жители»: a common noun addressee is a greeting too."""
    m = re.match(r"\s+([а-яё]+)", head[pos:])
    if m is None:
        return False
    return any(p.tag.POS == "NOUN" and "anim" in p.tag for p in morph.parses(m.group(1).lower()))


def _name_problems(names: list[str], respect: str | None, author_name: str | None) -> list[str]:
    problems: list[str] = []
    author = _NAME_WORD_RE.findall(author_name or "")
    if names and author and not all(_matches_author(n, author) for n in names):
        problems.append(
            f"В приветствии указано имя «{' '.join(names)}», а автор — «{author_name}»."
        )
    if respect in ("ый", "ой", "ая"):
        gender = name_gender(author if author and not problems else names)
        wanted = "masc" if respect in ("ый", "ой") else "femn"
        if gender is not None and gender != wanted:
            right = "Уважаемая" if gender == "femn" else "Уважаемый"
            problems.append(f"Обращение не согласовано с полом адресата: нужно «{right}».")
    return problems


def _matches_author(name: str, author: list[str]) -> bool:
    """A name word matches when the author has it, or gave no word of that kind (no patronymic)."""
    if any(_same_name(name, a) for a in author):
        return True
    kind = _name_kind(name)
    return kind is not None and all(_name_kind(a) != kind for a in author)


def _name_kind(word: str) -> str | None:
    low = word.lower()
    if low.endswith(("вич", "вна", "чна", "шна", "ична")):
        return "Patr"
    for p in morph.parses(low):
        if p.is_known and "Name" in p.tag.grammemes:
            return "Name"
    return "Surn" if _FEMN_END.search(low) or _MASC_END.search(low) else None


def _same_name(a: str, b: str) -> bool:
    la, lb = a.lower().replace("ё", "е"), b.lower().replace("ё", "е")
    if la == lb or _is_full_form(la, lb) or _is_full_form(lb, la):
        return True
    return bool(morph.lemmas(la) & morph.lemmas(lb)) and la[:3] == lb[:3]


def _is_full_form(full: str, short: str) -> bool:
    """«Александра» for «Саша», «Евгения» for «Женя» (stem of the full name, any gender)."""
    name = _FULL_NAMES.get(short)
    return name is not None and full[: len(name) - 1] == name[:-1]


def name_gender(words: list[str]) -> Gender | None:
    """Gender of a person from name, patronymic or surname (pymorphy3 Name/Patr/Surn tags)."""
    votes = {"masc": 0, "femn": 0}
    for word in words:
        low = word.lower()
        for p in morph.parses(low):
            if p.is_known and {"Name", "Patr"} & p.tag.grammemes and "nomn" in p.tag:
                if p.tag.gender in votes:
                    votes[p.tag.gender] += 2
                break
        else:
            if low.endswith(("вна", "чна", "шна")):
                votes["femn"] += 2
            elif low.endswith("вич"):
                votes["masc"] += 2
            elif _FEMN_END.search(low):
                votes["femn"] += 1
            elif _MASC_END.search(low):
                votes["masc"] += 1
    if votes["masc"] == votes["femn"]:
        return None
    return "masc" if votes["masc"] > votes["femn"] else "femn"
