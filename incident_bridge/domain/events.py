"""The kinds of entries of a message's append-only history."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from incident_bridge.domain.model import DraftKind, Importance
from incident_bridge.domain.workflow import Action


class EventKind(enum.StrEnum):
    """Everything that is recorded in a message's history.

    Every ``workflow.Action`` has an entry of the same name (``event_of``).
    """

    ARRIVED = "arrived"  # first seen from the incident system
    UPDATED = "updated"  # the incident system changed the card
    ROUTE = "route"
    REDIRECT = "redirect"
    EXCLUDE = "exclude"
    DECLINE = "decline"
    DRAFT_SAVED = "draft_saved"
    SUBMIT_DRAFT = "submit_draft"
    APPROVE = "approve"
    RETURN = "return"
    DELIVERED = "delivered"
    DELIVERY_FAILED = "delivery_failed"
    DELIVERY_REFUSED = "delivery_refused"  # the system refused a reply: back to the department
    DELIVERY_RETRY = "delivery_retry"  # a person sent a failed delivery again
    DRAFT_EDITED = "draft_edited"  # the reviewer corrected the draft before approving it
    AUTHOR_REPLIED = "author_replied"
    FOLLOW_UP = "follow_up"  # the author wrote again in the thread (no clarification was asked)
    FEEDBACK = "feedback"
    CLOSE = "close"
    SCREENING = "screening"
    # Several bodies on one message: each part's own steps (``data["part_id"]`` names the part).
    PART_OPENED = "part_opened"  # the body received the message for its part: its clock starts
    PART_SAVED = "part_saved"
    PART_SUBMITTED = "part_submitted"
    PART_RETURNED = "part_returned"  # the curator sent the part back: its clock starts anew
    PART_DECLINED = "part_declined"  # not the body's competence
    PARTS_COMPLETE = "parts_complete"  # every part is in: the combined answer can be written
    PART_PUBLISHED = "part_published"  # in turn: the curator consented to publish the part
    NOTIFIED = "notified"  # people were told about the message (a warning, a breach, …)
    RESOLVED = "resolved"  # a person marked the matter resolved positively
    APPROVED_REMOTELY = "approved_remotely"
    RETURNED_REMOTELY = "returned_remotely"
    REPEAT_FOUND = "repeat_found"  # taken for a repeat of an earlier message (system or a person)
    REPEAT_UNLINKED = "repeat_unlinked"  # a person undid a false match
    REASSIGNED = "reassigned"  # another executor took charge (an absence and its stand-in)

    @property
    def label(self) -> str:
        return EVENT_LABELS.get(self, self.value)


EVENT_LABELS = {
    EventKind.ARRIVED: "Поступило из системы Инцидент",
    EventKind.UPDATED: "Обновлено в системе Инцидент",
    EventKind.ROUTE: "Направлено исполнителю",
    EventKind.REDIRECT: "Перенаправлено: не в компетенции",
    EventKind.EXCLUDE: "Исключено из работы",
    EventKind.DECLINE: "Возвращено исполнителем в отдел",
    EventKind.DRAFT_SAVED: "Черновик сохранён",
    EventKind.SUBMIT_DRAFT: "Проект ответа отправлен на проверку",
    EventKind.APPROVE: "Проект одобрен",
    EventKind.RETURN: "Возвращено на доработку",
    EventKind.DELIVERED: "Опубликовано в системе Инцидент",
    EventKind.DELIVERY_FAILED: "Ошибка публикации",
    EventKind.DELIVERY_REFUSED: "Система Инцидент отклонила ответ: проект снова на проверке",
    EventKind.DELIVERY_RETRY: "Отправка повторена вручную",
    EventKind.DRAFT_EDITED: "Проект исправлен проверяющим",
    EventKind.AUTHOR_REPLIED: "Автор дал уточнение",
    EventKind.FOLLOW_UP: "Автор дописал в обсуждении",
    EventKind.FEEDBACK: "Оценка автора",
    EventKind.CLOSE: "Закрыто",
    EventKind.SCREENING: "Автоматическая проверка сообщения",
    EventKind.PART_OPENED: "Часть ответа поручена органу",
    EventKind.PART_SAVED: "Черновик части ответа сохранён",
    EventKind.PART_SUBMITTED: "Часть ответа направлена куратору",
    EventKind.PART_RETURNED: "Часть ответа возвращена на доработку",
    EventKind.PART_DECLINED: "Орган отказался от части: не в компетенции",
    EventKind.PARTS_COMPLETE: "Все части ответа получены",
    EventKind.PART_PUBLISHED: "Куратор согласовал публикацию части ответа",
    EventKind.NOTIFIED: "Отправлено уведомление",
    EventKind.RESOLVED: "Отмечено: вопрос решён положительно",
    EventKind.APPROVED_REMOTELY: "Согласовано региональным органом",
    EventKind.RETURNED_REMOTELY: "Возвращено региональным органом на доработку",
    EventKind.REPEAT_FOUND: "Связано с прежним сообщением как повторное",
    EventKind.REPEAT_UNLINKED: "Связь с прежним сообщением снята",
    EventKind.REASSIGNED: "Передано другому исполнителю",
}


def event_of(action: Action) -> EventKind:
    """The history entry a workflow action records: the one place actions map to events."""
    return EventKind(action.value)


_KINDS: dict[str, EventKind] = {kind.value: kind for kind in EventKind}
_DRAFT_KINDS: dict[str, DraftKind] = {kind.value: kind for kind in DraftKind}
_IMPORTANCES: dict[str, Importance] = {level.value: level for level in Importance}


@dataclass(frozen=True, slots=True)
class HistoryEvent:
    """One history entry as the deadline computation needs it (no persistence details).

    ``draft_kind`` is set on SUBMIT_DRAFT/APPROVE/DELIVERED; ``importance`` on
    ARRIVED/UPDATED when the card's importance is known.
    """

    kind: EventKind
    at: datetime
    draft_kind: DraftKind | None = None
    importance: Importance | None = None
    part: int | None = None  # the part of a several-bodies message the entry is about

    @classmethod
    def read(cls, kind: str, at: datetime, data: Mapping[str, Any] | None) -> HistoryEvent | None:
        """A stored history entry as the clocks read it; None for a kind they do not know."""
        data = data or {}
        return cls.of_fields(
            kind, at, data.get("draft_kind"), data.get("importance"), data.get("part_id")
        )

    @classmethod
    def of_fields(
        cls,
        kind: str,
        at: datetime,
        draft_kind: str | None,
        importance: str | None,
        part: int | str | None = None,
    ) -> HistoryEvent | None:
        """:meth:`read` from the two fields of the entry's data the clocks use (the hot path
        of the deadlines job: the database extracts them, nothing is parsed here)."""
        known = _KINDS.get(kind)
        if known is None:
            return None
        return cls(
            known,
            at,
            draft_kind=_DRAFT_KINDS[draft_kind] if draft_kind else None,
            importance=_IMPORTANCES[importance] if importance else None,
            part=int(part) if part is not None else None,
        )


@dataclass(frozen=True, slots=True)
class Timeline:
    """What the clocks of one incident are computed from: its history and the card's times.

    ``events`` are as stored (ARRIVED at the bridge's sync time); the regulation decides
    whether the clocks count from ``created_at`` or ``detected_at``. ``version`` is the
    stored row's version when it was read: a due time computed from it is written only
    if nobody has changed the message since.
    """

    incident_id: int
    created_at: datetime
    detected_at: datetime
    arrived_at: datetime
    due_at: datetime | None
    events: tuple[HistoryEvent, ...]
    version: int | None = None
