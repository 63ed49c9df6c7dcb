"""Tokenising Russian text into words and sentences with character spans."""

from __future__ import annotations

import re
from dataclasses import dataclass

# A word: letters (Cyrillic, Latin), digits, inner hyphens and apostrophes.
_WORD_RE = re.compile(r"[0-9A-Za-zА-Яа-яЁё]+(?:[-'’][0-9A-Za-zА-Яа-яЁё]+)*")
# Sentence end: . ! ? … followed by space(s) and a capital/quote/digit, or a newline.
_SENTENCE_END_RE = re.compile(r"(?<=[.!?…])[\"»)]*\s+(?=[\"«(]?[A-ZА-ЯЁ0-9])|\n+")


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


def sentences(text: str) -> list[Sentence]:
    """Split ``text`` into sentences, keeping offsets into ``text``."""
    result: list[Sentence] = []
    start = 0
    for m in _SENTENCE_END_RE.finditer(text):
        _append(result, text, start, m.start())
        start = m.end()
    _append(result, text, start, len(text))
    return result


def _append(result: list[Sentence], text: str, start: int, end: int) -> None:
    chunk = text[start:end]
    stripped = chunk.strip()
    if not stripped:
        return
    lead = len(chunk) - len(chunk.lstrip())
    s = start + lead
    e = s + len(stripped)
    result.append(Sentence(stripped, s, e, tuple(words(stripped, s))))
