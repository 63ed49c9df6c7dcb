"""The automatic checks a draft goes through before the department approves it.

The names are the one list of checks: a profile's ``[blocking]`` table, the
check report and the pages all use these members.
"""

from __future__ import annotations

import enum


class Check(enum.StrEnum):
    """One automatic check of a draft."""

    GREETING = "greeting"
    SPELLING = "spelling"
    GRAMMAR = "grammar"
    TYPOGRAPHY = "typography"
    COMPLETENESS = "completeness"
    STYLE = "style"
    FORMAT = "format"
    MEASURES = "measures"  # a repeat's answer says what was done (profile.repeats.report_measures)

    @property
    def label(self) -> str:
        """The check's Russian name, as a reviewer reads it."""
        return CHECK_LABELS[self]


CHECK_LABELS = {
    Check.GREETING: "приветствие автора",
    Check.SPELLING: "орфография",
    Check.GRAMMAR: "грамматика и пунктуация",
    Check.TYPOGRAPHY: "типографика (пробелы и знаки)",
    Check.COMPLETENESS: "ответы на все вопросы",
    Check.STYLE: "стиль",
    Check.FORMAT: "формат площадки",
    Check.MEASURES: "сведения о принятых мерах",
}
