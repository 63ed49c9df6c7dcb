"""Spelling: each word against pymorphy3 and a :class:`SpellingLexicon`, with suggestions.

Names are not misspellings: a capitalised word mid-sentence, one after «ул.», «пос.» or an
initial, and — when the language models are given — one Natasha's named-entity model finds
inside a person's, a place's or an organisation's name. Abbreviations are not either.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from incident_bridge.checks import morph
from incident_bridge.checks.language_models import Entity, LanguageModels
from incident_bridge.checks.spelling_context import (
    is_abbreviation,
    is_mixed_case_abbreviation,
    names_follow,
)
from incident_bridge.checks.spelling_lexicon import SpellingLexicon, normalise
from incident_bridge.checks.spelling_suggest import PARTICLES_SPACE, near_miss, suggest
from incident_bridge.checks.tokens import Sentence, Token, sentences

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
    models: LanguageModels | None = None,
) -> SpellingResult:
    """Flag the words of ``text`` that no dictionary knows, and colloquial words.

    ``author_name`` (the citizen's, in any case form) and ``extra_words`` (the
    organisation's dictionary) are never flagged. With ``models``, a capitalised word at a
    sentence's start that the named-entity model finds in a name is not flagged either,
    unless it is one typical slip from a common word («Извените»); the model runs only on
    the sentences that have such a word.
    """
    allowed = frozenset(normalise(w) for w in extra_words)
    author = _author_stems(author_name)
    skip = [m.span() for m in _SKIP_RE.finditer(text)]
    errors: list[SpellingError] = []
    previous: Token | None = None
    for sentence in sentences(text):
        names: tuple[Entity, ...] | None = None
        for token in sentence.tokens:
            if not any(s <= token.start < e for s, e in skip):
                first = _starts_sentence(text, token, previous)
                abbreviated = text[token.end : token.end + 1] == "."
                kind = _judge(token, first, abbreviated, allowed, author, lexicon)
                if kind == "spelling" and first and models is not None and token.text[0].isupper():
                    if names is None:
                        names = _entities(sentence, models)
                    if _named(token, names) and not near_miss(token.text, lexicon):
                        kind = None
                if kind is not None:
                    found = suggest(token.text, lexicon) if kind == "spelling" else ()
                    errors.append(SpellingError(token.text, token.start, token.end, found, kind))
            previous = token
    return SpellingResult(ok=all(e.kind != "spelling" for e in errors), errors=errors)


def _starts_sentence(text: str, token: Token, previous: Token | None) -> bool:
    """Whether a capitalised ``token`` would begin a sentence (so need not be a name)."""
    if previous is None:
        return True
    gap = text[previous.end : token.start]
    if gap.startswith(".") and names_follow(text, previous):
        return False  # «ул. Шушары», «Н.Ф. Тагинцев»
    if not any(c in gap for c in ".!?…\n"):
        return False
    # «Сидоренко Н.В. сообщила»: a surname, even at the start
    return not _INITIALS_RE.match(text, token.end)


def _entities(sentence: Sentence, models: LanguageModels) -> tuple[Entity, ...]:
    """The names Natasha finds in one sentence, with offsets into the whole text."""
    shift = sentence.start
    return tuple(
        Entity(e.kind, e.start + shift, e.end + shift) for e in models.entities(sentence.text)
    )


def _named(token: Token, names: tuple[Entity, ...]) -> bool:
    """Whether ``token`` is in a place's or an organisation's name, or in a person's full name.

    At a sentence's start the model takes almost any unknown word alone for a person
    («Полчатся»), so a person's name counts only when it goes on past the token.
    """
    return any(
        e.start <= token.start
        and token.end <= e.end
        and (e.kind != "PER" or (e.start, e.end) != (token.start, token.end))
        for e in names
    )


def _judge(
    token: Token,
    first: bool,
    abbreviated: bool,
    allowed: frozenset[str],
    author: frozenset[str],
    lexicon: SpellingLexicon,
) -> Kind | None:
    word = token.text
    if len(word) < 2 or not _CYRILLIC_RE.search(word) or _LATIN_RE.search(word):
        return None  # Latin words, digits-only, homoglyphs (the grammar check reports those)
    if any(c.isdigit() for c in word) or word.isupper() or is_mixed_case_abbreviation(word):
        return None  # «5-й», abbreviations such as ЖКХ, МКД, СПб, ГС-СПб
    low = normalise(word)
    if low in allowed or _is_author(low, author):
        return None
    if abbreviated and not morph.is_known(low) and is_abbreviation(word, lexicon):
        return None  # «ул.», «утв.», «видеонабл.»
    if "-" in low and not morph.is_known(low):
        parts = [p for p in low.split("-") if p]
        if low in lexicon.vocabulary:
            return None
        # «что-ли», «во-многом»: Hunspell joins any two words, Russian writes these apart.
        if not _wrong_hyphen(parts) and (
            lexicon.hunspell_knows(word) or all(_known_word(p, allowed, lexicon) for p in parts)
        ):
            return None
        if word[0].isupper() and not first:
            return None  # «в Усть-Ижоре»: a name
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
