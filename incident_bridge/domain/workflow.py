"""The incident lifecycle as one explicit state machine.

States, actions, who may take each action and where it leads are all in the
tables below; ``transition`` is the only way to move a message.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from incident_bridge.domain.errors import IllegalTransition, PermissionDenied
from incident_bridge.domain.model import DraftKind


class Status(enum.StrEnum):
    """Where a message stands in the cycle."""

    NEW = "new"
    ROUTED = "routed"
    ON_REVIEW = "on_review"
    REWORK = "rework"
    PUBLISHING = "publishing"
    AWAITING_AUTHOR = "awaiting_author"
    INTERIM_ANSWERED = "interim_answered"
    CLOSED = "closed"
    REDIRECTED = "redirected"
    EXCLUDED = "excluded"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]

    @property
    def is_final(self) -> bool:
        return self in FINAL_STATUSES


STATUS_LABELS = {
    Status.NEW: "Новое, ждёт распределения",
    Status.ROUTED: "У исполнителя",
    Status.ON_REVIEW: "Проект ответа на проверке",
    Status.REWORK: "На доработке у исполнителя",
    Status.PUBLISHING: "Одобрено, публикуется",
    Status.AWAITING_AUTHOR: "Ждёт уточнения от автора",
    Status.INTERIM_ANSWERED: "Дан промежуточный ответ",
    Status.CLOSED: "Закрыто",
    Status.REDIRECTED: "Перенаправлено (не в компетенции)",
    Status.EXCLUDED: "Исключено из работы",
}

FINAL_STATUSES = frozenset({Status.CLOSED, Status.REDIRECTED, Status.EXCLUDED})


class Role(enum.StrEnum):
    """What a person does in the bridge."""

    OPERATOR = "operator"  # the appeals department (отдел по обращениям граждан)
    EXECUTOR = "executor"  # a subdivision's employee who drafts replies
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.OPERATOR: "Оператор (отдел по обращениям)",
    Role.EXECUTOR: "Исполнитель",
    Role.ADMIN: "Администратор",
}


class Action(enum.StrEnum):
    """Everything that can move a message from one state to another."""

    ROUTE = "route"
    REDIRECT = "redirect"
    EXCLUDE = "exclude"
    DECLINE = "decline"
    SUBMIT_DRAFT = "submit_draft"
    APPROVE = "approve"
    RETURN = "return"
    DELIVERED = "delivered"
    AUTHOR_REPLIED = "author_replied"
    CLOSE = "close"

    @property
    def label(self) -> str:
        return ACTION_LABELS[self]


ACTION_LABELS = {
    Action.ROUTE: "Направить исполнителю",
    Action.REDIRECT: "Перенаправить (не в компетенции)",
    Action.EXCLUDE: "Исключить из работы",
    Action.DECLINE: "Вернуть в отдел: не в компетенции подразделения",
    Action.SUBMIT_DRAFT: "Отправить проект на проверку",
    Action.APPROVE: "Одобрить и опубликовать",
    Action.RETURN: "Вернуть на доработку",
    Action.DELIVERED: "Опубликовано в системе Инцидент",
    Action.AUTHOR_REPLIED: "Автор дал уточнение",
    Action.CLOSE: "Закрыть без ответа автора",
}

#: A person acting, or the sync jobs acting for the incident system.
SYSTEM = "system"

# (state, action) -> next state. DELIVERED is resolved by the draft kind below.
TRANSITIONS: dict[tuple[Status, Action], Status] = {
    (Status.NEW, Action.ROUTE): Status.ROUTED,
    (Status.NEW, Action.REDIRECT): Status.REDIRECTED,
    (Status.NEW, Action.EXCLUDE): Status.EXCLUDED,
    (Status.ROUTED, Action.SUBMIT_DRAFT): Status.ON_REVIEW,
    (Status.ROUTED, Action.DECLINE): Status.NEW,
    (Status.ROUTED, Action.EXCLUDE): Status.EXCLUDED,
    (Status.ON_REVIEW, Action.APPROVE): Status.PUBLISHING,
    (Status.ON_REVIEW, Action.RETURN): Status.REWORK,
    (Status.REWORK, Action.SUBMIT_DRAFT): Status.ON_REVIEW,
    (Status.INTERIM_ANSWERED, Action.SUBMIT_DRAFT): Status.ON_REVIEW,
    (Status.AWAITING_AUTHOR, Action.AUTHOR_REPLIED): Status.ROUTED,
    (Status.AWAITING_AUTHOR, Action.CLOSE): Status.CLOSED,
}

AFTER_DELIVERY: dict[DraftKind, Status] = {
    DraftKind.ANSWER: Status.CLOSED,
    DraftKind.INTERIM: Status.INTERIM_ANSWERED,
    DraftKind.CLARIFICATION: Status.AWAITING_AUTHOR,
}

# Who may take each action. SYSTEM is the sync jobs.
ACTORS: dict[Action, frozenset[str]] = {
    Action.ROUTE: frozenset({Role.OPERATOR, Role.ADMIN}),
    Action.REDIRECT: frozenset({Role.OPERATOR, Role.ADMIN}),
    Action.EXCLUDE: frozenset({Role.OPERATOR, Role.ADMIN}),
    Action.DECLINE: frozenset({Role.EXECUTOR}),
    Action.SUBMIT_DRAFT: frozenset({Role.EXECUTOR}),
    Action.APPROVE: frozenset({Role.OPERATOR, Role.ADMIN}),
    Action.RETURN: frozenset({Role.OPERATOR, Role.ADMIN}),
    Action.CLOSE: frozenset({Role.OPERATOR, Role.ADMIN}),
    Action.DELIVERED: frozenset({SYSTEM}),
    Action.AUTHOR_REPLIED: frozenset({SYSTEM}),
}

# Draft kinds an executor may submit from each state (the final answer after an interim one).
DRAFT_KINDS_FROM: dict[Status, frozenset[DraftKind]] = {
    Status.ROUTED: frozenset(DraftKind),
    Status.REWORK: frozenset(DraftKind),
    Status.INTERIM_ANSWERED: frozenset({DraftKind.ANSWER, DraftKind.CLARIFICATION}),
}

# Actions that need a written reason or comment from the person.
NEEDS_REASON = frozenset(
    {Action.REDIRECT, Action.EXCLUDE, Action.DECLINE, Action.RETURN, Action.CLOSE}
)


@dataclass(frozen=True, slots=True)
class Decision:
    """The outcome of a legal transition."""

    before: Status
    after: Status
    action: Action


def allowed_actions(state: Status, actor_role: str) -> list[Action]:
    """Actions ``actor_role`` may take from ``state``, in table order."""
    return [
        action for (src, action) in TRANSITIONS if src == state and actor_role in ACTORS[action]
    ]


def transition(
    state: Status,
    action: Action,
    *,
    actor_role: str,
    draft_kind: DraftKind | None = None,
    reason: str | None = None,
) -> Decision:
    """Decide where ``action`` takes a message in ``state``, or refuse with a clear error."""
    if actor_role not in ACTORS[action]:
        raise PermissionDenied(f"Действие «{action.label}» недоступно для этой роли.")
    if action is Action.DELIVERED:
        if state is not Status.PUBLISHING or draft_kind is None:
            raise IllegalTransition(
                f"Нельзя отметить публикацию: сообщение в состоянии «{state.label}»."
            )
        return Decision(state, AFTER_DELIVERY[draft_kind], action)
    after = TRANSITIONS.get((state, action))
    if after is None:
        raise IllegalTransition(
            f"Действие «{action.label}» невозможно: сообщение в состоянии «{state.label}»."
        )
    if action is Action.SUBMIT_DRAFT and (
        draft_kind is None or draft_kind not in DRAFT_KINDS_FROM[state]
    ):
        kind = draft_kind.label if draft_kind else "без вида"
        raise IllegalTransition(f"Проект «{kind}» нельзя отправить из состояния «{state.label}».")
    if action in NEEDS_REASON and not (reason and reason.strip()):
        raise IllegalTransition(f"Для действия «{action.label}» укажите причину.")
    return Decision(state, after, action)
