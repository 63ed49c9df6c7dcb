"""The incident lifecycle, its drafts and its deliveries as explicit state machines.

States, actions and where each leads are the tables below; ``transition``,
``draft_transition`` and ``outbox_transition`` are the only ways to move them.
Who takes each person's action is not here: it is the regulation's, and comes
from the organisation's profile (``Profile.performers``).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

from incident_bridge.domain.errors import IllegalTransition, PermissionDenied
from incident_bridge.domain.model import DraftKind, OutboundKind


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
    """What a person does. One set for the workflow, the clocks and the profiles' steps."""

    OPERATOR = "operator"  # the appeals department (отдел по обращениям граждан)
    CURATOR = (
        "curator"  # the coordinating body that routes and approves (Lipetsk, Leningrad, Sobolevo)
    )
    EXECUTOR = "executor"  # a subdivision's or agency's employee who drafts replies
    REGIONAL_AUTHORITY = "regional_authority"  # approves a municipality's drafts (Luga)
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.OPERATOR: "Оператор (отдел по обращениям)",
    Role.CURATOR: "Куратор",
    Role.EXECUTOR: "Исполнитель",
    Role.REGIONAL_AUTHORITY: "Уполномоченный региональный орган",
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
    DELIVERY_REFUSED = "delivery_refused"
    AUTHOR_REPLIED = "author_replied"
    CLOSE = "close"
    # The regional authority approves or returns a municipality's draft in the incident
    # system (Luga cl.7-9); the sync reports its decision.
    APPROVED_REMOTELY = "approved_remotely"
    RETURNED_REMOTELY = "returned_remotely"

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
    Action.DELIVERY_REFUSED: "Система Инцидент отклонила публикацию",
    Action.AUTHOR_REPLIED: "Автор дал уточнение",
    Action.CLOSE: "Закрыть без ответа автора",
    Action.APPROVED_REMOTELY: "Согласовано региональным органом",
    Action.RETURNED_REMOTELY: "Возвращено региональным органом на доработку",
}

#: A person acting, or the sync jobs acting for the incident system.
SYSTEM = "system"

#: Actions only the sync jobs take, on the incident system's word.
SYSTEM_ACTIONS = frozenset(
    {
        Action.DELIVERED,
        Action.DELIVERY_REFUSED,
        Action.AUTHOR_REPLIED,
        Action.APPROVED_REMOTELY,
        Action.RETURNED_REMOTELY,
    }
)
#: Actions people take. Who takes each is the regulation's: its profile's ``[steps]``.
PERSON_ACTIONS = tuple(a for a in Action if a not in SYSTEM_ACTIONS)

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
    (Status.ON_REVIEW, Action.APPROVED_REMOTELY): Status.PUBLISHING,
    (Status.ON_REVIEW, Action.RETURNED_REMOTELY): Status.REWORK,
    # The system refused the approved reply: back to the department, which can edit or return it.
    (Status.PUBLISHING, Action.DELIVERY_REFUSED): Status.ON_REVIEW,
    (Status.REWORK, Action.SUBMIT_DRAFT): Status.ON_REVIEW,
    (Status.INTERIM_ANSWERED, Action.SUBMIT_DRAFT): Status.ON_REVIEW,
    (Status.AWAITING_AUTHOR, Action.AUTHOR_REPLIED): Status.ROUTED,
    (Status.AWAITING_AUTHOR, Action.CLOSE): Status.CLOSED,
}

# Several bodies publishing in turn (Leningrad 8.9): no combined draft goes on review;
# the curator's consent to the last part publishes the message. Only the parts use case
# takes this step, so the page never offers it as a plain action.
IN_TURN_TRANSITIONS: dict[tuple[Status, Action], Status] = {
    (Status.ROUTED, Action.APPROVE): Status.PUBLISHING,
}

AFTER_DELIVERY: dict[DraftKind, Status] = {
    DraftKind.ANSWER: Status.CLOSED,
    DraftKind.INTERIM: Status.INTERIM_ANSWERED,
    DraftKind.CLARIFICATION: Status.AWAITING_AUTHOR,
}

# Draft kinds an executor may submit from each state (the final answer after an interim one).
DRAFT_KINDS_FROM: dict[Status, frozenset[DraftKind]] = {
    Status.ROUTED: frozenset(DraftKind),
    Status.REWORK: frozenset(DraftKind),
    Status.INTERIM_ANSWERED: frozenset({DraftKind.ANSWER, DraftKind.CLARIFICATION}),
}
#: States in which the executor may edit the working draft.
DRAFTING_STATES = frozenset(DRAFT_KINDS_FROM)

# Actions that need a written reason or comment from the person.
NEEDS_REASON = frozenset(
    {Action.REDIRECT, Action.EXCLUDE, Action.DECLINE, Action.RETURN, Action.CLOSE}
)


def may_take(role: str, action: Action, performers: Mapping[Action, Role]) -> bool:
    """Whether ``role`` may take ``action`` when the regulation gives its steps to ``performers``.

    An admin may stand in for the department's or the curator's steps (attributed to
    the admin), never for an executor's: the executor answers for the draft.
    """
    if action in SYSTEM_ACTIONS:
        return role == SYSTEM
    who = performers.get(action)
    if who is None:
        return False
    return role == who or (role == Role.ADMIN and who is not Role.EXECUTOR)


def sending_action(kind: OutboundKind) -> Action:
    """The person's step that sent an outbound of ``kind``: whoever may take it may resend it."""
    if kind is OutboundKind.APPROVAL_REQUEST:
        return Action.SUBMIT_DRAFT
    return Action.REDIRECT if kind is OutboundKind.REDIRECT else Action.APPROVE


