"""What a word's shape and neighbours tell the spelling check: abbreviations and names.

An abbreviation before a period («ул.», «утв.», «видеонабл.»), a mixed-case abbreviation
(«ГС-СПб», «МинЖКХ») and the capitalised word after «ул.», «пос.», «г.» or an initial
(«пос. Шушары», «Н.Ф. Тагинцев») are not misspellings, though a dictionary does not know them
and the period makes the name look like the start of a sentence.
"""

from __future__ import annotations

import re
import tomllib
from functools import cache
from importlib import resources

from incident_bridge.checks import morph
from incident_bridge.checks.spelling_lexicon import SpellingLexicon, normalise
from incident_bridge.checks.tokens import Token

_VOWELS = frozenset("аеёиоуыэюя")
# A truncation ends on a consonant («вентил.», «бульв.»): Russian cuts a word before a vowel.
_NOT_FINAL = _VOWELS | frozenset("ьъй")
_CAPITALS = re.compile(r"[А-ЯЁA-Z]{2,}")  # ГС, АБЗ, ЖКХ
# СПб (a capital run with a short tail); МинЖКХ, ЛенОблГаз, ЖилКомСервис (short syllables, each
# capitalised, after a head of two to four letters). «ОрганизЬм», «НичО», «СейчасАйгуль» are
# slips or joined words, not abbreviations.
_MIXED = re.compile(r"[А-ЯЁ]{2,}[а-яё]{1,2}|[А-ЯЁ][а-яё]{1,3}(?:[А-ЯЁ]{2,}|[А-ЯЁ][а-яё]{1,5})+")
_CAPITALISED = re.compile(r"[А-ЯЁ][а-яё]+")  # Дорстрой
_NUMBER_BEFORE = re.compile(r"\d[\s\u00a0]*$")
_COMMON = 3.5  # Zipf frequency of a word everybody writes daily («завтра», «сегодня»)


@cache
def _abbreviations() -> tuple[frozenset[str], frozenset[str]]:
    """(every built-in abbreviation, those after which a name follows), from the data file."""
    path = resources.files("incident_bridge.checks") / "data" / "abbreviations.toml"
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    before_name = frozenset(data["before_name"])
    return before_name | frozenset(data["other"]), before_name


def is_abbreviation(word: str, lexicon: SpellingLexicon) -> bool:
    """Whether ``word``, written before a period, is an abbreviation.

    A built-in one («ул», «пп», «утв»), or a truncation of a known word: four letters or more,
    ending on a consonant, the start of a dictionary or vocabulary word at least two letters
    longer («вентил» of «вентиляция»), and not a common word that lost its last vowel («завтр»).
    """
    low = normalise(word)
    known, _ = _abbreviations()
    if low in known:
        return True
    if len(low) < 4 or low[-1] in _NOT_FINAL or not low.isalpha():
        return False
    if any(lexicon.zipf(low + v) >= _COMMON for v in "аяоеиуы"):
        return False  # «завтр.», «сегодн.»: a common word that lost its ending
    return lexicon.completes(low) or morph.completes(low)


def is_mixed_case_abbreviation(word: str) -> bool:
    """«СПб», «МинЖКХ», «ГС-СПб», «АБЗ-Дорстрой»: capitals and small letters in an abbreviation.

    Hyphenated, at least one part is an abbreviation and every other is capitalised.
    """
    parts = word.split("-")
    if len(parts) == 1:
        return bool(_MIXED.fullmatch(word))
    short = [p for p in parts if _CAPITALS.fullmatch(p) or _MIXED.fullmatch(p)]
    return bool(short) and all(p in short or _CAPITALISED.fullmatch(p) for p in parts)


def names_follow(text: str, token: Token) -> bool:
    """Whether ``token``, followed by a period, announces a name: «ул.», «пос.», an initial «И.».

    «г.» after a number is a year («в 2024 г. Работы…»), after which a sentence does start.
    """
    if text[token.end : token.end + 1] != ".":
        return False
    word = token.text
    if len(word) == 1 and word.isupper():
        return True  # an initial
    low = normalise(word)
    _, before_name = _abbreviations()
    if low not in before_name:
        return False
    return not (low == "г" and _NUMBER_BEFORE.search(text[max(0, token.start - 8) : token.start]))
