"""All the checks of a draft in one report (Yelets cl.7: greeting, no errors, every question answered)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from incident_bridge.checks.completeness import CompletenessResult, check_completeness
from incident_bridge.checks.grammar import GrammarResult, check_grammar
from incident_bridge.checks.greeting import GreetingResult, check_greeting
from incident_bridge.checks.screening import ScreeningResult, screen_message
from incident_bridge.checks.spelling import SpellingResult, check_spelling
from incident_bridge.checks.style import StyleError, StyleResult, check_style

# The Yelets profile (the default): greeting, spelling and grammar, completeness block approval;
# style and format are reported for the executor but do not.
DEFAULT_BLOCKING: frozenset[str] = frozenset({"greeting", "spelling", "grammar", "completeness"})
KNOWN_CHECKS: frozenset[str] = frozenset({*DEFAULT_BLOCKING, "style", "format"})
_FORMAT_RULES = frozenset({"too_long", "missing_attachment"})


@dataclass(frozen=True, slots=True)
class DraftReport:
    """Every check's outcome for one draft (and the screening of the message it answers)."""

    greeting: GreetingResult
    spelling: SpellingResult
    grammar: GrammarResult
    completeness: CompletenessResult
    style: StyleResult
    screening: ScreeningResult
    blocking: frozenset[str] = DEFAULT_BLOCKING

    @property
    def ok(self) -> bool:
        """Whether every blocking check passed."""
        return all(self.passed(name) for name in self.blocking)

    def passed(self, check: str) -> bool:
        """Whether one named check passed («format» is the style check's format rules)."""
        if check == "format":
            return not any(
                e.rule in _FORMAT_RULES and e.severity == "error" for e in self.style.errors
            )
        section = getattr(self, check, None)
        return bool(getattr(section, "ok", True))

    def to_dict(self, id: Any = None) -> dict[str, Any]:
        """The report as plain JSON-ready data; offsets are into the draft (screening: the message)."""
        return {
            "id": id,
            "ok": self.ok,
            "greeting": {"ok": self.greeting.ok},
            "spelling": {
                "ok": self.spelling.ok,
                "errors": [
                    {
                        "word": e.word,
                        "start": e.start,
                        "end": e.end,
                        "suggestions": list(e.suggestions),
                    }
                    for e in self.spelling.errors
                    if e.kind == "spelling"
                ],
            },
            "grammar": {
                "ok": self.grammar.ok,
                "errors": [
                    {"rule": e.rule, "start": e.start, "end": e.end, "message": e.message}
                    for e in self.grammar.errors
                ],
            },
            "completeness": _completeness_dict(self.completeness),
            "style": {
                "ok": self.style.ok,
                "errors": [
                    {
                        "rule": e.rule,
                        "start": e.start,
                        "end": e.end,
                        "message": e.message,
                        "severity": e.severity,
                    }
                    for e in self.style.errors
                ],
            },
            "screening": _screening_dict(self.screening),
        }


def check_draft(
    message: str,
    draft: str,
    *,
    author: str | None = None,
    platform: str | None = None,
    extra_words: Iterable[str] = frozenset(),
    has_attachments: bool = False,
    blocking: Iterable[str] = DEFAULT_BLOCKING,
) -> DraftReport:
    """Run every check on ``draft`` (the reply to ``message``) and gather the results."""
    blocking = frozenset(blocking)
    if unknown := blocking - KNOWN_CHECKS:
        raise ValueError(f"Unknown check(s) {sorted(unknown)}; known: {sorted(KNOWN_CHECKS)}.")
    spelling = check_spelling(draft, author_name=author, extra_words=extra_words)
    style = check_style(draft, platform=platform, has_attachments=has_attachments)
    # Colloquial words («щас», «фотки») are a matter of style, not of spelling (issue: separate kind).
    colloquial = [
        StyleError(
            "colloquial", e.start, e.end, f"Разговорное слово «{e.word}» в официальном ответе."
        )
        for e in spelling.errors
        if e.kind == "colloquial"
    ]
    if colloquial:
        errors = sorted([*style.errors, *colloquial], key=lambda e: (e.start, e.rule))
        style = StyleResult(ok=False, errors=errors)
    return DraftReport(
        greeting=check_greeting(draft, author_name=author),
        spelling=spelling,
        grammar=check_grammar(draft),
        completeness=check_completeness(message, draft),
        style=style,
        screening=screen_message(message),
        blocking=blocking,
    )


def _completeness_dict(result: Any) -> dict[str, Any]:
    questions = [
        {"text": q.text, "answered": bool(q.answered), "evidence": q.evidence}
        for q in getattr(result, "questions", [])
    ]
    return {"ok": bool(getattr(result, "ok", True)), "questions": questions}


def _screening_dict(result: Any) -> dict[str, Any]:
    reasons = [
        {
            "kind": r.kind,
            "fragment": r.fragment,
            "start": r.start,
            "end": r.end,
            "clause": r.clause,
            "message": r.message,
        }
        for r in getattr(result, "reasons", [])
    ]
    return {"excluded": bool(getattr(result, "excluded", False)), "reasons": reasons}
