"""Spelling: each word against pymorphy3 and a :class:`SpellingLexicon`, with suggestions."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from incident_bridge.checks import morph
from incident_bridge.checks.spelling_lexicon import SpellingLexicon, normalise
from incident_bridge.checks.spelling_suggest import PARTICLES_SPACE, suggest
from incident_bridge.checks.tokens import Token, sentences

Kind = Literal["spelling", "colloquial"]


@dataclass(frozen=True, slots=True)
class SpellingError:
    """A word neither dictionary knows (or a colloquial one), with its span in the text."""

    word: str
    start: int
    end: int
    suggestions: tuple[str, ...] = ()
    kind: Kind = "spelling"


@dataclass(frozen=True, slots=True)
class SpellingResult:
    """The outcome of :func:`check_spelling`."""

    ok: bool
    errors: list[SpellingError] = field(default_factory=list)


# Spans never spell-checked: links, e-mails, @mentions and #hashtags.
_SKIP_RE = re.compile(
    r"(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|[@#][\w.]+"
    r"|\b[\w-]+\.(?:ru|рф|рус|com|org|net)\b",
    re.IGNORECASE,
)
_CYRILLIC_RE = re.compile(r"[а-яё]", re.IGNORECASE)
_LATIN_RE = re.compile(r"[a-z]", re.IGNORECASE)
_INITIALS_RE = re.compile(r"\s+[А-ЯЁ]\.\s?(?:[А-ЯЁ]\.)?")
_SURNAME_END_RE = re.compile(
    r"(?:ов|ев|ёв|ин|ын|ова|ева|ина|ына|ский|цкий|ская|цкая|енко|ук|юк|ич|ян|дзе|швили)$"
)
_SOLID_WITH_NE = frozenset({"ADJF", "ADJS", "ADVB", "PRTF", "COMP"})
# First halves of compounds written as one word («фотофиксация», «электроопора»).
_COMPOUND_PREFIXES = (
    "авиа", "авто", "агро", "аква", "анти", "аудио", "био", "вело", "вице", "видео", "водо",
    "газо", "гидро", "гипер", "гос", "интер", "интернет", "квази", "кино", "контр", "лже",
    "макро", "мало", "медиа", "мега", "меж", "метео", "мини", "микро", "много", "мото", "нано",
    "нео", "ново", "обще", "около", "полу", "пост", "противо", "псевдо", "радио", "само",
    "сверх", "слабо", "спец", "старо", "супер", "теле", "тепло", "термо", "транс", "ультра",
    "фото", "эко", "экс", "экстра", "электро", "энерго",
)  # fmt: skip
# Heads never joined by a hyphen: prepositions, negation, and prefixes written solid.
_HYPHENLESS_HEADS = frozenset({
    "в", "во", "на", "не", "ни", "с", "со", "к", "ко", "за", "из", "от", "до", "у",
    "гос", "супер", "спец", "авто", "фото", "видео", "электро", "теле", "само",
})  # fmt: skip


def check_spelling(
    text: str,
    lexicon: SpellingLexicon,
    *,
    author_name: str | None = None,
    extra_words: Iterable[str] = frozenset(),
) -> SpellingResult:
    """Flag the words of ``text`` that no dictionary knows, and colloquial words.

    ``author_name`` (the citizen's, in any case form) and ``extra_words`` (the
    organisation's dictionary) are never flagged.
    """
    allowed = frozenset(normalise(w) for w in extra_words)
    author = _author_stems(author_name)
    skip = [m.span() for m in _SKIP_RE.finditer(text)]
    errors: list[SpellingError] = []
    for sentence in sentences(text):
        previous = ""
        for i, token in enumerate(sentence.tokens):
            if not any(s <= token.start < e for s, e in skip):
                first = i == 0 or previous.endswith(".")
                if first and _INITIALS_RE.match(text, token.end):
                    first = False  # «Сидоренко Н.В. сообщила»: a surname, even at the start
                kind = _judge(token, first, allowed, author, lexicon)
                if kind is not None:
                    found = suggest(token.text, lexicon) if kind == "spelling" else ()
                    errors.append(SpellingError(token.text, token.start, token.end, found, kind))
            previous = text[token.end : token.end + 1]
    return SpellingResult(ok=all(e.kind != "spelling" for e in errors), errors=errors)


def _judge(
    token: Token,
    first: bool,
    allowed: frozenset[str],
    author: frozenset[str],
    lexicon: SpellingLexicon,
) -> Kind | None:
    word = token.text
    if len(word) < 2 or not _CYRILLIC_RE.search(word) or _LATIN_RE.search(word):
        return None  # Latin words, digits-only, homoglyphs (the grammar check reports those)
    if any(c.isdigit() for c in word) or word.isupper():
        return None  # «5-й», abbreviations such as ЖКХ, МКД
    low = normalise(word)
    if low in allowed or _is_author(low, author):
        return None
    if "-" in low and not morph.is_known(low):
        if lexicon.hunspell_knows(word):
            return None
        parts = [p for p in low.split("-") if p]
        if all(_known_word(p, allowed, lexicon) for p in parts) and not _wrong_hyphen(parts):
            return None
        return "spelling"
    if morph.is_known(low):
        # pymorphy3 over-tags a few standard words («засыплет», «чат»): the lexicon overrides.
        vocabulary = lexicon.vocabulary
        if morph.is_colloquial(low) and not (low in vocabulary or morph.lemma(low) in vocabulary):
            return "colloquial"
        return None
    if _known_word(low, allowed, lexicon) or lexicon.hunspell_knows(word):
        return None
    if word[0].isupper() and (not first or _looks_like_surname(low)):
        return None  # a capitalised word in mid-sentence is a name of a person or place
    return "spelling"


def _wrong_hyphen(parts: list[str]) -> bool:
    """«что-ли», «во-многом», «гос-службы»: a hyphen where Russian writes a space or nothing."""
    head, tail = parts[0], parts[-1]
    return tail in PARTICLES_SPACE or head in _HYPHENLESS_HEADS


def _known_word(low: str, allowed: frozenset[str], lexicon: SpellingLexicon) -> bool:
    """Whether ``low`` is a known, lexicon or compound word (no Hunspell)."""
    vocabulary = lexicon.vocabulary
    if morph.is_known(low) or low in allowed or low in vocabulary:
        return True
    if any(lem in vocabulary or lem in allowed for lem in morph.lemmas(low)):
        return True
    if low.startswith("не") and len(low) > 6 and _negatable(low[2:]):
        return True  # «непрекрасный», «неуниверсален»: written solid, unlike «не знаю»
    for prefix in _COMPOUND_PREFIXES:
        rest = low[len(prefix) :]
        if (
            low.startswith(prefix)
            and len(rest) >= 4
            and (morph.in_dictionary(rest) or rest in vocabulary)
        ):
            return True
    return False


def _negatable(rest: str) -> bool:
    known = [p for p in morph.parses(rest) if p.is_known]
    return bool(known) and all(p.tag.POS in _SOLID_WITH_NE for p in known)


def _looks_like_surname(low: str) -> bool:
    """An unknown word with a surname's ending that pymorphy3 guesses to be a surname."""
    best = morph.parses(low)[:1]
    return bool(_SURNAME_END_RE.search(low)) and bool(best) and "Surn" in best[0].tag.grammemes


def _author_stems(author_name: str | None) -> frozenset[str]:
    if not author_name:
        return frozenset()
    return frozenset(
        normalise(w)[:-2] if len(w) > 4 else normalise(w)
        for w in re.findall(r"[\w-]+", author_name)
    )


def _is_author(low: str, stems: frozenset[str]) -> bool:
    # Names inflect («Иваншину», «Марии»): match the stem plus a short ending.
    return any(low.startswith(s) and len(low) - len(s) <= 4 for s in stems)
