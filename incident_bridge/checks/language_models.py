"""Natasha's models, offline: named entities and syntax (slovnet) and word embeddings (navec).

The models ship inside the ``natasha`` wheel (``natasha/data``); they are read from
there without importing natasha itself. One ``LanguageModels`` per application
(the draft checker owns it), each model loaded lazily on first use, once, even
when several threads ask together; answers are remembered per instance.
"""

from __future__ import annotations

import importlib.util
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from incident_bridge.checks.caching import Lazy, Memo

EntityKind = Literal["PER", "LOC", "ORG"]

_NAVEC = "data/emb/navec_news_v1_1B_250K_300d_100q.tar"
_NER = "data/model/slovnet_ner_news_v1.tar"
_SYNTAX = "data/model/slovnet_syntax_news_v1.tar"


@dataclass(frozen=True, slots=True)
class Entity:
    """A name in the text: a person, a place or an organisation, with its span."""

    kind: EntityKind
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class SyntaxToken:
    """One token of a parsed sentence: its position (1-based), its head (0: the root), the relation."""

    index: int
    text: str
    head: int
    rel: str


def models_dir() -> Path:
    """Where the natasha wheel keeps its models (found without importing the package)."""
    spec = importlib.util.find_spec("natasha")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("The natasha package (its models) is not installed.")
    return Path(next(iter(spec.submodule_search_locations)))


class LanguageModels:
    """Named entities, syntax and embeddings for the checks; load nothing until asked."""

    def __init__(self, base: Path | None = None) -> None:
        self._base = base
        self._navec: Lazy[Any] = Lazy(self._load_navec)
        self._ner: Lazy[Any] = Lazy(self._load_ner)
        self._syntax: Lazy[Any] = Lazy(self._load_syntax)
        self._entities: Memo[str, tuple[Entity, ...]] = Memo(5_000)
        self._parses: Memo[tuple[str, ...], tuple[SyntaxToken, ...]] = Memo(20_000)
        self._vectors: Memo[str, tuple[float, ...] | None] = Memo(50_000)

    def _path(self, name: str) -> str:
        return str((self._base or models_dir()) / name)

    def _load_navec(self) -> Any:
        from navec import Navec

        navec = Navec.load(self._path(_NAVEC))
        navec.vocab.counts = None  # corpus frequencies: nothing here reads them
        return navec

    def _load_ner(self) -> Any:
        from slovnet import NER

        navec = self._navec.get()
        return _sharing_words(NER.load(self._path(_NER)).navec(navec), navec)

    def _load_syntax(self) -> Any:
        from slovnet import Syntax

        navec = self._navec.get()
        return _sharing_words(Syntax.load(self._path(_SYNTAX)).navec(navec), navec)

    def load(self) -> None:
        """Load every model now (a worker's warm-up)."""
        self._ner.get()
        self._syntax.get()

    def entities(self, text: str) -> tuple[Entity, ...]:
        """The persons, places and organisations named in ``text``."""

        def find() -> tuple[Entity, ...]:
            markup = self._ner.get()(text)
            return tuple(
                Entity(span.type, span.start, span.stop)
                for span in markup.spans
                if span.type in ("PER", "LOC", "ORG")
            )

        return self._entities.get(text, find)

    def parse(self, tokens: Sequence[str]) -> tuple[SyntaxToken, ...]:
        """The dependency tree of one sentence given as its tokens (words and punctuation)."""
        key = tuple(tokens)
        if not key:
            return ()

        def run() -> tuple[SyntaxToken, ...]:
            [markup] = list(self._syntax.get().map([list(key)]))
            return tuple(
                SyntaxToken(int(t.id), t.text, int(t.head_id), t.rel) for t in markup.tokens
            )

        return self._parses.get(key, run)

    def vector(self, word: str) -> tuple[float, ...] | None:
        """The embedding of a lower-case word, or None when navec does not know it."""

        def look() -> tuple[float, ...] | None:
            navec = self._navec.get()
            if word not in navec:
                return None
            return tuple(float(x) for x in navec[word])

        return self._vectors.get(word, look)

    def similarity(self, a: str, b: str) -> float | None:
        """Cosine similarity of two words' embeddings (None when either is unknown)."""
        va, vb = self.vector(a), self.vector(b)
        if va is None or vb is None:
            return None
        dot = sum(x * y for x, y in zip(va, vb, strict=True))
        norm = math.sqrt(sum(x * x for x in va)) * math.sqrt(sum(y * y for y in vb))
        return dot / norm if norm else None


def _sharing_words(model: Any, navec: Any) -> Any:
    """``model`` with its word vocabulary replaced by navec's own, when they are the same.

    Each slovnet model ships its own copy of navec's 250,000 words (a list and a dict,
    ~45 MB each); a worker that loads both models and navec would hold three. They are
    checked to be the very same list first, so a model with other words keeps its own.
    """
    words = model.infer.encoder.words_vocab
    own = navec.vocab
    if words.items == own.words and (words.unk_id, words.pad_id) == (own.unk_id, own.pad_id):
        words.items, words.item_ids = own.words, own.word_ids
    return model
