"""Suggestions for a misspelt word: edit-distance candidates ranked by slip cost and frequency."""

from __future__ import annotations

import re

from incident_bridge.checks import morph
from incident_bridge.checks.spelling_lexicon import SpellingLexicon, normalise

# Particles written after a hyphen («кто-нибудь», «как-то») and apart («что ли», «если бы»).
PARTICLES_HYPHEN = ("нибудь", "либо", "то", "ка", "таки")
PARTICLES_SPACE = ("бы", "ли", "же", "ж", "б")

_ALPHABET = "абвгдежзийклмнопрстуфхцчшщъыьэюя"
_ROWS = ("йцукенгшщзхъ", "фывапролджэ", "ячсмитьбю")
# Russian-typical confusions: unstressed vowels, voicing, sibilants, -тся/-ться, сч/щ.
_PAIRS = (
    ("о", "а"), ("е", "и"), ("е", "я"), ("и", "ы"), ("э", "е"), ("ю", "у"), ("я", "а"),
    ("б", "п"), ("в", "ф"), ("г", "к"), ("д", "т"), ("ж", "ш"), ("з", "с"), ("ш", "щ"),
    ("ч", "щ"), ("ь", "ъ"), ("тся", "ться"), ("сч", "щ"), ("зч", "щ"), ("ого", "ова"),
    ("ь", ""), ("ъ", ""), ("й", "и"), ("ц", "тс"), ("е", "йе"),
)  # fmt: skip
_VOWELS = set("аеиоуыэюя")
_COMMON_ZIPF = 3.0  # in wordfreq's list: met at least once in a million words
_TYPICAL_SLIP = 0.5  # the cost of one Russian-typical slip (see _typical)


def suggest(word: str, lexicon: SpellingLexicon, limit: int = 5) -> tuple[str, ...]:
    """Likely corrections of a misspelt word, best first (~10 ms; remembered by the lexicon)."""
    return lexicon.suggestions.get((word, limit), lambda: _rank(word, lexicon, limit))


def near_miss(word: str, lexicon: SpellingLexicon) -> bool:
    """Whether ``word`` looks like a slip: one edit or two typical slips from a common word,
    one typical slip from any word but a name, or two words joined («Мывключились»).

    The named-entity model takes nearly any capitalised unknown word at a sentence's start
    for a name («Извените», «Полчатся»); a word this close to others is a misspelling first,
    while «Парголово» (near only «Девяткина»-like names or rare words) stays a name.
    """
    low = normalise(word)
    for cand, cost in _candidates(low, lexicon).items():
        if " " in cand or "-" in cand:
            return True  # «Незнаю» → «Не знаю»: both halves are words
        if morph.in_dictionary(cand) and (
            lexicon.zipf(cand) >= _COMMON_ZIPF
            or (cost <= _TYPICAL_SLIP and not morph.is_name(cand))
        ):
            return True
    return any(_joined(low[:i], low[i:], lexicon) for i in range(2, len(low) - 2))


def _joined(head: str, tail: str, lexicon: SpellingLexicon) -> bool:
    """Whether two dictionary words make ``head + tail`` (a short head only if very common)."""
    if len(head) < 3 and lexicon.zipf(head) < 5.0:
        return False
    return morph.in_dictionary(head) and morph.in_dictionary(tail)


def _candidates(low: str, lexicon: SpellingLexicon) -> dict[str, float]:
    """Strings one edit, two typical slips or a split from ``low``, with their cost."""
    cands = _splits(low, lexicon)
    for variants in (_collapse_runs(low), _edits1(low)):
        for w, cost in variants.items():
            if cost < cands.get(w, 9.0):
                cands[w] = cost
    # A second slip, but only Russian-typical ones, so the search stays small.
    for w1, c1 in list(_typical(low).items()) + list(_collapse_runs(low).items()):
        for w2, c2 in _typical(w1).items():
            if c1 + c2 < cands.get(w2, 9.0):
                cands[w2] = c1 + c2
    return cands


def _rank(word: str, lexicon: SpellingLexicon, limit: int) -> tuple[str, ...]:
    low = normalise(word)
    scored: list[tuple[float, str]] = []
    for cand, cost in _candidates(low, lexicon).items():
        if " " in cand or "-" in cand:
            freq = min(lexicon.zipf(p) for p in re.split("[ -]", cand))
        elif morph.in_dictionary(cand):
            freq = lexicon.zipf(cand) or 1.0
        else:
            continue
        scored.append((2.5 * cost - freq, cand))
    scored.sort()
    best = [c for _, c in scored if " " in c or "-" in c or not morph.is_colloquial(c)][:limit]
    return tuple(_match_case(word, c) for c in best)


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


def _splits(word: str, lexicon: SpellingLexicon) -> dict[str, float]:
    """Joined words: «ктобы» → «кто бы», «както» → «как-то», «незнаю» → «не знаю»."""
    out: dict[str, float] = {}
    for i in range(1, len(word)):
        a, b = word[:i], word[i:]
        if not (morph.in_dictionary(a) and morph.in_dictionary(b)):
            continue
        if b in PARTICLES_HYPHEN and len(a) > 1 or a == "из" and b in ("за", "под"):
            out[f"{a}-{b}"] = 0.3
        elif a == "по" and b.endswith(("ому", "ему", "ски", "цки")):
            out[f"{a}-{b}"] = 0.3  # «полюбому» → «по-любому»
        elif b in PARTICLES_SPACE and len(a) > 1 or a in ("не", "ни") and len(b) > 2:
            out[f"{a} {b}"] = 0.3
        elif min(lexicon.zipf(a), lexicon.zipf(b)) >= 4.0 and (len(a) > 1 or a in "вксуо"):
            out[f"{a} {b}"] = 0.9
    return out


def _match_case(original: str, candidate: str) -> str:
    if original[:1].isupper():
        return candidate[:1].upper() + candidate[1:]
    return candidate
