"""The automatic review of drafts (Yelets cl.7) and the organisation's own dictionary."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from incident_bridge.checks.report import DraftReport, check_draft
from incident_bridge.domain.errors import InvalidInput, NotFound
from incident_bridge.domain.model import DraftKind
from incident_bridge.persistence.models import DictionaryWord, Incident
from incident_bridge.services.deadlines import policy_of

CHECK_LABELS = {
    "greeting": "приветствие автора",
    "spelling": "орфография",
    "grammar": "грамматика и пунктуация",
    "completeness": "ответы на все вопросы",
    "style": "стиль",
    "format": "формат площадки",
}


def organisation_words(session: Session) -> frozenset[str]:
    """The organisation's dictionary: words the spelling check accepts."""
    return frozenset(session.scalars(select(DictionaryWord.word)))


def add_word(session: Session, word: str, *, by: str, now: datetime) -> DictionaryWord:
    """Add a word to the organisation's dictionary (one word, letters and hyphens)."""
    word = word.strip()
    if (
        not word
        or " " in word
        or len(word) > 100
        or not all(c.isalpha() or c in "-'" for c in word)
    ):
        raise InvalidInput("В словарь добавляется одно слово из букв (допустим дефис).")
    existing = session.scalar(
        select(DictionaryWord).where(func.lower(DictionaryWord.word) == word.lower())
    )
    if existing is not None:
        return existing
    row = DictionaryWord(word=word, added_by=by, added_at=now)
    session.add(row)
    session.commit()
    return row


def remove_word(session: Session, word_id: int) -> None:
    """Remove a word from the organisation's dictionary."""
    row = session.get(DictionaryWord, word_id)
    if row is None:
        raise NotFound("Слово не найдено в словаре.")
    session.delete(row)
    session.commit()


def words(session: Session) -> list[DictionaryWord]:
    """The dictionary, alphabetically."""
    return list(session.scalars(select(DictionaryWord).order_by(func.lower(DictionaryWord.word))))


def blocking_checks(session: Session, kind: DraftKind) -> frozenset[str]:
    """The checks that block approval: the profile's, and completeness only for a full answer.

    An interim answer or a clarification request does not answer the questions yet.
    """
    checks = frozenset(policy_of(session).profile().checks)
    return checks if kind is DraftKind.ANSWER else checks - {"completeness"}


def review(session: Session, incident: Incident, text: str, kind: DraftKind) -> DraftReport:
    """Run every check on a draft of ``kind`` answering ``incident``."""
    return check_draft(
        incident.text,
        text,
        author=incident.author_name,
        platform=incident.platform,
        extra_words=organisation_words(session),
        has_attachments=False,
        blocking=blocking_checks(session, kind),
    )


def failed(report: DraftReport) -> list[str]:
    """Names of the blocking checks the draft failed, in a stable order."""
    return [name for name in CHECK_LABELS if name in report.blocking and not report.passed(name)]