class DraftState(enum.StrEnum):
    """Where one round of an executor's draft stands."""

    EDITING = "editing"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    RETURNED = "returned"

    @property
    def label(self) -> str:
        return DRAFT_STATE_LABELS[self]


DRAFT_STATE_LABELS = {
    DraftState.EDITING: "черновик",
    DraftState.SUBMITTED: "на проверке",
    DraftState.APPROVED: "одобрен",
    DraftState.RETURNED: "возвращён на доработку",
}

# (draft state, the message's action) -> the draft's next state.
DRAFT_TRANSITIONS: dict[tuple[DraftState, Action], DraftState] = {
    (DraftState.EDITING, Action.SUBMIT_DRAFT): DraftState.SUBMITTED,
    (DraftState.SUBMITTED, Action.APPROVE): DraftState.APPROVED,
    (DraftState.SUBMITTED, Action.RETURN): DraftState.RETURNED,
    (DraftState.SUBMITTED, Action.APPROVED_REMOTELY): DraftState.APPROVED,
    (DraftState.SUBMITTED, Action.RETURNED_REMOTELY): DraftState.RETURNED,
    (DraftState.APPROVED, Action.DELIVERY_REFUSED): DraftState.SUBMITTED,
}


def draft_transition(state: DraftState, action: Action) -> DraftState:
    """The draft's state after ``action`` on its message, or a refusal."""
    after = DRAFT_TRANSITIONS.get((state, action))
    if after is None:
        raise IllegalTransition(
            f"Действие «{action.label}» невозможно: проект ответа в состоянии «{state.label}»."
        )
    return after


class OutboxState(enum.StrEnum):
    """Where one delivery to the incident system stands."""

    PENDING = "pending"
    SENT = "sent"
    NEEDS_ATTENTION = "needs_attention"  # out of attempts: a person may send it again
    REFUSED = "refused"  # the system refused it for good: the message went back to a person

    @property
    def label(self) -> str:
        return OUTBOX_STATE_LABELS[self]


OUTBOX_STATE_LABELS = {
    OutboxState.PENDING: "ожидает отправки",
    OutboxState.SENT: "доставлено",
    OutboxState.NEEDS_ATTENTION: "не доставлено — нужно вмешательство",
    OutboxState.REFUSED: "отклонено системой Инцидент",
}


class DeliveryStep(enum.StrEnum):
    """What happens to a delivery: taken, out of attempts, refused, or sent again by a person."""

    DELIVERED = "delivered"
    EXHAUSTED = "exhausted"  # transient failures used up every attempt
    ATTENTION = "attention"  # refused, and only a person can tell what to do (a redirect)
    REFUSED = "refused"  # refused for good; the message went back to the department
    RETRIED = "retried"


OUTBOX_TRANSITIONS: dict[tuple[OutboxState, DeliveryStep], OutboxState] = {
    (OutboxState.PENDING, DeliveryStep.DELIVERED): OutboxState.SENT,
    (OutboxState.PENDING, DeliveryStep.EXHAUSTED): OutboxState.NEEDS_ATTENTION,
    (OutboxState.PENDING, DeliveryStep.ATTENTION): OutboxState.NEEDS_ATTENTION,
    (OutboxState.PENDING, DeliveryStep.REFUSED): OutboxState.REFUSED,
    (OutboxState.NEEDS_ATTENTION, DeliveryStep.RETRIED): OutboxState.PENDING,
}


def outbox_transition(state: OutboxState, step: DeliveryStep) -> OutboxState:
    """The delivery's state after ``step``, or a refusal."""
    after = OUTBOX_TRANSITIONS.get((state, step))
    if after is None:
        if step is DeliveryStep.RETRIED and state is OutboxState.REFUSED:
            raise IllegalTransition(
                "Система Инцидент отклонила этот ответ: исправьте проект и одобрите его снова "
                "или верните исполнителю на доработку."
            )
        if step is DeliveryStep.RETRIED:
            raise IllegalTransition("Повторить можно только отправку, которая не удалась.")
        raise IllegalTransition(f"Отправка уже в состоянии «{state.label}».")
    return after


@dataclass(frozen=True, slots=True)
class Decision:
    """The outcome of a legal transition."""

    before: Status
    after: Status
    action: Action


def allowed_actions(
    state: Status, actor_role: str, performers: Mapping[Action, Role]
) -> list[Action]:
    """Actions ``actor_role`` may take from ``state`` under the regulation's ``performers``, in table order."""
    return [
        action
        for (src, action) in TRANSITIONS
        if src == state and may_take(actor_role, action, performers)
    ]


def transition(
    state: Status,
    action: Action,
    *,
    actor_role: str,
    performers: Mapping[Action, Role],
    draft_kind: DraftKind | None = None,
    reason: str | None = None,
    in_turn: bool = False,
) -> Decision:
    """Decide where ``action`` takes a message in ``state``, or refuse with a clear error.

    ``in_turn``: the parts are published one by one (``IN_TURN_TRANSITIONS`` apply).
    """
    if not may_take(actor_role, action, performers):
        who = performers.get(action)
        by = f" (по регламенту: {who.label.lower()})" if who is not None else ""
        raise PermissionDenied(f"Действие «{action.label}» недоступно для этой роли{by}.")
    if action is Action.DELIVERED:
        if state is not Status.PUBLISHING or draft_kind is None:
            raise IllegalTransition(
                f"Нельзя отметить публикацию: сообщение в состоянии «{state.label}»."
            )
        return Decision(state, AFTER_DELIVERY[draft_kind], action)
    after = (IN_TURN_TRANSITIONS if in_turn else TRANSITIONS).get((state, action))
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
