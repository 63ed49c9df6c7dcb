"""Typography: spaces around punctuation, doubled marks, a hyphen for a dash.

Real slips, but cosmetic: the check is reported and blocks approval only where a profile
lists it. Every finding carries its replacement, and :func:`fix_typography` applies them all.
Links, e-mail addresses, numbers («1.5», «10:30», «1,5»), abbreviations («т.д.», «Н.В.») and
ellipses are never touched; a fix only adds or removes spaces or replaces a mark, so no
letter or digit of the text changes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class TypographyError:
    """One slip: which rule, where (character offsets), why, and the text to put instead."""

    rule: str
    start: int
    end: int
    message: str
    suggestion: str


@dataclass(frozen=True, slots=True)
class TypographyResult:
    """The outcome of :func:`check_typography`."""

    ok: bool
    errors: list[TypographyError] = field(default_factory=list)


# Spans no rule looks into: links and e-mails (found apart, so one never hides the other).
_SKIP_RES = (
    re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE),
    re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),
)
_LETTER = "А-Яа-яЁёA-Za-z"
_SPACES = "[ \t\u00a0]"

# Two spaces or more between words (a tab counts as a slip too); not the indent of a line.
_DOUBLE_SPACE_RE = re.compile(rf"(?<=\S)(?:{_SPACES}{{2,}}|\t)(?=\S)")
# «выполнены , дорога», «Когда ?», «выполнены .Дорога»; not «...», «.5», a smiley «:)» nor
# a line's start.
_SPACE_BEFORE_RE = re.compile(
    rf"(?<=\S){_SPACES}+(?:([,;!?])(?![\d()])|([.:])(?![.\w()])|(\.)(?=[А-ЯЁ][а-яё]))"
)
# «выполнены,дорога», «Сроки:май», «Госуслуги.Решаем», «(подрядчик)выполнил», «д. 5,кв. 3»;
# not «1,5», «10:30», «т.д.», «Н.В.Петрова», «admin.ru».
_NO_SPACE_AFTER_RE = re.compile(
    rf"(?<=[{_LETTER}\d)»\"])[,;:!?](?=[{_LETTER}«(])"
    rf"|(?<=[а-яёa-z\d)»\"])\.(?=[А-ЯЁ][а-яё])"
    rf"|(?<=[{_LETTER}.!?»\"])[)»](?=[А-Яа-яЁё])"
)
# «( подрядчик )», «« Госуслуги »».
_SPACE_INSIDE_RE = re.compile(rf"(?<=[(«]){_SPACES}+(?=\S)|(?<=\S){_SPACES}+(?=[)»])")
# «,,» «;;» «::».
_DOUBLED_RE = re.compile(r"([,;:])\1+")
# «срок - 10 дней» → «срок — 10 дней»; not «10 - 15» (a range), «- пункт» (a list) nor a
# particle written apart («кто - то», «кое - где»: a spelling slip, not a dash).
_HYPHEN_DASH_RE = re.compile(rf"(?<=\S)({_SPACES})--?({_SPACES})(?=\S)")
_PARTICLE_AFTER_RE = re.compile(r"(?:то|либо|нибудь|ка|таки)\b", re.IGNORECASE)
_PARTICLE_BEFORE_RE = re.compile(r"\bкое\Z", re.IGNORECASE)

_MAX_PASSES = 5


def check_typography(text: str) -> TypographyResult:
    """Every typographic slip of ``text``, in the order they stand."""
    skip = [m.span() for pattern in _SKIP_RES for m in pattern.finditer(text)]
    errors = sorted(
        (e for e in _findings(text) if not any(s < e.end and e.start < end for s, end in skip)),
        key=lambda e: (e.start, e.end, e.rule),
    )
    return TypographyResult(ok=not errors, errors=errors)


def fix_typography(text: str) -> str:
    """``text`` with every finding of :func:`check_typography` replaced by its suggestion.

    Idempotent: fixing the result again changes nothing. Only spaces and marks change.
    """
    for _ in range(_MAX_PASSES):
        errors = check_typography(text).errors
        if not errors:
            break
        text = _apply(text, errors)
    return text


def _apply(text: str, errors: list[TypographyError]) -> str:
    """Replace the findings' spans, the first of any overlapping ones only."""
    parts: list[str] = []
    cursor = 0
    for e in errors:
        if e.start < cursor:
            continue  # overlaps the one before: the next pass looks at it again
        parts += [text[cursor : e.start], e.suggestion]
        cursor = e.end
    parts.append(text[cursor:])
    return "".join(parts)


def _findings(text: str) -> Iterator[TypographyError]:
    for m in _DOUBLE_SPACE_RE.finditer(text):
        yield TypographyError("double_space", m.start(), m.end(), "Два пробела подряд.", " ")
    for m in _SPACE_BEFORE_RE.finditer(text):
        mark = m.group(1) or m.group(2) or m.group(3)
        yield TypographyError(
            "space_before_punct",
            m.start(),
            m.end(),
            f"Перед «{mark}» пробел не ставится.",
            mark,
        )
    for m in _NO_SPACE_AFTER_RE.finditer(text):
        yield TypographyError(
            "space_after_punct",
            m.start(),
            m.end(),
            f"После «{m.group()}» нужен пробел.",
            m.group() + " ",
        )
    for m in _SPACE_INSIDE_RE.finditer(text):
        opening = text[m.start() - 1] in "(«"
        yield TypographyError(
            "space_inside_brackets",
            m.start(),
            m.end(),
            "После открывающей скобки или кавычки пробел не ставится."
            if opening
            else "Перед закрывающей скобкой или кавычкой пробел не ставится.",
            "",
        )
    for m in _DOUBLED_RE.finditer(text):
        yield TypographyError(
            "doubled_punct", m.start(), m.end(), f"Знак «{m.group(1)}» повторён.", m.group(1)
        )
    for m in _HYPHEN_DASH_RE.finditer(text):
        if text[m.start() - 1].isdigit() and text[m.end()].isdigit():
            continue  # «10 - 15»: a range of numbers, not a dash between words
        if _PARTICLE_AFTER_RE.match(text, m.end()) or _PARTICLE_BEFORE_RE.search(
            text, max(0, m.start() - 4), m.start()
        ):
            continue
        yield TypographyError(
            "hyphen_as_dash",
            m.start(),
            m.end(),
            "Между словами ставится тире «—», а не дефис.",
            f"{m.group(1)}—{m.group(2)}",
        )
