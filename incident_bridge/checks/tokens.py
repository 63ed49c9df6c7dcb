"""Tokenising Russian text into words and sentences with character spans.

Sentences are razdel's ``sentenize`` with the abbreviations of municipal replies added:
«ул. Ленина», «пос. Южный», «утв. постановлением», «от 01.12.2025 г. № 5», «И. И. Иванов»
never end a sentence, and a line break always does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from razdel.rule import JOIN, FunctionRule
from razdel.segmenters.sentenize import RULES, SentSegmenter, SentSplitter
from razdel.segmenters.sokr import SOKRS

# A word: letters (Cyrillic, Latin), digits, inner hyphens and apostrophes.
_WORD_RE = re.compile(r"[0-9A-Za-zА-Яа-яЁё]+(?:[-'’][0-9A-Za-zА-Яа-яЁё]+)*")
_LINE_BREAKS_RE = re.compile(r"\n+")


def _wordset(words: str) -> frozenset[str]:
    """A set of words written as one space-separated string."""
    return frozenset(words.split())


# Abbreviations that stand before what they shorten («ул. Ленина», «п. 5», «утв. Постановлением»),
# so their full stop never ends a sentence, even before a capital letter. «г.» is both «город»
# and «год»: a date («в 2021 г. Работы…») is read as going on, as razdel reads it.
HEAD_ABBREVIATIONS = _wordset(
    "ул пр пр-т просп пос пгт г гор д дер с х кв корп стр обл р-н мкр м-н бульв б-р пер наб ш пл "
    "пп п ч ст абз гл утв вентил видеонабл тел им св ж.д т.е т.к т.н см ср напр зам нач"
)
# Abbreviations that end a phrase («и т. д.», «5 тыс. руб.»): before a capitalised word their
# full stop also ends the sentence (one stop does for both); before anything else it does not.
TAIL_ABBREVIATIONS = _wordset("т.д т.п др руб коп тыс млн млрд гг вв")
_JOIN: str = JOIN
_ABBREVIATIONS = HEAD_ABBREVIATIONS | TAIL_ABBREVIATIONS | frozenset(SOKRS)
# The word before a full stop: letters with inner hyphens or stops («р-н», «т.е», «ж.д»), or
# letters written right after digits («2021г»).
_LAST_WORD_RE = re.compile(r"(?<![A-Za-zА-Яа-яЁё])([A-Za-zА-Яа-яЁё]+(?:[-.][A-Za-zА-Яа-яЁё]+)*)$")
# «т. д.», «т. п.» written with a space: a pair razdel knows, not the head abbreviation «д.».
_PAIR_RE = re.compile(r"([A-Za-zА-Яа-яЁё])\s*\.\s*([A-Za-zА-Яа-яЁё])$")


@dataclass(frozen=True, slots=True)
class Token:
    """A word of the text and where it stands (``start``/``end`` are character offsets)."""

    text: str
    start: int
    end: int

    @property
    def lower(self) -> str:
        return self.text.lower().replace("ё", "е")


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence of the text with its span and its words."""

    text: str
    start: int
    end: int
    tokens: tuple[Token, ...]


def words(text: str, offset: int = 0) -> list[Token]:
    """Split ``text`` into word tokens; offsets are shifted by ``offset``."""
    return [Token(m.group(), m.start() + offset, m.end() + offset) for m in _WORD_RE.finditer(text)]


def abbreviation_before(text: str, stop: int) -> bool:
    """Whether the full stop at ``text[stop]`` closes an abbreviation, not a sentence.

    An abbreviation is a known one («ул.», «т. е.», «р-н.», «тыс.»), a single letter (an
    initial «И.», «Н.В.») or letters right after a number («2021г.»).
    """
    match = _LAST_WORD_RE.search(text, max(0, stop - 20), stop)
    if match is None:
        return False
    word = match.group(1).lower().replace("ё", "е")
    return len(word) == 1 or word in _ABBREVIATIONS or word.rsplit(".", 1)[-1] in _ABBREVIATIONS


def _municipal_abbreviation(split: Any) -> str | None:
    """razdel's rule for our head abbreviations: «пгт. Сокол», «р-н. Северный», «утв. Главой»."""
    if split.delimiter != ".":
        return None
    pair = _PAIR_RE.search(split.left)
    if pair and f"{pair.group(1)}.{pair.group(2)}".lower() in TAIL_ABBREVIATIONS:
        return None
    match = _LAST_WORD_RE.search(split.left)
    if match and match.group(1).lower().replace("ё", "е") in HEAD_ABBREVIATIONS:
        return _JOIN
    return None


# razdel looks 10 characters around a stop; «видеонабл.» and «р-н.» need a little more.
_SENTENIZE = SentSegmenter(
    split=SentSplitter(window=20), rules=[FunctionRule(_municipal_abbreviation), *RULES]
)


def sentences(text: str) -> list[Sentence]:
    """Split ``text`` into sentences, keeping offsets into ``text``."""
    return list(_sentences(text))


@lru_cache(maxsize=256)
def _sentences(text: str) -> tuple[Sentence, ...]:
    # Each check of a draft splits the same draft (and its message): split each once.
    result: list[Sentence] = []
    start = 0
    for m in [*_LINE_BREAKS_RE.finditer(text), None]:
        end = m.start() if m else len(text)
        for chunk in _SENTENIZE(text[start:end]):
            s = start + chunk.start
            stripped = chunk.text.strip()
            if stripped:
                s += len(chunk.text) - len(chunk.text.lstrip())
                result.append(Sentence(stripped, s, s + len(stripped), tuple(words(stripped, s))))
        start = m.end() if m else len(text)
    return tuple(result)
