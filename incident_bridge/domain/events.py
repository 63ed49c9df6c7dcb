"""The kinds of entries of a message's append-only history."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

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
}


def event_of(action: Action) -> EventKind:
    """The history entry a workflow action records: the one place actions map to events."""
    return EventKind(action.value)


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
