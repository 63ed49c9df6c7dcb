"""Value types of the domain: the incident card as the incident system exports it.

Every datetime in the domain is timezone-aware and in UTC; the organisation's
zone is applied only when a time is shown.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime


class Importance(enum.StrEnum):
    """«Важность» of an incident card."""

    HIGH = "high"  # «Высокая»
    NORMAL = "normal"  # «Обычная»
    PRIVATE = "private"  # «ЛС» — a private message

    @property
    def label(self) -> str:
        return IMPORTANCE_LABELS[self]


IMPORTANCE_LABELS = {
    Importance.HIGH: "Высокая",
    Importance.NORMAL: "Обычная",
    Importance.PRIVATE: "ЛС",
}


class Feedback(enum.StrEnum):
    """The author's reaction after the answer («Автор доволен / нейтрален / недоволен»)."""

    SATISFIED = "satisfied"
    NEUTRAL = "neutral"
    DISSATISFIED = "dissatisfied"

    @property
    def label(self) -> str:
        return FEEDBACK_LABELS[self]


FEEDBACK_LABELS = {
    Feedback.SATISFIED: "Автор доволен",
    Feedback.NEUTRAL: "Автор нейтрален",
    Feedback.DISSATISFIED: "Автор недоволен",
}


class Platform(enum.StrEnum):
    """Social networks and other channels a message can come from."""

    VK = "vk"
    OK = "ok"
    TELEGRAM = "telegram"
    FACEBOOK = "facebook"
    INSTAGRAM = "instagram"
    TWITTER = "twitter"
    YOUTUBE = "youtube"
    FORUM = "forum"
    OTHER = "other"

    @property
    def label(self) -> str:
        return PLATFORM_LABELS[self]

    @classmethod
    def of(cls, value: str) -> Platform:
        """The platform named ``value``; a code the bridge does not know is ``OTHER``."""
        return cls(value) if value in cls._value2member_map_ else cls.OTHER

    @property
    def reply_limit(self) -> int:
        """The longest reply, in characters, the incident system accepts for this platform."""
        return REPLY_LIMITS.get(self, MAX_REPLY_LENGTH)


#: The incident system refuses a reply or redirect reason longer than this (docs/incident-api.md).
MAX_REPLY_LENGTH = 4096
#: Platforms whose own limit is shorter (the API contract refuses longer replies for them).
REPLY_LIMITS: dict[str, int] = {
    "instagram": 2200,
    "twitter": 280,
}

PLATFORM_LABELS = {
    Platform.VK: "ВКонтакте",
    Platform.OK: "Одноклассники",
    Platform.TELEGRAM: "Telegram",
    Platform.FACEBOOK: "Facebook",
    Platform.INSTAGRAM: "Instagram",
    Platform.TWITTER: "Twitter",
    Platform.YOUTUBE: "Видеохостинг",
    Platform.FORUM: "Форум / блог",
    Platform.OTHER: "Другое",
}


class DraftKind(enum.StrEnum):
    """What an executor's draft is: the answer, an interim answer or a clarification request."""

    ANSWER = "answer"
    INTERIM = "interim"
    CLARIFICATION = "clarification"

    @property
    def label(self) -> str:
        return DRAFT_KIND_LABELS[self]


DRAFT_KIND_LABELS = {
    DraftKind.ANSWER: "Ответ",
    DraftKind.INTERIM: "Промежуточный ответ",
    DraftKind.CLARIFICATION: "Запрос уточнения у автора",
}


@dataclass(frozen=True, slots=True)
class CardLimits:
    """The longest value each card field may have: what the bridge can store.

    The wire schema and the import refuse longer values (the record is
    quarantined with the reason), so one odd record never breaks a page.
    """

    external_id: int = 100
    number: int = 100
    author_name: int = 300
    url: int = 1000
    municipality: int = 200
    topic: int = 300
    step: int = 200
    text: int = 100_000
    attachments: int = 50
    extra_key: int = 100
    extra_value: int = 2000
    extra_entries: int = 100
    follow_ups: int = 500


