"""What people are told, and when: warnings, breaches, deficiencies, significant messages, surges.

Pure decisions over a message's clocks and text and the profile's ``Escalation``;
the service turns each into notifications for the people concerned.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from incident_bridge.domain.deadlines import ClockState, ClockStatus
from incident_bridge.domain.model import Importance
from incident_bridge.domain.regulations import Escalation


class NoticeKind(enum.StrEnum):
    """Why someone is told."""

    DUE_SOON = "due_soon"  # a clock's warning lead has come
    OVERDUE = "overdue"  # a clock is past its due time
    DEFICIENCY = "deficiency"  # repeated breaches or returns: the supervising deputy head
    SIGNIFICANT = "significant"  # a socially significant message: the head, at once
    SURGE = "surge"  # many messages on one topic or place: the head, at once

    @property
    def label(self) -> str:
        return NOTICE_LABELS[self]


NOTICE_LABELS = {
    NoticeKind.DUE_SOON: "Срок истекает",
    NoticeKind.OVERDUE: "Срок нарушен",
    NoticeKind.DEFICIENCY: "Недостатки в работе органа",
    NoticeKind.SIGNIFICANT: "Общественно значимое сообщение",
    NoticeKind.SURGE: "Повышенная социальная активность",
}


class Duty(enum.StrEnum):
    """Who a person is for the escalations, beside their role."""

    HEAD = "head"  # the head (глава, Губернатор): significant messages and surges
    DEPUTY = "deputy"  # the supervising deputy head: deficiencies, and the head's notices

    @property
    def label(self) -> str:
        return DUTY_LABELS[self]


DUTY_LABELS = {
    Duty.HEAD: "Руководитель (глава)",
    Duty.DEPUTY: "Заместитель руководителя, курирующий работу",
}


#: Clocks that run beside another as its alternative (redirecting beside routing): told
#: through that one only, as the queue shows it, never twice for one step.
ALTERNATIVES = frozenset({"redirect"})


@dataclass(frozen=True, slots=True)
class ClockAlert:
    """A clock to be told about: its warning lead has come, or it is past due."""

    clock: ClockState
    kind: NoticeKind

    @property
    def key(self) -> str:
        """The same alert of the same run of the same clock is told once."""
        started = self.clock.started_at.isoformat() if self.clock.started_at else ""
        return f"{self.kind.value}:{self.clock.name}:{started}"


def clock_alerts(clocks: Iterable[ClockState], rule: Escalation) -> list[ClockAlert]:
    """The running clocks past due, and those within their warning lead."""
    alerts = []
    for clock in clocks:
        if clock.name in ALTERNATIVES:
            continue
        if not clock.running or clock.paused or clock.left_minutes is None:
            continue
        if clock.state is ClockStatus.OVERDUE:
            alerts.append(ClockAlert(clock, NoticeKind.OVERDUE))
        elif 0 <= clock.left_minutes <= rule.lead(clock.name) and rule.lead(clock.name) > 0:
            alerts.append(ClockAlert(clock, NoticeKind.DUE_SOON))
    return alerts


_WORD = re.compile(r"[\wё]+", re.IGNORECASE)


def significance(
    rule: Escalation,
    *,
    text: str,
    topic: str | None,
    place: str | None,
    importance: Importance | None,
) -> str | None:
    """Why a message is socially significant under the profile, or None.

    A keyword matches the start of a word, case-insensitively («авари» finds «аварии»);
    a topic or a place matches whole, case-insensitively.
    """
    if rule.high_importance and importance is Importance.HIGH:
        return "важность «Высокая»"
    if topic and topic.casefold() in {t.casefold() for t in rule.topics}:
        return f"тема «{topic}»"
    if place and place.casefold() in {p.casefold() for p in rule.places}:
        return f"место «{place}»"
    words = [w.casefold().replace("ё", "е") for w in _WORD.findall(text)]
    for keyword in rule.keywords:
        stem = keyword.casefold().replace("ё", "е")
        if any(w.startswith(stem) for w in words):
            return f"ключевое слово «{keyword}»"
    return None


def surge_key(subject: str, value: str, first_at: datetime, rule: Escalation) -> str:
    """A surge on one subject is told once per window: the window it started in."""
    bucket = int(first_at.timestamp() // (rule.surge_minutes * 60))
    return f"surge:{subject}:{value.casefold()}:{bucket}"
