"""How a case table of the completeness check is scored: per-question verdicts that agree."""

from __future__ import annotations

from collections.abc import Iterable

from incident_bridge.checks.completeness import check_completeness
from incident_bridge.checks.language_models import LanguageModels

Case = tuple[str, str, list[bool]]


def agreement(cases: Iterable[Case], models: LanguageModels | None = None) -> tuple[int, int]:
    """Verdicts that agree with a person's, and verdicts in all (a case whose questions
    the check counts differently agrees on none of them)."""
    agree = total = 0
    for message, draft, expected in cases:
        got = [q.answered for q in check_completeness(message, draft, models=models).questions]
        total += len(expected)
        if len(got) == len(expected):
            agree += sum(g == e for g, e in zip(got, expected, strict=True))
    return agree, total
