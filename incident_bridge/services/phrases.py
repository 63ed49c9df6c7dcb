"""The library of approved phrases per subdivision, inserted into drafts beside the form.

Coordinators (every role but the executor, as ``helpers.COORDINATORS`` on the pages)
add, edit and archive phrases; an executor reads their own subdivision's and the
common ones (a phrase with no subdivision is for every subdivision). Nothing is
deleted: a phrase is archived, and every change is kept in the append-only phrases
log (``PhraseChange``) with who, when, and the values before and after.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from incident_bridge.domain.errors import InvalidInput, NotFound, PermissionDenied
from incident_bridge.domain.workflow import Role
from incident_bridge.persistence.models import (
    PHRASE_TEXT_LENGTH,
    PHRASE_TITLE_LENGTH,
    Phrase,
    PhraseChange,
)
from incident_bridge.services.actors import Actor
from incident_bridge.services.unit_of_work import UnitOfWork

#: Who may add, edit and archive phrases: everyone but executors.
MANAGERS = frozenset(r.value for r in Role if r is not Role.EXECUTOR)
#: The group of the phrases for every subdivision.
COMMON = "Для всех подразделений"
LOG_LABELS = {"added": "Добавлена", "edited": "Изменена", "archived": "Перенесена в архив"}


@dataclass(frozen=True, slots=True)
class Group:
    """The phrases of one subdivision (``subdivision_id`` None: the common ones), by title."""

    subdivision_id: int | None
    name: str
    phrases: list[Phrase]


def may_manage(role: str) -> bool:
    """Whether a person of ``role`` may add, edit and archive phrases."""
    return role in MANAGERS


def for_subdivision(uow: UnitOfWork, subdivision_id: int | None) -> list[Phrase]:
    """What a draft of ``subdivision_id`` may use: its own phrases and the common ones, by title."""
    return _by_title(uow.phrases.active([subdivision_id, None]))


def library(uow: UnitOfWork, actor: Actor, only: list[int | None] | None = None) -> list[Group]:
    """The phrases the person may read, grouped by subdivision, the common ones first.

    A coordinator reads every phrase, an executor their subdivision's and the common
    ones. ``only`` narrows it to the listed subdivisions (None in it: the common ones).
    """
    scope = None if may_manage(actor.role) else [actor.subdivision_id, None]
    if only is not None:
        scope = only if scope is None else [s for s in only if s in scope]
    groups: dict[int | None, list[Phrase]] = {}
    for phrase in uow.phrases.active(scope):
        groups.setdefault(phrase.subdivision_id, []).append(phrase)
    result = [Group(key, _name(uow, key), _by_title(phrases)) for key, phrases in groups.items()]
    return sorted(result, key=lambda g: (g.subdivision_id is not None, _sort_key(g.name)))


def log(uow: UnitOfWork, limit: int = 50) -> list[PhraseChange]:
    """The latest changes of the library, newest first."""
    return uow.phrases.log(limit)


def add(
    uow: UnitOfWork,
    actor: Actor,
    *,
    subdivision_id: int | None,
    title: str,
    text: str,
    now: datetime,
) -> Phrase:
    """Add a phrase for a subdivision (None: for every subdivision)."""
    _require_manager(actor)
    title, text = _title(title), _text(text)
    with uow:
        _check_subdivision(uow, subdivision_id)
        _check_unique(uow, subdivision_id, title)
        phrase = Phrase(
            subdivision_id=subdivision_id,
            title=title,
            text=text,
            created_at=now,
            created_by_id=actor.user_id,
        )
        uow.add(phrase)
        uow.flush()
        _log(uow, phrase, "added", actor, now, after=_values(phrase))
    return phrase


def edit(
    uow: UnitOfWork,
    actor: Actor,
    phrase_id: int,
    *,
    subdivision_id: int | None,
    title: str,
    text: str,
    now: datetime,
) -> Phrase:
    """Change a phrase's subdivision, title or text (the values before are kept in the log)."""
    _require_manager(actor)
    title, text = _title(title), _text(text)
    with uow:
        phrase = _current(uow, phrase_id)
        before = _values(phrase)
        if before == {"subdivision_id": subdivision_id, "title": title, "text": text}:
            raise InvalidInput("Изменений нет: формулировка осталась прежней.")
        _check_subdivision(uow, subdivision_id)
        _check_unique(uow, subdivision_id, title, besides=phrase.id)
        phrase.subdivision_id, phrase.title, phrase.text = subdivision_id, title, text
        phrase.updated_at, phrase.updated_by_id = now, actor.user_id
        _log(uow, phrase, "edited", actor, now, before=before, after=_values(phrase))
    return phrase


