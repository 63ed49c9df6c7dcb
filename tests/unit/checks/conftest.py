"""Fixtures of the text-check tests: one shared lexicon and checker, and the corpus of replies."""

from __future__ import annotations

from pathlib import Path

import pytest

from incident_bridge.checks.report import DraftChecker
from incident_bridge.checks.spelling_lexicon import SpellingLexicon
from tests.conftest import shared_checker

CORPUS = Path(__file__).with_name("data_correct_replies.txt")


def correct_replies() -> list[str]:
    """The correct replies of data_correct_replies.txt (separated by lines of '---')."""
    lines = [
        line for line in CORPUS.read_text(encoding="utf-8").splitlines() if not line.startswith("#")
    ]
    return [part.strip() for part in "\n".join(lines).split("---") if part.strip()]


@pytest.fixture(scope="session")
def replies() -> list[str]:
    """Every correct reply of the corpus."""
    return correct_replies()


@pytest.fixture(scope="session")
def checker() -> DraftChecker:
    """The session's one draft checker, the same the apps of the other tests share."""
    checker: DraftChecker = shared_checker()
    return checker


@pytest.fixture(scope="session")
def lexicon(checker: DraftChecker) -> SpellingLexicon:
    """The one lexicon of the session: Hunspell takes seconds to load, so never one per test."""
    return checker.lexicon
