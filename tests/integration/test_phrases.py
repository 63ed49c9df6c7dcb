"""The library of approved phrases on SQLite and PostgreSQL: who reads what, who may change it,
and every change attributed and kept."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from incident_bridge.domain.errors import BridgeError, InvalidInput, PermissionDenied
from incident_bridge.persistence.models import Phrase, PhraseChange
from incident_bridge.services import phrases
from incident_bridge.services.actors import actor_for

SENT = "Ваше обращение направлено в управляющую компанию."
PLANNED = "Работы запланированы на май."


def test_a_subdivision_reads_its_own_and_the_common_phrases_by_title(
    uow: Any, people: dict[str, Any], now: datetime
) -> None:
    operator = actor_for(people["operator"])
    roads, housing = people["roads"].id, people["housing"].id
    phrases.add(uow, operator, subdivision_id=roads, title="Яма: сроки", text=PLANNED, now=now)
    phrases.add(uow, operator, subdivision_id=None, title="ёлка: общая", text=SENT, now=now)
    phrases.add(uow, operator, subdivision_id=None, title="Благодарность", text="Спасибо.", now=now)
    phrases.add(uow, operator, subdivision_id=housing, title="УК", text=SENT, now=now)
    gone = phrases.add(uow, operator, subdivision_id=roads, title="Старое", text="Было.", now=now)
    phrases.archive(uow, operator, gone.id, now=now)

    titles = [p.title for p in phrases.for_subdivision(uow, roads)]
    assert titles == ["Благодарность", "ёлка: общая", "Яма: сроки"]  # ё sorts as е, any case
    assert [p.title for p in phrases.for_subdivision(uow, None)] == ["Благодарность", "ёлка: общая"]

    everything = phrases.library(uow, operator)
    assert [g.name for g in everything] == [
        phrases.COMMON,
        "Управление дорожного хозяйства",
        "Управление ЖКХ",
    ]
    executor = actor_for(people["housing_executor"])
    seen = phrases.library(uow, executor)
    assert [(g.name, [p.title for p in g.phrases]) for g in seen] == [
        (phrases.COMMON, ["Благодарность", "ёлка: общая"]),
        ("Управление ЖКХ", ["УК"]),
    ]
    # An executor's filter never widens their sight: another subdivision shows nothing.
    assert phrases.library(uow, executor, only=[roads]) == []
    assert [g.name for g in phrases.library(uow, operator, only=[None])] == [phrases.COMMON]


def test_every_change_is_attributed_and_kept(
    uow: Any, db_session: Any, people: dict[str, Any], now: datetime
) -> None:
    operator, admin = actor_for(people["operator"]), actor_for(people["admin"])
    roads = people["roads"].id
    phrase = phrases.add(uow, operator, subdivision_id=roads, title="Яма", text=PLANNED, now=now)
    later = now + timedelta(hours=1)
    phrases.edit(uow, admin, phrase.id, subdivision_id=None, title="Яма", text=SENT, now=later)
    phrases.archive(uow, operator, phrase.id, now=later + timedelta(hours=1))
    db_session.expire_all()

    stored = db_session.get(Phrase, phrase.id)
    assert stored.created_by_id == operator.user_id and stored.created_at == now
    assert stored.updated_by_id == admin.user_id and stored.updated_at == later
    assert stored.archived_by_id == operator.user_id and stored.archived_at is not None
    assert stored.subdivision_id is None and stored.text == SENT
    entries = list(reversed(phrases.log(uow)))
    assert [(e.kind, e.actor_label) for e in entries] == [
        ("added", "Operator"),
        ("edited", "Admin"),
        ("archived", "Operator"),
    ]
    assert entries[1].before == {"subdivision_id": roads, "title": "Яма", "text": PLANNED}
    assert entries[1].after == {"subdivision_id": None, "title": "Яма", "text": SENT}
    assert phrases.for_subdivision(uow, roads) == []  # archived: out of use, not deleted

    # The log only grows.
    entry = db_session.get(PhraseChange, entries[0].id)
    entry.actor_label = "Кто-то другой"
    with pytest.raises(BridgeError, match="только дополняется"):
        db_session.flush()
    db_session.rollback()


def test_executors_may_not_change_the_library(
    uow: Any, db_session: Any, people: dict[str, Any], now: datetime
) -> None:
    executor = actor_for(people["roads_executor"])
    with pytest.raises(PermissionDenied, match="Типовые формулировки ведут"):
        phrases.add(uow, executor, subdivision_id=people["roads"].id, title="Моя", text=SENT,
                    now=now)  # fmt: skip
    operator = actor_for(people["operator"])
    phrase = phrases.add(uow, operator, subdivision_id=None, title="Общая", text=SENT, now=now)
    with pytest.raises(PermissionDenied):
        phrases.edit(uow, executor, phrase.id, subdivision_id=None, title="Общая", text="Иначе.",
                     now=now)  # fmt: skip
    with pytest.raises(PermissionDenied):
        phrases.archive(uow, executor, phrase.id, now=now)
    db_session.expire_all()
    assert db_session.get(Phrase, phrase.id).archived_at is None
    assert len(phrases.log(uow)) == 1


@pytest.mark.parametrize(
    ("title", "text", "refusal"),
    [
        ("  ", SENT, "Укажите название"),
        ("А" * 121, SENT, "Название длиннее 120 знаков"),
        ("Пусто", " \n ", "Укажите текст"),
        ("Длинно", "а" * 4097, "Текст длиннее 4096 знаков"),
    ],
)
def test_a_phrase_must_fit_a_reply(
    uow: Any, people: dict[str, Any], now: datetime, title: str, text: str, refusal: str
) -> None:
    operator = actor_for(people["operator"])
    with pytest.raises(InvalidInput, match=refusal):
        phrases.add(uow, operator, subdivision_id=None, title=title, text=text, now=now)
    assert phrases.log(uow) == []


def test_duplicates_unknown_subdivisions_and_archived_phrases_are_refused(
    uow: Any, people: dict[str, Any], now: datetime
) -> None:
    operator = actor_for(people["operator"])
    roads = people["roads"].id
    phrase = phrases.add(uow, operator, subdivision_id=roads, title="Яма", text=SENT, now=now)
    with pytest.raises(InvalidInput, match="уже есть"):
        phrases.add(uow, operator, subdivision_id=roads, title="  яма ", text=PLANNED, now=now)
    phrases.add(uow, operator, subdivision_id=None, title="Яма", text=PLANNED, now=now)  # common
    with pytest.raises(InvalidInput, match="Подразделение не найдено"):
        phrases.add(uow, operator, subdivision_id=999_999, title="Другое", text=SENT, now=now)
    with pytest.raises(InvalidInput, match="Изменений нет"):
        phrases.edit(uow, operator, phrase.id, subdivision_id=roads, title="Яма", text=SENT,
                     now=now)  # fmt: skip
    phrases.archive(uow, operator, phrase.id, now=now)
    with pytest.raises(InvalidInput, match="в архиве"):
        phrases.archive(uow, operator, phrase.id, now=now)
    # Once archived, its title is free again.
    phrases.add(uow, operator, subdivision_id=roads, title="Яма", text=PLANNED, now=now)
