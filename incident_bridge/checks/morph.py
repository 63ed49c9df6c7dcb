"""One shared pymorphy3 analyser per process, with cached look-ups."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import pymorphy3

from incident_bridge.checks.caching import Lazy

# Immutable package data, so one per process; pymorphy3 is untyped, hence Any.
_analyzer: Lazy[Any] = Lazy(lambda: pymorphy3.MorphAnalyzer(lang="ru"))


def analyzer() -> Any:
    """Return the process-wide ``MorphAnalyzer`` (loaded on first use, ~15 MB)."""
    return _analyzer.get()


@lru_cache(maxsize=200_000)
def parses(word: str) -> tuple[Any, ...]:
    """All pymorphy3 parses of a lower-cased word."""
    return tuple(analyzer().parse(word))


@lru_cache(maxsize=200_000)
def is_known(word: str) -> bool:
    """Whether the dictionary knows ``word`` (not a guess from its ending)."""
    return bool(analyzer().word_is_known(word))


@lru_cache(maxsize=200_000)
def lemma(word: str) -> str:
    """The normal form of the most probable parse of ``word``."""
    p = parses(word.lower())
    return p[0].normal_form if p else word.lower()


@lru_cache(maxsize=200_000)
def lemmas(word: str) -> frozenset[str]:
    """Every normal form ``word`` can have (homonyms included)."""
    return frozenset(p.normal_form for p in parses(word.lower())) or frozenset({word.lower()})


def inflections(lemma: str) -> frozenset[str]:
    """The forms of ``lemma`` (lower-cased) in the paradigm pymorphy3 knows or guesses for it.

    Only the parses whose normal form is ``lemma`` itself count, and only the forms that keep
    its stem: a guessed paradigm also yields comparatives and oddities («пескопосолянее»).
    """
    low = lemma.lower()
    key = low.replace("ё", "е")
    stem = key[: max(3, len(key) - 3)]
    forms: set[str] = set()
    for parse in [p for p in parses(low) if p.normal_form.replace("ё", "е") == key][:2]:
        for form in parse.lexeme:
            word = str(form.word).replace("ё", "е")
            if word.startswith(stem) and "COMP" not in form.tag.grammemes:
                forms.add(word)
    return frozenset(forms)


def completes(prefix: str) -> bool:
    """Whether a dictionary word starts with ``prefix`` and is at least two letters longer."""
    words = analyzer().dictionary.words
    return any(len(w) >= len(prefix) + 2 for w in words.iterkeys(prefix))


def in_dictionary(word: str) -> bool:
    """Whether the dictionary knows ``word``, without remembering the answer.

    The suggestion search tries ~1,000 strings a word, nearly all of them not words:
    remembering them would only push real words out of :func:`is_known`'s cache.
    """
    return bool(analyzer().word_is_known(word))


_COLLOQUIAL_TAGS = frozenset({"Infr", "Slng", "Dist"})
_NAME_TAGS = frozenset({"Name", "Surn", "Patr", "Geox", "Orgn", "Trad"})


def is_name(word: str) -> bool:
    """Whether every dictionary parse of a lower-cased word is a proper name («девяткина»)."""
    known = [p for p in parses(word) if p.is_known]
    return bool(known) and all(_NAME_TAGS & set(p.tag.grammemes) for p in known)


@lru_cache(maxsize=50_000)
def is_colloquial(word: str) -> bool:
    """Whether every dictionary parse of a lower-cased word is informal, slang or dialect."""
    known = [p for p in parses(word) if p.is_known]
    return bool(known) and all(_COLLOQUIAL_TAGS & set(p.tag.grammemes) for p in known)
