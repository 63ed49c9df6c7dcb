"""Repeat messages: which earlier message a new one repeats, and why (pure).

A message repeats an earlier one (Lipetsk п. 15, Leningrad 8.10, Sobolevo п. 18) when

- its text quotes the earlier one's number («инцидент № 2025-000123», «№ 48213»);
- or it has the same author (the same profile link) within the profile's window;
- or it is about the same place (the street its text names, in the same
  municipality) and the same topic within the window.

A quoted number beats the others (the author says which message they mean); among
the rest, the most recent earlier match wins. Every regulation's messages are
checked, whatever its profile says: ``Repeats.clause`` only decides what follows.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta


class Reason(enum.StrEnum):
    """Why a message is taken for a repeat of an earlier one."""

    QUOTES_NUMBER = "quotes_number"
    SAME_AUTHOR = "same_author"
    SAME_PLACE_TOPIC = "same_place_topic"
    MANUAL = "manual"  # a person linked it by number

    @property
    def label(self) -> str:
        """The reason in Russian, as the message's page shows it."""
        return REASON_LABELS[self]


REASON_LABELS = {
    Reason.QUOTES_NUMBER: "в тексте указан номер прежнего сообщения",
    Reason.SAME_AUTHOR: "тот же автор",
    Reason.SAME_PLACE_TOPIC: "то же место и та же тема",
    Reason.MANUAL: "связано сотрудником вручную",
}


@dataclass(frozen=True, slots=True)
class Message:
    """What the decision reads of a message (a new one, or a candidate earlier one)."""

    id: int
    number: str
    created_at: datetime
    text: str
    author_url: str | None
    municipality: str
    topic: str
    place: str | None


@dataclass(frozen=True, slots=True)
class Match:
    """The earlier message a new one repeats, and why."""

    earlier_id: int
    reason: Reason


# «№ 2025-000123», «№48213», «номер 48213», «инцидент 48213», «обращение № 12/345».
_NUMBER = re.compile(
    r"(?:№|N°|\bномер(?:ом|у|а)?\b|\bинцидент(?:ом|у|а)?\b|\bобращени[еяю]\b)\s*:?\s*№?\s*"
    r"(\d[\d\-/]{1,29}\d|\d{2,})",
    re.IGNORECASE,
)
# A street the text names: «ул. Мира», «улице Ленина», «проспекте Победы», «переулок Тихий».
_STREET = re.compile(
    r"\b(?:ул\.|улиц[аеуыой]{1,2}|просп\.|пр-т|проспект[аеу]?|пер\.|переул(?:ок|ке|ка)|"
    r"пл\.|площад[ьи]|бульвар[аеу]?|б-р|шоссе|микрорайон[аеу]?|мкр\.?)\s*"
    r"([А-ЯЁ0-9][а-яёА-ЯЁ0-9\-]+(?:\s+[А-ЯЁ][а-яё\-]+)?)",
)
#: A street's name is compared by its first letters: «Советская» and «Советской» are one street.
_STEM = 5


def quoted_numbers(text: str) -> frozenset[str]:
    """The message numbers a text quotes («№ 2025-000123» -> «2025-000123»)."""
    return frozenset(m.group(1) for m in _NUMBER.finditer(text))


def place_of(text: str) -> str | None:
    """The place a text names, as a comparable key (the street's stem), or None."""
    match = _STREET.search(text)
    if match is None:
        return None
    words = match.group(1).lower().replace("ё", "е").split()
    return " ".join(word[:_STEM] for word in words)


def author_key(url: str | None) -> str | None:
    """The author's profile link as compared: no scheme, no «www.», no trailing slash."""
    if not url:
        return None
    key = url.strip().lower().removeprefix("https://").removeprefix("http://")
    return key.removeprefix("www.").rstrip("/") or None


def decide(new: Message, candidates: Iterable[Message], window_days: int) -> Match | None:
    """The earlier message ``new`` repeats, or None (see the module's docstring).

    Only messages created before ``new`` count (the same instant: the smaller id).
    """
    since = new.created_at - timedelta(days=window_days)
    quoted = quoted_numbers(new.text)
    author = author_key(new.author_url)
    best: tuple[int, datetime, int, Reason] | None = None  # (rank, created, id, reason)
    for earlier in candidates:
        if earlier.id == new.id or (earlier.created_at, earlier.id) >= (new.created_at, new.id):
            continue
        reason = _reason(new, earlier, quoted, author, since)
        if reason is None:
            continue
        rank = 1 if reason is Reason.QUOTES_NUMBER else 0
        key = (rank, earlier.created_at, earlier.id, reason)
        if best is None or key[:3] > best[:3]:
            best = key
    return Match(best[2], best[3]) if best else None


def _reason(
    new: Message, earlier: Message, quoted: frozenset[str], author: str | None, since: datetime
) -> Reason | None:
    if earlier.number in quoted:
        return Reason.QUOTES_NUMBER
    if earlier.created_at < since:
        return None
    if author is not None and author_key(earlier.author_url) == author:
        return Reason.SAME_AUTHOR
    if (
        new.place is not None
        and earlier.place == new.place
        and earlier.municipality == new.municipality
        and _topic(earlier.topic) == _topic(new.topic)
    ):
        return Reason.SAME_PLACE_TOPIC
    return None


def _topic(topic: str) -> str:
    return " ".join(topic.lower().replace("ё", "е").split())
