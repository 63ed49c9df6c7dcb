"""One shared pymorphy3 analyser per process, with cached look-ups."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import pymorphy3

_analyzer: Any = None


def analyzer() -> Any:
    """Return the process-wide ``MorphAnalyzer`` (loaded on first use, ~15 MB)."""
    global _analyzer
    if _analyzer is None:
        _analyzer = pymorphy3.MorphAnalyzer(lang="ru")
    return _analyzer


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
