"""Screening of incoming messages: obscene language, insults and threats exclude a message.

Regulations say such messages are neither processed nor answered; which clause says so
is the organisation's profile's business, not this package's. The result is a
recommendation with the exact fragments, so the operator sees why and can overrule it.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources
from typing import Literal

from incident_bridge.checks.morph import is_known, lemmas, parses
from incident_bridge.checks.screening_obscene import find_obscene
from incident_bridge.checks.screening_threats import find_threats
from incident_bridge.checks.tokens import Sentence, Token, sentences

ReasonKind = Literal["obscene", "insult", "threat"]

_MESSAGES: dict[str, str] = {
    "obscene": "Нецензурное выражение «{}».",
    "insult": "Оскорбительное выражение «{}».",
    "threat": "Угроза причинения вреда «{}».",
}


@dataclass(frozen=True, slots=True)
class ScreeningReason:
    """Why a message is excluded: what was found, where, and what the operator is told."""

    kind: ReasonKind
    fragment: str
    start: int
    end: int
    message: str = ""

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready view of the reason."""
        return {
            "kind": self.kind,
            "fragment": self.fragment,
            "start": self.start,
            "end": self.end,
            "message": self.message,
        }


@dataclass(frozen=True, slots=True)
class ScreeningResult:
    """The verdict on one incoming message."""

    reasons: list[ScreeningReason] = field(default_factory=list)

    @property
    def excluded(self) -> bool:
        """Whether the message is not to be processed or answered."""
        return bool(self.reasons)

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready view of the verdict."""
        return {"excluded": self.excluded, "reasons": [r.to_dict() for r in self.reasons]}


@dataclass(frozen=True, slots=True)
class Lexicon:
    """The word lists of ``data/screening_lexicon.toml``."""

    strong_insults: frozenset[str]
    weak_insults: frozenset[str]
    weak_animals: frozenset[str]
    addressees: frozenset[str]
    second_person: frozenset[str]
    harm_person: frozenset[str]
    harm_ambiguous: frozenset[str]
    harm_property: frozenset[str]
    threat_objects: frozenset[str]
    people: frozenset[str]
    body_parts: frozenset[str]
    animals: frozenset[str]
    safe_words: frozenset[str]


@cache
def lexicon() -> Lexicon:
    """The screening word lists, read once per process."""
    raw = resources.files("incident_bridge.checks").joinpath("data/screening_lexicon.toml")
    data = tomllib.loads(raw.read_text(encoding="utf-8"))
    return Lexicon(**{name: frozenset(data[name]) for name in Lexicon.__dataclass_fields__})


def screen_message(text: str) -> ScreeningResult:
    """Find obscene words, insults and threats that exclude ``text`` from processing."""
    lex = lexicon()
    sents = sentences(text)
    found: list[tuple[ReasonKind, int, int]] = []
    found += [("obscene", h.start, h.end) for h in find_obscene(text, lex.safe_words)]
    taken = [(s, e) for _, s, e in found]
    for start, end in _find_insults(text, sents, lex):
        if not any(s < end and start < e for s, e in taken):
            found.append(("insult", start, end))
    found += [("threat", s, e) for s, e in find_threats(text, sents, lex)]
    found.sort(key=lambda f: f[1])
    return ScreeningResult(
        [
            ScreeningReason(kind, text[s:e], s, e, message=_MESSAGES[kind].format(text[s:e]))
            for kind, s, e in found
        ]
    )


def _find_insults(text: str, sents: list[Sentence], lex: Lexicon) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for sent in sents:
        words = _split_compounds(sent.tokens)
        for i, (tok, compound) in enumerate(words):
            forms = _lemmas(tok.lower)
            if (
                forms & lex.strong_insults
                or (forms & lex.weak_insults and _addressed(text, words, i, compound, lex))
                or _compound_insult(tok.lower, lex)
            ):
                spans.append((tok.start, tok.end))
    return spans


@lru_cache(maxsize=50_000)
def _compound_insult(word: str, lex: Lexicon) -> bool:
    """«скотоублюдок», «свинорылый урод»: a stem and a strong insult joined by «о» or «е».

    Only a word the dictionary does not know, and only a strong insult of four letters
    or more after the joining vowel («утварь» is a word, not «у» + «тварь»).
    """
    if len(word) < 7 or is_known(word):
        return False
    for cut in range(4, len(word) - 3):
        if word[cut - 1] in "ое" and _lemmas(word[cut:]) & lex.strong_insults:
            return is_known(word[cut:])
    return False


def _split_compounds(tokens: tuple[Token, ...]) -> list[tuple[Token, Token | None]]:
    """Words with hyphen compounds («чиновники-воры») split; each part keeps its compound."""
    out: list[tuple[Token, Token | None]] = []
    for tok in tokens:
        if "-" not in tok.text:
            out.append((tok, None))
            continue
        pos = tok.start
        for part in tok.text.split("-"):
            out.append((Token(part, pos, pos + len(part)), tok))
            pos += len(part) + 1
    return out


@lru_cache(maxsize=50_000)
def _lemmas(word: str) -> frozenset[str]:
    return frozenset(lem.replace("ё", "е") for lem in lemmas(word)) | {word}


def _is_second_person(word: str, lex: Lexicon) -> bool:
    if word in lex.second_person:
        return True
    return any({"2per"} <= p.tag.grammemes or "impr" in p.tag.grammemes for p in parses(word))


def _addressed(
    text: str, words: list[tuple[Token, Token | None]], i: int, compound: Token | None, lex: Lexicon
) -> bool:
    """Whether a weak insult is aimed at the reader or at officials, not used literally."""
    tok = words[i][0]
    if compound is not None:
        parts = [w.lower for w, c in words if c is compound and w is not tok]
        if any(_lemmas(p) & lex.addressees for p in parts):
            return True
    animal = bool(_lemmas(tok.lower) & lex.weak_animals)
    near = [w.lower for w, _ in words[max(0, i - 3) : i + 4] if w is not tok]
    if any(w in lex.second_person for w in near):
        return True
    if not animal:
        # «продажные чиновники», «чиновники — воры»: the insult right next to an official.
        adjacent = [w.lower for w, _ in words[max(0, i - 1) : i + 2] if w is not tok]
        if any(_lemmas(w) & lex.addressees for w in adjacent):
            return True
    # A closing vocative: «…когда почините дорогу, козлы!» in a sentence spoken to someone.
    before = text[max(0, tok.start - 3) : tok.start]
    after = text[tok.end : tok.end + 3]
    if re.search(r"[,—–-]\s*$", before) and (i == len(words) - 1 or re.match(r"\s*[!.?…]", after)):
        return any(
            _is_second_person(w.lower, lex) or _lemmas(w.lower) & lex.addressees
            for w, _ in words
            if w is not tok
        )
    return False
