"""The automatic review of drafts and the organisation's own dictionary.

Which checks block approval of each kind of draft is the regulation's:
``ctx.profile.blocking_for(kind)``.
"""

from __future__ import annotations

from datetime import datetime

from incident_bridge.checks.report import DraftReport
from incident_bridge.domain.errors import InvalidInput, NotFound
from incident_bridge.domain.model import DraftKind
from incident_bridge.domain.review import Check
from incident_bridge.persistence.models import DictionaryWord, Incident
from incident_bridge.services import repeats
from incident_bridge.services.context import Context
from incident_bridge.services.unit_of_work import UnitOfWork


def organisation_words(uow: UnitOfWork) -> frozenset[str]:
    """The organisation's dictionary: words the spelling check accepts."""
    return frozenset(w.word for w in uow.dictionary.words())


def add_word(uow: UnitOfWork, word: str, *, by: str, now: datetime) -> DictionaryWord:
    """Add a word to the organisation's dictionary (one word, letters and hyphens)."""
    word = word.strip()
    if (
        not word
        or " " in word
        or len(word) > 100
        or not all(c.isalpha() or c in "-'" for c in word)
    ):
        raise InvalidInput("В словарь добавляется одно слово из букв (допустим дефис).")
    with uow:
        existing = uow.dictionary.find(word)
        if existing is not None:
            return existing
        row = DictionaryWord(word=word, added_by=by, added_at=now)
        uow.add(row)
    return row


def remove_word(uow: UnitOfWork, word_id: int) -> None:
    """Remove a word from the organisation's dictionary."""
    with uow:
        row = uow.dictionary.get(word_id)
        if row is None:
            raise NotFound("Слово не найдено в словаре.")
        uow.dictionary.remove(row)


def review(
    uow: UnitOfWork, ctx: Context, incident: Incident, text: str, kind: DraftKind
) -> DraftReport:
    """Run every check on a draft of ``kind`` answering ``incident``.

    The answer to a repeat message must report the measures taken where the profile
    says so (``profile.repeats.report_measures``): then that check runs and blocks.
    """
    blocking = ctx.profile.blocking_for(kind)
    repeat = (
        kind is DraftKind.ANSWER
        and ctx.profile.repeats.report_measures
        and repeats.is_repeat(uow, incident)
    )
    if repeat:
        blocking = blocking | {Check.MEASURES}
    return ctx.checker.check(
        incident.text,
        text,
        blocking=blocking,
        repeat=repeat,
        author=incident.author_name,
        platform=incident.platform,
        extra_words=organisation_words(uow),
        has_attachments=False,
    )


def failed(report: DraftReport) -> list[Check]:
    """The blocking checks the draft failed, in a stable order."""
    return [check for check in Check if check in report.blocking and not report.passed(check)]
