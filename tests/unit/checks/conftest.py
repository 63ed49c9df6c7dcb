"""Fixtures of the text-check tests: the corpus of correct official replies."""

from __future__ import annotations

from pathlib import Path

import pytest

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
