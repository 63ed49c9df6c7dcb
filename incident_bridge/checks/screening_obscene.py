"""Finding obscene words (мат) in citizen text, including disguised and glued spellings.

A word is obscene when an obscene root stands where a root can («на-хуй», «за-еб-али»), and
the dictionary does not know the word under a clean lemma («застрахуй», «себе»). A word
the dictionary does not know at all may be two glued together («сукаблять», «вотебать»):
it is cut where an obscene word begins, and counts when the part before it is a word
(or obscene too) and the whole is not a one-vowel slip of a clean word («карабля»,
«оскарблять»), the classic false friends of such splitting.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from incident_bridge.checks.morph import in_dictionary, is_known, parses

# A mask stands for one hidden letter: «х*й», «п!зда», «бл@».
MASK = "*"

# Latin and digit look-alikes people type to slip past filters («xуй», «6ля»).
_LOOKALIKE = str.maketrans(
    {
        "a": "а", "b": "б", "c": "с", "e": "е", "h": "х", "k": "к", "m": "м", "o": "о",
        "p": "р", "t": "т", "x": "х", "y": "у", "i": "и", "3": "з", "6": "б", "0": "о",
        "4": "ч", "$": "с", "ё": "е", "@": MASK, "#": MASK, "%": MASK, "!": MASK, "?": MASK,
        "_": MASK, "\u00ad": None, "\u200b": None, "\u200c": None, "\u200d": None, "-": None,
    }
)  # fmt: skip

_CHARS = r"0-9A-Za-zА-Яа-яЁё*@#$%\u00ad\u200b-\u200d"
# A word, allowing masks and look-alikes inside it; «!», «?», «_», «-» only between letters.
_TOKEN_RE = re.compile(rf"[{_CHARS}]+(?:[!?_\-][{_CHARS}]+)*")
# Single letters split by spaces, dots or dashes: «х у й», «б.л.я», «Б-Л-Я-Т-Ь».
_SPACED_RE = re.compile(r"(?<![\w*@])[^\W\d_](?:[ .\-_]{1,2}[^\W\d_*@]){2,}(?![\w*@])")
_LATIN_ONLY_RE = re.compile(r"^[a-z]+$")

# Prefixes under which an obscene root keeps its meaning («на-хуй», «за-еб-али», «долбо-еб»).
_PREFIX = (
    r"(?:а|ах|вы|вз|въ|вь|до|за|из|изъ|изь|на|наи|не|недо|ни|о|об|объ|обь|от|отъ|оть|"
    r"пере|по|под|подъ|подь|при|про|раз|разъ|разь|рас|с|съ|сь|у|долбо|мудо|)"
)
# Prefixes for the «еб» root: without «с», «в», «о», which would catch «себе», «веб».
_EB_PREFIX = (
    r"(?:вы|въ|вь|до|за|изъ|изь|на|не|недо|ни|от|отъ|оть|пере|по|подъ|подь|при|про|"
    r"разъ|разь|съ|сь|у|долбо|)"
)
_ROOTS = [
    rf"^{_PREFIX}ху[йеияю]",
    r"п[ие]з[дж]",
    rf"^{_EB_PREFIX}еб(?:[аеиклнсуыо]|$)",
    r"^бля(?:д|т|$)",
    r"бляд",
    r"^(?:от|)муд(?:ак|ач|ил|озв|ох|ень)",
    r"^залуп",
    r"^манд(?:а|е|у|ы|ой|ою|авош\w*|ец\w*)$",
    r"г[ао]нд[ао]н",
    r"^пид(?:[оа]р|р)",
]
_LATIN_ROOTS = re.compile(
    r"^(?:na|po|ni|o)?(?:huj|huy|hui|xyu|xuy|xui|xuj)|pi[sz]d|^bl[yj]a(?:d|t|$)|"
    r"^(?:za|u|vy|na|po|do|pro)?(?:y?eb(?:a|i|l|u)|ebat)|^mudak|^pid[oa]r|^g[ao]nd[ao]n"
)


def _maskable(pattern: str) -> str:
    """Let every Cyrillic letter of ``pattern`` also match a mask."""
    out: list[str] = []
    in_class = False
    for ch in pattern:
        if ch == "[":
            in_class = True
            out.append(ch)
        elif ch == "]":
            in_class = False
            out.append(r"\*]")
        elif "а" <= ch <= "я" and not in_class:
            out.append(f"[{ch}*]")
        else:
            out.append(ch)
    return "".join(out)


_ROOT_RES = [re.compile(_maskable(p)) for p in _ROOTS]
_PLAIN_ROOT_RES = [re.compile(p) for p in _ROOTS]
# Roots that may start the second of two glued words; a cheap test before cutting.
_INNER_ROOT_RE = re.compile(r".(?:ху[йеияю]|еб|бля|муд|залуп|манд|пид)")
# The whole obscene words that may be glued on («…блять», «…нахуй», «…ебать»): a cut
# before any other string of letters starting with a root («пер|ебазировке») is no word.
_GLUED_TAIL_RE = re.compile(
    r"(?:на|по|ни|до|за|)ху(?:й|я|ю|ем|ей|ев|ями?|ях|йн[яюиейо]\w{0,2}|ево|ета|ило)|"
    r"(?:на|за|у|вы|от|по|до|про|)еб(?:ать|ал[аио]?|ут|ет|у|ись|ан[аоыя]?|ан[ыо]?[йего]\w{0,2}|ло|"
    r"уч\w{0,3}|ырь)|бля(?:ть|дь|ди|дина|дский|)|пизд\w*|(?:от|)мудак\w{0,3}|мудил\w{0,2}|"
    r"залуп\w{0,3}|манд(?:а|у|ы|ой)|пидо?р\w{0,4}|г[ао]нд[ао]н\w{0,3}"
)
_VOWELS = "аеиоуыэюя"
_LETTERS = "абвгдежзийклмнопрстуфхцчшщъыьэюя"


@dataclass(frozen=True, slots=True)
class ObsceneHit:
    """An obscene word as it stands in the text."""

    fragment: str
    start: int
    end: int


def find_obscene(text: str, safe_words: frozenset[str]) -> list[ObsceneHit]:
    """Every obscene word of ``text``, disguised spellings included."""
    hits: list[ObsceneHit] = []
    seen: set[tuple[int, int]] = set()
    for start, end in _candidates(text):
        if (start, end) in seen:
            continue
        if _is_obscene(text[start:end], safe_words):
            seen.add((start, end))
            hits.append(ObsceneHit(text[start:end], start, end))
    return _drop_nested(hits)


def _candidates(text: str) -> Iterator[tuple[int, int]]:
    for m in _SPACED_RE.finditer(text):
        yield m.start(), m.end()
    for m in _TOKEN_RE.finditer(text):
        yield m.start(), m.end()
        if "-" in m.group():
            # A hyphenated compound («чиновники-мудаки») is also checked part by part.
            pos = m.start()
            for part in m.group().split("-"):
                if part:
                    yield pos, pos + len(part)
                pos += len(part) + 1


def _drop_nested(hits: list[ObsceneHit]) -> list[ObsceneHit]:
    hits.sort(key=lambda h: (h.start, -h.end))
    kept: list[ObsceneHit] = []
    for h in hits:
        if kept and h.start < kept[-1].end:
            continue
        kept.append(h)
    return kept


@lru_cache(maxsize=50_000)
def _is_obscene(raw: str, safe_words: frozenset[str]) -> bool:
    low = raw.lower()
    if _LATIN_ONLY_RE.match(low):
        # An all-Latin word is transliteration («blyat», «huy»), not look-alike letters.
        return bool(_LATIN_ROOTS.search(low))
    joined = re.sub(r"[ .\-_]", "", low) if " " in low or "." in low else low
    variants = list(_variants(joined))
    if any(_matches(variant, safe_words) for variant in variants):
        return True
    return any(_glued(re.sub(r"(.)\1{2,}", r"\1", v), safe_words) for v in variants)


def _variants(low: str) -> Iterator[str]:
    """Normalised spellings of a token: Latin «u» reads as «и» or «у»."""
    yield low.replace("u", "и").translate(_LOOKALIKE)
    if "u" in low:
        yield low.replace("u", "у").translate(_LOOKALIKE)


def _matches(norm: str, safe_words: frozenset[str]) -> bool:
    collapsed = re.sub(r"(.)\1+", r"\1", norm)
    letters = sum(1 for ch in collapsed if ch != MASK)
    masks = len(collapsed) - letters
    if letters < 2 or masks > letters or not re.fullmatch(r"[а-яё*]+", collapsed):
        return False
    if not any(r.search(collapsed) for r in _ROOT_RES):
        return False
    if norm in safe_words or collapsed in safe_words:
        return False
    if masks == 0 and is_known(norm):
        # A dictionary word is obscene only if its lemma is: «застрахуй» comes from
        # «застраховать», «себе» from «себя», but «бля» and «хуёво» stay obscene.
        return any(_lemma_obscene(p.normal_form, safe_words) for p in parses(norm))
    return True


def _lemma_obscene(normal_form: str, safe_words: frozenset[str]) -> bool:
    lemma = normal_form.replace("ё", "е")
    if lemma in safe_words:
        return False
    return any(r.search(lemma) for r in _PLAIN_ROOT_RES)


def _glued(word: str, safe_words: frozenset[str]) -> bool:
    """Words written as one, one of them obscene: «сукаблять», «вотебать», «вынахуйтам»."""
    if len(word) < 5 or not re.fullmatch(r"[а-яё]+", word) or not _INNER_ROOT_RE.search(word):
        return False
    if is_known(word):
        return False
    for start in range(len(word) - 2):
        for end in range(len(word), start + 2, -1):
            if start == 0 and end == len(word):
                continue  # the whole word: already judged
            left, tail, rest = word[:start], word[start:end], word[end:]
            if not _GLUED_TAIL_RE.fullmatch(tail) or not _matches(tail, safe_words):
                continue
            if left and (len(left) < 2 or not _is_word(left, safe_words)):
                continue
            # A word after the obscene one is riskier («углу|бля|мой» is «углубляемой»
            # mistyped): only a long obscene word may stand between two others.
            if rest and (
                len(tail) < (5 if left else 3) or len(rest) < 3 or not _is_word(rest, safe_words)
            ):
                continue
            return not _slip_of_known(word, len(word) - 1 if rest else start)
    return False


def _is_word(part: str, safe_words: frozenset[str]) -> bool:
    """A real word before the cut (not an abbreviation such as «гр»), or obscene itself."""
    if _matches(part, safe_words):
        return True
    return is_known(part) and any("Abbr" not in p.tag.grammemes for p in parses(part) if p.is_known)


def _slip_of_known(word: str, cut: int) -> bool:
    """Whether a vowel changed or dropped, or a letter left out, before ``cut`` makes a word.

    «карабля» is «корабля» mistyped, not «кара» + «бля»: people misspell unstressed vowels
    and skip letters («прогебут» for «прогребут»).
    """
    for i in range(1, cut + 1):
        ch = word[i] if i < len(word) else ""
        if ch in _VOWELS:
            if in_dictionary(word[:i] + word[i + 1 :]):
                return True
            if any(in_dictionary(word[:i] + v + word[i + 1 :]) for v in _VOWELS if v != ch):
                return True
        if any(in_dictionary(word[:i] + v + word[i:]) for v in _LETTERS):
            return True
    return False
