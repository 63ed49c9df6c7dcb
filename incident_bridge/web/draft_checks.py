"""The automatic review as the pages show it: verdicts per check and the draft with flagged spans."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from incident_bridge.checks.report import DraftReport
from incident_bridge.services.checks import CHECK_LABELS


@dataclass(frozen=True, slots=True)
class Finding:
    """One flagged place of the draft."""

    start: int
    end: int
    message: str
    word: str | None = None
    suggestions: tuple[str, ...] = ()


@dataclass(slots=True)
class Section:
    """One check's verdict and what it found."""

    name: str
    title: str
    ok: bool
    blocking: bool
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    questions: list[Any] = field(default_factory=list)


def sections(report: DraftReport, text: str) -> list[Section]:
    """Every check's verdict, in the order a reviewer reads them."""
    out = [
        Section("greeting", CHECK_LABELS["greeting"], report.greeting.ok, "greeting" in report.blocking,
                notes=list(report.greeting.problems)),
        Section("spelling", CHECK_LABELS["spelling"], report.spelling.ok, "spelling" in report.blocking,
                findings=[Finding(e.start, e.end, "Слово не найдено в словарях", e.word, tuple(e.suggestions))
                          for e in report.spelling.errors if e.kind == "spelling"]),
        Section("grammar", CHECK_LABELS["grammar"], report.grammar.ok, "grammar" in report.blocking,
                findings=[Finding(e.start, e.end, e.message, None,
                                  (e.suggestion,) if getattr(e, "suggestion", None) else ())
                          for e in report.grammar.errors]),
        Section("completeness", CHECK_LABELS["completeness"], report.completeness.ok,
                "completeness" in report.blocking, questions=list(report.completeness.questions)),
        Section("style", CHECK_LABELS["style"], report.style.ok, "style" in report.blocking,
                findings=[Finding(e.start, e.end, e.message) for e in report.style.errors]),
    ]  # fmt: skip
    return out


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
