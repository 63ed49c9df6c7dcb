"""The automatic review as the pages show it: verdicts per check and the draft with flagged spans."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from incident_bridge.checks.report import DraftReport
from incident_bridge.domain.review import Check


@dataclass(frozen=True, slots=True)
class Finding:
    """One flagged place of the draft."""

    start: int
    end: int
    message: str
    word: str | None = None
    suggestions: tuple[str, ...] = ()
    #: What the sentence quotes when the flagged span alone would not read (spaces, a comma).
    shown: str | None = None

    def sentence(self, flagged: str) -> str:
        """One Russian sentence: «flagged» — the message; варианты: «a», «b».

        Suggestions the message already quotes, and bare punctuation or a single letter
        (the typography rules' fixes), are not repeated.
        """
        message = self.message.strip()
        shown = [
            s for s in self.suggestions
            if sum(ch.isalpha() for ch in s) > 1 and f"«{s.strip()}»".lower() not in message.lower()
        ]  # fmt: skip
        first = message.split(" ", 1)[0]
        if len(first) == 1 or not first.isupper():  # after a dash: «извените» — слово не…
            message = message[0].lower() + message[1:]
        if shown:
            message = message.removesuffix(".") if not message.endswith("...") else message
            label = "вариант" if len(shown) == 1 else "варианты"
            message += f"; {label}: " + ", ".join(f"«{s.strip()}»" for s in shown)
        if not message.endswith((".", "!", "?", "…")):
            message += "."
        return f"«{flagged}» — {message}"


@dataclass(slots=True)
class Section:
    """One check's verdict and what it found."""

    check: Check
    title: str
    ok: bool
    blocking: bool
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    questions: list[Any] = field(default_factory=list)


def sections(report: DraftReport, text: str) -> list[Section]:
    """Every check's verdict, in the order a reviewer reads them."""

    def section(check: Check, ok: bool, **found: Any) -> Section:
        return Section(check, check.label, ok, check in report.blocking, **found)

    out = [
        section(Check.GREETING, report.greeting.ok, notes=list(report.greeting.problems)),
        section(Check.SPELLING, report.spelling.ok,
                findings=[Finding(e.start, e.end, "Слово не найдено в словарях.", e.word, tuple(e.suggestions))
                          for e in report.spelling.errors if e.kind == "spelling"]),
        section(Check.GRAMMAR, report.grammar.ok,
                findings=[Finding(e.start, e.end, e.message, None,
                                  (e.suggestion,) if e.suggestion else ())
                          for e in report.grammar.errors]),
        section(Check.TYPOGRAPHY, report.typography.ok,
                findings=[Finding(e.start, e.end, e.message, shown=around(text, e.start, e.end))
                          for e in report.typography.errors]),
        section(Check.COMPLETENESS, report.completeness.ok,
                questions=list(report.completeness.questions)),
        section(Check.STYLE, report.style.ok,
                findings=[Finding(e.start, e.end, e.message) for e in report.style.errors]),
    ]  # fmt: skip
    if report.measures.applicable:  # the answer to a repeat (profile.repeats.report_measures)
        notes = (
            [f"Найдено: «{report.measures.evidence}»"]
            if report.measures.evidence
            else [
                "Ответ на повторное сообщение должен сообщить о принятых мерах или о том, "
                "в каком состоянии вопрос: что сделано, что и когда запланировано."
            ]
        )
        out.append(section(Check.MEASURES, report.measures.ok, notes=notes))
    return out


def around(text: str, start: int, end: int, reach: int = 20) -> str:
    """The flagged span with the words it stands between («выполнены ,дорога»), on one line."""
    left, right = start, end
    while left > max(0, start - reach) and not text[left - 1].isspace():
        left -= 1
    if left == start and left > 0 and text[left - 1] in " \t":  # «выполнены  ,»: the word before
        left -= 1
        while left > max(0, start - reach) and not text[left - 1].isspace():
            left -= 1
    while right < min(len(text), end + reach) and not text[right].isspace():
        right += 1
    return text[left:right].strip(" \t\n") or text[start:end]


def highlighted(text: str, found: list[Section]) -> list[tuple[str, str | None]]:
    """The draft cut into (text, note) pieces; a note marks a flagged span (overlaps skipped)."""
    spans = sorted(
        (
            (f.start, f.end, f.message)
            for s in found
            for f in s.findings
            if 0 <= f.start < f.end <= len(text)
        ),
        key=lambda span: (span[0], -span[1]),
    )
    pieces: list[tuple[str, str | None]] = []
    cursor = 0
    for start, end, message in spans:
        if start < cursor:
            continue
        if start > cursor:
            pieces.append((text[cursor:start], None))
        pieces.append((text[start:end], message))
        cursor = end
    if cursor < len(text):
        pieces.append((text[cursor:], None))
    return pieces


def review_context(report: DraftReport, text: str) -> dict[str, Any]:
    """What ``_checks.html`` needs to show a report."""
    found = sections(report, text)
    return {"review": report, "sections": found, "pieces": highlighted(text, found)}
