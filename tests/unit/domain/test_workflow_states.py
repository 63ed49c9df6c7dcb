"""The state tables: who may act comes from the regulation, drafts and deliveries move by tables."""

from __future__ import annotations

import pytest

from incident_bridge.domain.errors import IllegalTransition, PermissionDenied
from incident_bridge.domain.events import EventKind, event_of
from incident_bridge.domain.model import DraftKind, OutboundKind
from incident_bridge.domain.workflow import (
    SYSTEM,
    Action,
    DeliveryStep,
    DraftState,
    OutboxState,
    Role,
    Status,
    allowed_actions,
    draft_transition,
    outbox_transition,
    transition,
)

CURATED = {a: Role.CURATOR for a in Action} | {Action.SUBMIT_DRAFT: Role.EXECUTOR,
                                                Action.DECLINE: Role.EXECUTOR}  # fmt: skip


def test_every_action_has_its_history_entry() -> None:
    assert {event_of(a) for a in Action} <= set(EventKind)
    assert event_of(Action.RETURN) is EventKind.RETURN


def test_who_acts_is_the_regulations() -> None:
    assert allowed_actions(Status.NEW, Role.CURATOR, CURATED) == [
        Action.ROUTE, Action.REDIRECT, Action.EXCLUDE
    ]  # fmt: skip
    assert allowed_actions(Status.NEW, Role.OPERATOR, CURATED) == []
    with pytest.raises(PermissionDenied, match="по регламенту: куратор"):
        transition(Status.NEW, Action.ROUTE, actor_role=Role.OPERATOR, performers=CURATED)


def test_an_admin_stands_in_for_the_curator_never_for_the_executor() -> None:
    assert transition(Status.NEW, Action.ROUTE, actor_role=Role.ADMIN, performers=CURATED).after is (
        Status.ROUTED
    )
    with pytest.raises(PermissionDenied):
        transition(Status.ROUTED, Action.SUBMIT_DRAFT, actor_role=Role.ADMIN, performers=CURATED,
                   draft_kind=DraftKind.ANSWER)  # fmt: skip


def test_only_the_sync_marks_a_delivery() -> None:
    with pytest.raises(PermissionDenied):
        transition(Status.PUBLISHING, Action.DELIVERED, actor_role=Role.ADMIN, performers=CURATED,
                   draft_kind=DraftKind.ANSWER)  # fmt: skip
    decision = transition(Status.PUBLISHING, Action.DELIVERED, actor_role=SYSTEM,
                          performers={}, draft_kind=DraftKind.INTERIM)  # fmt: skip
    assert decision.after is Status.INTERIM_ANSWERED


@pytest.mark.parametrize(
    ("state", "action", "after"),
    [
        (DraftState.EDITING, Action.SUBMIT_DRAFT, DraftState.SUBMITTED),
        (DraftState.SUBMITTED, Action.APPROVE, DraftState.APPROVED),
        (DraftState.SUBMITTED, Action.RETURN, DraftState.RETURNED),
    ],
)
def test_draft_states(state: DraftState, action: Action, after: DraftState) -> None:
    assert draft_transition(state, action) is after


def test_an_approved_draft_cannot_be_returned() -> None:
    with pytest.raises(IllegalTransition, match="одобрен"):
        draft_transition(DraftState.APPROVED, Action.RETURN)


def test_delivery_states() -> None:
    assert outbox_transition(OutboxState.PENDING, DeliveryStep.DELIVERED) is OutboxState.SENT
    failed = outbox_transition(OutboxState.PENDING, DeliveryStep.EXHAUSTED)
    assert outbox_transition(failed, DeliveryStep.RETRIED) is OutboxState.PENDING
    with pytest.raises(IllegalTransition, match="только отправку, которая не удалась"):
        outbox_transition(OutboxState.SENT, DeliveryStep.RETRIED)


def test_the_answer_has_one_name() -> None:
    for kind in DraftKind:
        assert OutboundKind.of(kind).draft_kind is kind
        assert OutboundKind.of(kind).value == kind.value
    assert OutboundKind.REDIRECT.draft_kind is None