CARD_LIMITS = CardLimits()
#: Revisions are stored as signed 64-bit integers.
MAX_REVISION = 2**63 - 1


@dataclass(frozen=True, slots=True)
class Author:
    """The citizen who wrote the message."""

    name: str
    profile_url: str | None = None


@dataclass(frozen=True, slots=True)
class AuthorMessage:
    """A follow-up the author wrote in the thread after the incident was created."""

    external_id: str
    text: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class IncidentCard:
    """One incident as the incident system describes it (its export's columns).

    ``revision`` grows every time the system changes the card; an older
    revision must never overwrite a newer one.
    """

    external_id: str
    number: str
    created_at: datetime
    detected_at: datetime
    text: str
    author: Author
    platform: Platform
    post_url: str | None
    municipality: str
    topic_group: str
    topic: str
    importance: Importance
    revision: int
    attachments: tuple[str, ...] = ()
    step: str | None = None
    feedback: Feedback | None = None
    follow_ups: tuple[AuthorMessage, ...] = ()
    extra: dict[str, str] = field(default_factory=dict)
    approval: ApprovalDecision | None = None


class ApprovalVerdict(enum.StrEnum):
    """The regional authority's decision on a municipality's draft, as the system reports it."""

    APPROVED = "approved"
    RETURNED = "returned"


@dataclass(frozen=True, slots=True)
class ApprovalDecision:
    """The latest decision on the draft sent for approval (Luga cl.7-9): when, what, why."""

    verdict: ApprovalVerdict
    decided_at: datetime
    comment: str = ""


class OutboundKind(enum.StrEnum):
    """What the bridge sends to the incident system: a draft of one of the kinds, or a redirect."""

    ANSWER = "answer"
    INTERIM = "interim"
    CLARIFICATION = "clarification"
    REDIRECT = "redirect"
    # A draft sent up for the regional authority's approval (Luga cl.7), not to the author.
    APPROVAL_REQUEST = "approval_request"
    # One body's part published on its own, in turn (Leningrad 8.9): an answer to the author.
    PART_ANSWER = "part_answer"

    @classmethod
    def of(cls, kind: DraftKind) -> OutboundKind:
        """What an approved draft of ``kind`` is sent as (the same name)."""
        return cls(kind.value)

    @property
    def draft_kind(self) -> DraftKind | None:
        """The draft kind this outbound publishes; None for a redirect, an approval request
        or a part published in turn (the message closes when its last part is delivered)."""
        return DraftKind(self.value) if self.value in DraftKind._value2member_map_ else None

    @property
    def label(self) -> str:
        return OUTBOUND_LABELS[self]


OUTBOUND_LABELS = {
    OutboundKind.ANSWER: "Ответ",
    OutboundKind.INTERIM: "Промежуточный ответ",
    OutboundKind.CLARIFICATION: "Запрос уточнения",
    OutboundKind.REDIRECT: "Перенаправление",
    OutboundKind.APPROVAL_REQUEST: "На согласование в региональный орган",
    OutboundKind.PART_ANSWER: "Ответ органа (публикация по очереди)",
}


@dataclass(frozen=True, slots=True)
class Outbound:
    """One thing to deliver to the incident system, with its idempotency key."""

    external_id: str
    kind: OutboundKind
    idempotency_key: str
    text: str
    signed_by: str | None = None


@dataclass(frozen=True, slots=True)
class Delivery:
    """The incident system's acknowledgement of one delivered ``Outbound``."""

    remote_id: str
    accepted_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class IncidentPage:
    """One page of changed incidents and the cursor to ask for the next one."""

    cards: tuple[IncidentCard, ...]
    rejected: tuple[RejectedRecord, ...]
    next_cursor: str | None
    has_more: bool


@dataclass(frozen=True, slots=True)
class RejectedRecord:
    """A record of a page that failed validation: kept raw, with the reason."""

    external_id: str | None
    raw: str
    reason: str