def archive(uow: UnitOfWork, actor: Actor, phrase_id: int, *, now: datetime) -> Phrase:
    """Take a phrase out of use: it is kept, with who archived it and when."""
    _require_manager(actor)
    with uow:
        phrase = _current(uow, phrase_id)
        phrase.archived_at, phrase.archived_by_id = now, actor.user_id
        _log(uow, phrase, "archived", actor, now, before=_values(phrase))
    return phrase


def _require_manager(actor: Actor) -> None:
    if not may_manage(actor.role):
        raise PermissionDenied(
            "Типовые формулировки ведут сотрудники отдела по обращениям граждан; "
            "исполнитель может вставлять их в проект ответа."
        )


def _title(title: str) -> str:
    title = " ".join(title.split())
    if not title:
        raise InvalidInput("Укажите название формулировки.")
    if len(title) > PHRASE_TITLE_LENGTH:
        raise InvalidInput(
            f"Название длиннее {PHRASE_TITLE_LENGTH} знаков ({len(title)}); сократите его."
        )
    return title


def _text(text: str) -> str:
    text = text.replace("\r\n", "\n").strip()
    if not text:
        raise InvalidInput("Укажите текст формулировки.")
    if len(text) > PHRASE_TEXT_LENGTH:
        raise InvalidInput(
            f"Текст длиннее {PHRASE_TEXT_LENGTH} знаков ({len(text)}): такой ответ не примет "
            "система Инцидент; сократите его."
        )
    return text


def _check_subdivision(uow: UnitOfWork, subdivision_id: int | None) -> None:
    if subdivision_id is None:
        return
    subdivision = uow.people.subdivision(subdivision_id)
    if subdivision is None or not subdivision.active:
        raise InvalidInput("Подразделение не найдено или неактивно.")


def _check_unique(
    uow: UnitOfWork, subdivision_id: int | None, title: str, besides: int | None = None
) -> None:
    for other in uow.phrases.active([subdivision_id]):
        if other.id != besides and _sort_key(other.title) == _sort_key(title):
            raise InvalidInput(f"Формулировка «{title}» для этого подразделения уже есть.")


def _current(uow: UnitOfWork, phrase_id: int) -> Phrase:
    phrase = uow.phrases.get(phrase_id)
    if phrase is None:
        raise NotFound("Формулировка не найдена.")
    if phrase.archived_at is not None:
        raise InvalidInput("Формулировка в архиве: её нельзя изменить.")
    return phrase


def _values(phrase: Phrase) -> dict[str, Any]:
    return {"subdivision_id": phrase.subdivision_id, "title": phrase.title, "text": phrase.text}


def _log(
    uow: UnitOfWork,
    phrase: Phrase,
    kind: str,
    actor: Actor,
    now: datetime,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    uow.add(
        PhraseChange(
            phrase_id=phrase.id,
            at=now,
            kind=kind,
            actor_id=actor.user_id,
            actor_label=actor.label,
            before=before,
            after=after,
        )
    )


def _name(uow: UnitOfWork, subdivision_id: int | None) -> str:
    subdivision = uow.people.subdivision(subdivision_id) if subdivision_id is not None else None
    return subdivision.name if subdivision is not None else COMMON


def _sort_key(text: str) -> str:
    """Titles compare without case, ё as е, the same on SQLite and PostgreSQL."""
    return text.casefold().replace("ё", "е")


def _by_title(phrases: list[Phrase]) -> list[Phrase]:
    return sorted(phrases, key=lambda p: (_sort_key(p.title), p.id))
