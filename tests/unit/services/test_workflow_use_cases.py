"""The department's and the executors' use cases on an in-memory unit of work (no database).

The same behaviours run on SQLite and PostgreSQL in tests/integration/test_lifecycle.py.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from incident_bridge.domain.errors import ConcurrentUpdate, IllegalTransition, PermissionDenied
from incident_bridge.domain.model import DraftKind, IncidentPage, OutboundKind, Platform
from incident_bridge.domain.review import Check
from incident_bridge.domain.workflow import DraftState, OutboxState, Status
from incident_bridge.persistence.models import Incident
from incident_bridge.services import checks, ingest, outbox, workflow
from incident_bridge.services.actors import SYSTEM_ACTOR, actor_for
from incident_bridge.services.context import Context
from tests.fakes import (
    GOOD_ANSWER,
    DeliveryRejected,
    FakeIncidentSystem,
    TransientDeliveryError,
    make_card,
)
from tests.unit.services.fakes import Cast, FakeUnitOfWork

CLARIFICATION = "Здравствуйте, Иван! Уточните, пожалуйста, номер дома."
INTERIM = "Здравствуйте, Иван! Вопрос на контроле, ответим после обследования."
# Greets the author but never says when the pothole will be repaired.
INCOMPLETE_ANSWER = "Здравствуйте, Иван! Спасибо за обращение, оно принято в работу."


def arrive(uow: FakeUnitOfWork, ctx: Context, now: datetime, **card: Any) -> Incident:
    """A new message created in the incident system at ``now``, stored as the poller stores it."""
    page = IncidentPage(
        (make_card(**{"created_at": now, "detected_at": now, **card}),), (), None, False
    )
    with uow:
        result = ingest.ingest_page(uow, ctx, page, now)
    incident = uow.incidents.get(result.incident_ids[0])
    assert incident is not None
    return incident


def kinds(incident: Incident) -> list[str]:
    return [entry.kind for entry in incident.events]


def on_review(
    uow: FakeUnitOfWork,
    ctx: Context,
    people: Cast,
    now: datetime,
    kind: DraftKind,
    text: str,
    **card: Any,
) -> Incident:
    """A message routed to the roads subdivision whose executor submitted ``text``."""
    incident = arrive(uow, ctx, now, **card)
    workflow.route(uow, ctx, incident.id, actor_for(people.operator), people.roads.id, now=now)
    workflow.submit_draft(
        uow, ctx, incident.id, actor_for(people.roads_executor), kind, text, now=now
    )
    return incident


def test_the_whole_cycle_is_recorded_attributed_and_leaves_one_answer_to_send(
    uow: FakeUnitOfWork, ctx: Context, people: Cast, now: datetime
) -> None:
    operator, executor = actor_for(people.operator), actor_for(people.roads_executor)
    incident = arrive(uow, ctx, now)
    due = [incident.due_at]

    workflow.route(uow, ctx, incident.id, operator, people.roads.id, now=now)
    due.append(incident.due_at)
    workflow.submit_draft(
        uow, ctx, incident.id, executor, DraftKind.ANSWER, "Яму заделаем.",
        now=now + timedelta(hours=1),
    )  # fmt: skip
    workflow.return_for_rework(
        uow, ctx, incident.id, operator, "Нет приветствия и срока.",
        now=now + timedelta(hours=1, minutes=10),
    )  # fmt: skip
    assert (incident.status, incident.drafts[0].state) == (Status.REWORK, DraftState.RETURNED)
    workflow.submit_draft(
        uow, ctx, incident.id, executor, DraftKind.ANSWER, GOOD_ANSWER,
        now=now + timedelta(hours=1, minutes=20),
    )  # fmt: skip
    approved = workflow.approve(
        uow, ctx, incident.id, operator, now=now + timedelta(hours=1, minutes=30)
    )
    due.append(incident.due_at)

    assert incident.status is Status.PUBLISHING
    assert [(e.kind, e.actor_id) for e in incident.events] == [
        ("arrived", None),
        ("route", people.operator.id),
        ("submit_draft", people.roads_executor.id),
        ("return", people.operator.id),
        ("submit_draft", people.roads_executor.id),
        ("approve", people.operator.id),
    ]
    assert incident.events[0].actor_label == SYSTEM_ACTOR.label
    assert incident.events[3].comment == "Нет приветствия и срока."
    assert [d.state for d in incident.drafts] == [DraftState.RETURNED, DraftState.APPROVED]
    assert incident.drafts[0].review_comment == "Нет приветствия и срока."
    assert approved.reviewer_id == people.operator.id

    [row] = uow.outbox.pending()
    assert (row.kind, row.text, row.draft_id) == (OutboundKind.ANSWER, GOOD_ANSWER, approved.id)
    assert row.incident_id == incident.id and row.signed_by == people.operator.full_name

    # Arrived Thu 12:00 in Yelets: routing (1 wh) or redirect (30 wmin) is due first.
    assert due[0] == datetime(2025, 10, 30, 9, 30, tzinfo=UTC)
    # Routed at 12:00: the draft's 6 wh are 12–13 and 14–18 on Thursday, 09–10 on Friday.
    assert due[1] == datetime(2025, 10, 31, 7, 0, tzinfo=UTC)
    # Approved: the publishing clock runs now.
    assert due[2] is not None and due[2] > now + timedelta(hours=1, minutes=30)
    assert uow.rolled_back == 0


def test_a_refused_step_changes_nothing_and_rolls_back(
    uow: FakeUnitOfWork, ctx: Context, people: Cast, now: datetime
) -> None:
    incident = arrive(uow, ctx, now)
    workflow.route(uow, ctx, incident.id, actor_for(people.operator), people.roads.id, now=now)
    before = (incident.status, len(incident.events), incident.version_id, incident.due_at)
    committed, rolled_back = uow.committed, uow.rolled_back

    with pytest.raises(IllegalTransition, match="Нет проекта ответа на проверке"):
        workflow.approve(uow, ctx, incident.id, actor_for(people.operator), now=now)

    assert (incident.status, len(incident.events), incident.version_id, incident.due_at) == before
    assert uow.outbox.rows == []
    assert (uow.committed, uow.rolled_back) == (committed, rolled_back + 1)


def test_a_step_refused_halfway_puts_back_the_draft_it_had_begun_to_change(
    uow: FakeUnitOfWork, ctx: Context, people: Cast, now: datetime
) -> None:
    """After an interim answer only the final answer may follow; the refusal comes after the
    draft was already rewritten and flushed, so only a real rollback leaves it as it was."""
    operator, executor = actor_for(people.operator), actor_for(people.roads_executor)
    incident = on_review(uow, ctx, people, now, DraftKind.INTERIM, INTERIM)
    workflow.approve(uow, ctx, incident.id, operator, now=now)
    outbox.push(uow, ctx, FakeIncidentSystem(), now)
    assert incident.status is Status.INTERIM_ANSWERED
    draft = workflow.save_draft(
        uow, ctx, incident.id, executor, DraftKind.ANSWER, "Черновик ответа", now=now
    )
    history, version = kinds(incident), incident.version_id

    with pytest.raises(IllegalTransition, match="нельзя отправить из состояния"):
        workflow.submit_draft(
            uow, ctx, incident.id, executor, DraftKind.INTERIM, "Ещё один промежуточный", now=now
        )

    assert (draft.kind, draft.text, draft.state) == (
        DraftKind.ANSWER,
        "Черновик ответа",
        DraftState.EDITING,
    )
    assert incident.drafts[-1] is draft and len(incident.drafts) == 2
    assert (incident.status, kinds(incident), incident.version_id) == (
        Status.INTERIM_ANSWERED,
        history,
        version,
    )


def test_under_yelets_an_executor_cannot_route(
    uow: FakeUnitOfWork, ctx: Context, people: Cast, now: datetime
) -> None:
    incident = arrive(uow, ctx, now)
    with pytest.raises(PermissionDenied, match="по регламенту: оператор"):
        workflow.route(
            uow, ctx, incident.id, actor_for(people.roads_executor), people.roads.id, now=now
        )
    assert incident.status is Status.NEW and kinds(incident) == ["arrived"]


def test_under_lipetsk_the_curator_routes_and_an_admin_may_stand_in_but_not_the_operator(
    uow: FakeUnitOfWork, lipetsk: Context, people: Cast, now: datetime
) -> None:
    first, second = arrive(uow, lipetsk, now), arrive(uow, lipetsk, now)

    with pytest.raises(PermissionDenied, match="по регламенту: куратор"):
        workflow.route(uow, lipetsk, first.id, actor_for(people.operator), people.roads.id, now=now)
    assert first.status is Status.NEW

    workflow.route(uow, lipetsk, first.id, actor_for(people.curator), people.roads.id, now=now)
    workflow.route(uow, lipetsk, second.id, actor_for(people.admin), people.housing.id, now=now)
    assert (first.status, first.subdivision_id, first.events[-1].actor_id) == (
        Status.ROUTED,
        people.roads.id,
        people.curator.id,
    )
    assert (second.status, second.subdivision_id, second.events[-1].actor_id) == (
        Status.ROUTED,
        people.housing.id,
        people.admin.id,
    )


def test_only_an_executor_of_the_subdivision_it_was_routed_to_submits(
    uow: FakeUnitOfWork, ctx: Context, people: Cast, now: datetime
) -> None:
    incident = arrive(uow, ctx, now)
    workflow.route(uow, ctx, incident.id, actor_for(people.operator), people.roads.id, now=now)

    with pytest.raises(PermissionDenied, match="другому подразделению"):
        workflow.submit_draft(
            uow, ctx, incident.id, actor_for(people.housing_executor), DraftKind.ANSWER,
            GOOD_ANSWER, now=now,
        )  # fmt: skip
    with pytest.raises(PermissionDenied, match="готовит исполнитель"):
        workflow.submit_draft(
            uow, ctx, incident.id, actor_for(people.admin), DraftKind.ANSWER, GOOD_ANSWER, now=now
        )
    assert incident.status is Status.ROUTED and incident.drafts == []


def test_under_yelets_exclusion_keeps_the_operators_grounds_and_no_clause(
    uow: FakeUnitOfWork, ctx: Context, people: Cast, now: datetime
) -> None:
    incident = arrive(uow, ctx, now, text="Приду и сожгу вашу администрацию!")
    workflow.exclude(uow, ctx, incident.id, actor_for(people.operator), "Угроза", now=now)

    entry = incident.events[-1]
    assert incident.status is Status.EXCLUDED
    assert (entry.kind, entry.actor_id, entry.comment) == ("exclude", people.operator.id, "Угроза")
    assert entry.data == {"grounds": "Угроза"}


def test_under_lipetsk_exclusion_carries_the_regulations_clause_and_grounds(
    uow: FakeUnitOfWork, lipetsk: Context, people: Cast, now: datetime
) -> None:
    incident = arrive(uow, lipetsk, now, text="Приду и сожгу вашу администрацию!")
    workflow.exclude(uow, lipetsk, incident.id, actor_for(people.curator), "Угроза", now=now)

    entry = incident.events[-1]
    assert incident.status is Status.EXCLUDED
    assert entry.comment == "Угроза"  # the person's own words are kept too
    assert entry.data["clause"] == "п. 17"
    assert entry.data["grounds"].startswith("Не подлежат обработке и ответу")


def test_a_clarification_request_is_not_held_to_answer_every_question(
    uow: FakeUnitOfWork, ctx: Context, people: Cast, now: datetime
) -> None:
    incident = on_review(uow, ctx, people, now, DraftKind.CLARIFICATION, CLARIFICATION)
    # The same text as a full answer would fail completeness: the draft's kind decides.
    as_answer = checks.review(uow, ctx, incident, CLARIFICATION, DraftKind.ANSWER)
    assert Check.COMPLETENESS in checks.failed(as_answer)

    workflow.approve(uow, ctx, incident.id, actor_for(people.operator), now=now)

    entry = incident.events[-1]
    assert incident.status is Status.PUBLISHING
    assert (entry.kind, entry.comment, entry.data["checks_failed"]) == ("approve", None, [])
    assert [r.kind for r in uow.outbox.pending()] == [OutboundKind.CLARIFICATION]


def test_an_answer_failing_completeness_needs_a_written_override(
    uow: FakeUnitOfWork, ctx: Context, people: Cast, now: datetime
) -> None:
    operator = actor_for(people.operator)
    incident = on_review(uow, ctx, people, now, DraftKind.ANSWER, INCOMPLETE_ANSWER)

    for override in (None, "   "):
        with pytest.raises(IllegalTransition, match="ответы на все вопросы"):
            workflow.approve(uow, ctx, incident.id, operator, now=now, override_reason=override)
    assert (incident.status, incident.drafts[-1].state) == (Status.ON_REVIEW, DraftState.SUBMITTED)
    assert uow.outbox.rows == []

    reason = "Срок ремонта ещё не определён, автору сообщат отдельно."
    workflow.approve(uow, ctx, incident.id, operator, now=now, override_reason=reason)

    entry = incident.events[-1]
    assert incident.status is Status.PUBLISHING
    assert (entry.kind, entry.actor_id, entry.comment) == ("approve", people.operator.id, reason)
    assert entry.data["checks_failed"] == ["completeness"]
    assert [r.text for r in uow.outbox.pending()] == [INCOMPLETE_ANSWER]


def test_a_person_sends_a_failed_delivery_again_and_it_is_attributed(
    uow: FakeUnitOfWork, ctx: Context, people: Cast, now: datetime
) -> None:
    incident = on_review(uow, ctx, people, now, DraftKind.ANSWER, GOOD_ANSWER)
    workflow.approve(uow, ctx, incident.id, actor_for(people.operator), now=now)
    system = FakeIncidentSystem(failures=[TransientDeliveryError("connection refused")])
    outbox.push(uow, ctx, system, now, max_attempts=1)
    [row] = uow.outbox.rows
    assert row.state is OutboxState.NEEDS_ATTENTION and kinds(incident)[-1] == "delivery_failed"
    assert incident.status is Status.PUBLISHING  # out of attempts, not refused: it may go again

    later = now + timedelta(minutes=20)
    outbox.retry(uow, ctx, row.id, actor_for(people.operator), later)

    entry = incident.events[-1]
    assert (row.state, row.attempts, row.next_attempt_at) == (OutboxState.PENDING, 0, later)
    assert (entry.kind, entry.actor_id, entry.at) == ("delivery_retry", people.operator.id, later)
    assert entry.data == {"outbox_id": row.id, "role": "operator"}

    outbox.push(uow, ctx, system, later)
    assert incident.status is Status.CLOSED
    assert [o.idempotency_key for o in system.delivered] == [row.idempotency_key]


def test_a_refused_reply_goes_back_to_review_and_can_be_corrected_and_approved(
    uow: FakeUnitOfWork, ctx: Context, people: Cast, now: datetime
) -> None:
    operator = actor_for(people.operator)
    incident = on_review(uow, ctx, people, now, DraftKind.ANSWER, GOOD_ANSWER)
    workflow.approve(uow, ctx, incident.id, operator, now=now)
    system = FakeIncidentSystem(failures=[DeliveryRejected("не длиннее 4096 символов", 422)])
    outbox.push(uow, ctx, system, now)
    [row] = uow.outbox.rows
    assert row.state is OutboxState.REFUSED
    assert incident.status is Status.ON_REVIEW  # no dead end: a person can act again
    assert incident.drafts[-1].state is DraftState.SUBMITTED
    refusal = incident.events[-1]
    assert refusal.kind == "delivery_refused" and "4096" in (refusal.comment or "")
    with pytest.raises(IllegalTransition, match="исправьте проект и одобрите его снова"):
        outbox.retry(uow, ctx, row.id, operator, now)

    corrected = GOOD_ANSWER + " Спасибо за сообщение."
    workflow.edit_draft(uow, ctx, incident.id, operator, corrected, now=now)
    edit = incident.events[-1]
    assert (edit.kind, edit.actor_id) == ("draft_edited", people.operator.id)
    assert edit.data["previous_text"] == GOOD_ANSWER
    assert incident.drafts[-1].author_id == people.roads_executor.id  # still the executor's
    workflow.approve(uow, ctx, incident.id, operator, now=now)
    outbox.push(uow, ctx, system, now)
    assert incident.status is Status.CLOSED
    assert [o.text for o in system.delivered] == [corrected]


def test_only_who_approves_may_correct_a_draft(
    uow: FakeUnitOfWork, ctx: Context, people: Cast, now: datetime
) -> None:
    incident = on_review(uow, ctx, people, now, DraftKind.ANSWER, GOOD_ANSWER)
    with pytest.raises(PermissionDenied):
        workflow.edit_draft(
            uow, ctx, incident.id, actor_for(people.roads_executor), "Другой текст", now=now
        )
    assert incident.drafts[-1].text == GOOD_ANSWER


def test_a_reply_longer_than_the_platform_takes_cannot_be_approved_even_with_a_reason(
    uow: FakeUnitOfWork, ctx: Context, people: Cast, now: datetime
) -> None:
    long = GOOD_ANSWER + " Подробности." * 400  # over 4096 characters
    incident = on_review(uow, ctx, people, now, DraftKind.ANSWER, long, platform=Platform.TELEGRAM)
    with pytest.raises(IllegalTransition, match="при пределе 4096"):
        workflow.approve(uow, ctx, incident.id, actor_for(people.operator), now=now,
                         override_reason="Срочно")  # fmt: skip
    assert incident.status is Status.ON_REVIEW and uow.outbox.rows == []


def test_a_delivery_that_has_not_failed_cannot_be_sent_again(
    uow: FakeUnitOfWork, ctx: Context, people: Cast, now: datetime
) -> None:
    incident = on_review(uow, ctx, people, now, DraftKind.ANSWER, GOOD_ANSWER)
    workflow.approve(uow, ctx, incident.id, actor_for(people.operator), now=now)
    [row] = uow.outbox.rows
    history, rolled_back = kinds(incident), uow.rolled_back

    with pytest.raises(
        IllegalTransition, match="Повторить можно только отправку, которая не удалась"
    ):
        outbox.retry(uow, ctx, row.id, actor_for(people.operator), now)

    assert row.state is OutboxState.PENDING and kinds(incident) == history
    assert uow.rolled_back == rolled_back + 1


def test_a_page_seen_before_someone_else_acted_is_refused(
    uow: FakeUnitOfWork, ctx: Context, people: Cast, now: datetime
) -> None:
    operator, executor = actor_for(people.operator), actor_for(people.roads_executor)
    incident = arrive(uow, ctx, now)
    seen = incident.version_id
    workflow.route(uow, ctx, incident.id, operator, people.roads.id, now=now, expected_version=seen)
    assert incident.version_id != seen

    with pytest.raises(ConcurrentUpdate):
        workflow.exclude(uow, ctx, incident.id, operator, "Угроза", now=now, expected_version=seen)
    assert (incident.status, kinds(incident)) == (Status.ROUTED, ["arrived", "route"])

    # The version the executor sees now is accepted.
    workflow.decline(
        uow, ctx, incident.id, executor, "Не наша улица", now=now,
        expected_version=incident.version_id,
    )  # fmt: skip
    assert incident.status is Status.NEW and incident.subdivision_id is None
