"""All the checks of a draft in one report, and the checker an application owns.

Which checks block approval is the regulation's to say (its profile's ``checks``), so it
is an argument here, never a default.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from incident_bridge.checks.completeness import CompletenessResult, check_completeness
from incident_bridge.checks.grammar import GrammarResult, check_grammar
from incident_bridge.checks.greeting import GreetingResult, check_greeting
from incident_bridge.checks.language_models import LanguageModels
from incident_bridge.checks.measures import NOT_APPLICABLE, MeasuresResult, check_measures
from incident_bridge.checks.screening import ScreeningResult, screen_message
from incident_bridge.checks.spelling import SpellingResult, check_spelling
from incident_bridge.checks.spelling_lexicon import SpellingLexicon
from incident_bridge.checks.style import StyleError, StyleResult, check_style
from incident_bridge.checks.typography import TypographyResult, check_typography
from incident_bridge.domain.review import Check

_FORMAT_RULES = frozenset({"too_long", "missing_attachment"})


@dataclass(frozen=True, slots=True)
class DraftReport:
    """Every check's outcome for one draft (and the screening of the message it answers)."""

    greeting: GreetingResult
    spelling: SpellingResult
    grammar: GrammarResult
    typography: TypographyResult
    completeness: CompletenessResult
    style: StyleResult
    screening: ScreeningResult
    blocking: frozenset[Check]
    #: Read only for the answer to a repeat message (``check_draft(..., repeat=True)``).
    measures: MeasuresResult = NOT_APPLICABLE

    @property
    def ok(self) -> bool:
        """Whether every blocking check passed."""
        return all(self.passed(check) for check in self.blocking)

    def passed(self, check: Check) -> bool:
        """Whether one check passed («format» is the style check's format rules)."""
        if check is Check.FORMAT:
            return not any(
                e.rule in _FORMAT_RULES and e.severity == "error" for e in self.style.errors
            )
        outcomes = {
            Check.GREETING: self.greeting.ok,
            Check.SPELLING: self.spelling.ok,
            Check.GRAMMAR: self.grammar.ok,
            Check.TYPOGRAPHY: self.typography.ok,
            Check.COMPLETENESS: self.completeness.ok,
            Check.STYLE: self.style.ok,
            Check.MEASURES: self.measures.ok,
        }
        return outcomes[check]

    def to_dict(self, id: Any = None) -> dict[str, Any]:
        """The report as JSON-ready data; offsets are into the draft (screening: the message)."""
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
            "typography": {
                "ok": self.typography.ok,
                "errors": [
                    {
                        "rule": e.rule,
                        "start": e.start,
                        "end": e.end,
                        "message": e.message,
                        "suggestion": e.suggestion,
                    }
                    for e in self.typography.errors
                ],
            },
            "completeness": self.completeness.to_dict(),
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
            "screening": self.screening.to_dict(),
            "measures": self.measures.to_dict(),
        }


class DraftChecker:
    """Checks drafts and screens messages; build one per application and share it.

    It owns the :class:`SpellingLexicon` (seconds to load, ~110 MB), so every request
    and job of the application uses the same dictionaries and remembered answers.
    """

    def __init__(
        self, lexicon: SpellingLexicon | None = None, models: LanguageModels | None = None
    ) -> None:
        self._lexicon = lexicon if lexicon is not None else SpellingLexicon()
        self._models = models if models is not None else LanguageModels()

    @property
    def lexicon(self) -> SpellingLexicon:
        """The dictionaries the spelling check consults."""
        return self._lexicon

    @property
    def models(self) -> LanguageModels:
        """Natasha's named entities, syntax and embeddings (loaded on first use)."""
        return self._models

    def check(
        self,
        message: str,
        draft: str,
        *,
        blocking: Iterable[Check | str],
        author: str | None = None,
        platform: str | None = None,
        extra_words: Iterable[str] = frozenset(),
        has_attachments: bool = False,
        repeat: bool = False,
    ) -> DraftReport:
        """Every check of ``draft``, the reply to ``message`` (see :func:`check_draft`)."""
        return check_draft(
            message,
            draft,
            lexicon=self._lexicon,
            models=self._models,
            blocking=blocking,
            author=author,
            platform=platform,
            extra_words=extra_words,
            has_attachments=has_attachments,
            repeat=repeat,
        )

    def screen(self, text: str) -> ScreeningResult:
        """The obscene words, insults and threats that exclude an incoming message."""
        return screen_message(text)


def check_draft(
    message: str,
    draft: str,
    *,
    lexicon: SpellingLexicon,
    blocking: Iterable[Check | str],
    models: LanguageModels | None = None,
    author: str | None = None,
    platform: str | None = None,
    extra_words: Iterable[str] = frozenset(),
    has_attachments: bool = False,
    repeat: bool = False,
) -> DraftReport:
    """Run every check on ``draft`` (the reply to ``message``) and gather the results.

    ``blocking`` names the checks that must pass for the report to be ok: members of
    :class:`Check` or their values («greeting», …); an unknown name is a ``ValueError``.
    ``models`` lets the spelling check take the names Natasha finds for names, and gives the
    grammar check its syntax trees. ``repeat``: the message repeats an earlier one, so the
    draft is also read for the measures taken (:mod:`incident_bridge.checks.measures`).
    """
    blocking_checks = as_checks(blocking)
    spelling = check_spelling(
        draft, lexicon, author_name=author, extra_words=extra_words, models=models
    )
    style = check_style(draft, platform=platform, has_attachments=has_attachments)
    # Colloquial words («щас», «фотки») are a matter of style, not of spelling.
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
        grammar=check_grammar(draft, models),
        typography=check_typography(draft),
        completeness=check_completeness(message, draft, models=models),
        style=style,
        screening=screen_message(message),
        blocking=blocking_checks,
        measures=check_measures(draft) if repeat else NOT_APPLICABLE,
    )


def as_checks(names: Iterable[Check | str]) -> frozenset[Check]:
    """``names`` as checks; ``ValueError`` naming the unknown ones and listing the known."""
    if isinstance(names, str):  # one name (a Check is a str too) would be read letter by letter
        raise TypeError(f"Expected a collection of checks, got the single name {names!r}.")
    names = list(names)
    known = {check.value for check in Check}
    if unknown := sorted({str(name) for name in names} - known):
        raise ValueError(
            f"Unknown check(s) {', '.join(map(repr, unknown))}; "
            f"known: {', '.join(check.value for check in Check)}."
        )
    return frozenset(Check(name) for name in names)
