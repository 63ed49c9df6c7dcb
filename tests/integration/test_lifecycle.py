"""The whole Yelets cycle through the services, on SQLite and PostgreSQL, with a fake system."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from incident_bridge.domain.errors import ConcurrentUpdate, IllegalTransition, PermissionDenied
from incident_bridge.domain.model import DraftKind, Feedback, OutboundKind
from incident_bridge.domain.workflow import Status
from incident_bridge.persistence.models import Incident, IncidentEvent, OutboxMessage
from incident_bridge.persistence.uow import SqlAlchemyUnitOfWork
from incident_bridge.services import ingest, outbox, polling, screening, workflow
from incident_bridge.services.actors import actor_for
from tests.fakes import GOOD_ANSWER, make_card


def _arrive(uow: Any, ctx: Any, fake_system: Any, now: Any, **card: Any) -> Incident:
    created = fake_system.add(make_card(**card))
    polling.poll(uow, ctx, fake_system, now)
    screening.screen_pending(uow, ctx, now)
    db_session = uow.session
    return db_session.scalar(select(Incident).where(Incident.external_id == created.external_id))


def _history(incident: Incident) -> list[str]:
    return [e.kind for e in incident.events]


def test_route_draft_return_rework_approve_delivers_exactly_once(
    db_session, fake_system, people, now, uow, ctx
):
    incident = _arrive(uow, ctx, fake_system, now)
    operator, executor = actor_for(people["operator"]), actor_for(people["roads_executor"])
    assert incident.status == Status.NEW

    workflow.route(uow, ctx, incident.id, operator, people["roads"].id, now=now)
    workflow.submit_draft(
        uow,
        ctx,
        incident.id,
        executor,
        DraftKind.ANSWER,
        "Яму заделаем.",
        now=now + timedelta(hours=1),
    )
    workflow.return_for_rework(
        uow,
        ctx,
        incident.id,
        operator,
        "Нет приветствия и срока.",
        now=now + timedelta(hours=1, minutes=10),
    )
    assert incident.status == Status.REWORK
    workflow.submit_draft(
        uow,
        ctx,
        incident.id,
        executor,
        DraftKind.ANSWER,
        "Здравствуйте, Иван! Яму у дома 12 заделаем до 5 ноября.",
        now=now + timedelta(hours=1, minutes=20),
    )
    workflow.approve(uow, ctx, incident.id, operator, now=now + timedelta(hours=1, minutes=30))
    assert incident.status == Status.PUBLISHING

    # Two push runs: the second must not deliver again.
    outbox.push(uow, ctx, fake_system, now + timedelta(hours=1, minutes=31))
    outbox.push(uow, ctx, fake_system, now + timedelta(hours=1, minutes=32))
    db_session.refresh(incident)
    assert incident.status == Status.CLOSED
    assert len(fake_system.delivered) == 1
    assert fake_system.delivered[0].text.startswith("Здравствуйте, Иван!")
    assert fake_system.delivered[0].kind is OutboundKind.ANSWER
    assert _history(incident) == [
        "arrived",
        "route",
        "submit_draft",
        "return",
        "submit_draft",
        "approve",
        "delivered",
    ]
    # Every step is attributed.
    by_kind = {e.kind: e for e in incident.events}
    assert by_kind["return"].actor_id == people["operator"].id
    assert by_kind["return"].comment == "Нет приветствия и срока."
    assert by_kind["submit_draft"].actor_id == people["roads_executor"].id
    assert [d.state for d in incident.drafts] == ["returned", "approved"]


def test_redirect_goes_out_with_reason(db_session, fake_system, people, now, uow, ctx):
    incident = _arrive(uow, ctx, fake_system, now)
    operator = actor_for(people["operator"])
    workflow.redirect(
        uow, ctx, incident.id, operator, "Дорога областная: вопрос ОКУ «Упрдор».", now=now
    )
    outbox.push(uow, ctx, fake_system, now)
    assert incident.status == Status.REDIRECTED
    assert [(o.kind, o.text) for o in fake_system.delivered] == [
        (OutboundKind.REDIRECT, "Дорога областная: вопрос ОКУ «Упрдор».")
    ]


def test_clarification_waits_for_author_and_follow_up_reopens_draft(
    db_session, fake_system, people, now, uow, ctx
):
    incident = _arrive(uow, ctx, fake_system, now)
    operator, executor = actor_for(people["operator"]), actor_for(people["roads_executor"])
    workflow.route(uow, ctx, incident.id, operator, people["roads"].id, now=now)
    workflow.submit_draft(
        uow,
        ctx,
        incident.id,
        executor,
        DraftKind.CLARIFICATION,
        "Здравствуйте! Уточните, пожалуйста, номер дома.",
        now=now,
    )
    workflow.approve(uow, ctx, incident.id, operator, now=now)
    outbox.push(uow, ctx, fake_system, now)
    assert incident.status == Status.AWAITING_AUTHOR

    fake_system.follow_up(incident.external_id, "Дом 12, подъезд 3.")
    polling.poll(uow, ctx, fake_system, now + timedelta(hours=2))
    db_session.refresh(incident)
    assert incident.status == Status.ROUTED
    assert [m.text for m in incident.follow_ups] == ["Дом 12, подъезд 3."]
    # Only the follow-up changed: no empty «updated» entry, just the clarification.
    assert _history(incident)[-1] == "author_replied" and "updated" not in _history(incident)

    workflow.submit_draft(
        uow,
        ctx,
        incident.id,
        executor,
        DraftKind.ANSWER,
        GOOD_ANSWER,
        now=now + timedelta(hours=3),
    )
    workflow.approve(uow, ctx, incident.id, operator, now=now + timedelta(hours=3))
    outbox.push(uow, ctx, fake_system, now + timedelta(hours=3))
    assert incident.status == Status.CLOSED
    assert [o.kind for o in fake_system.delivered] == [
        OutboundKind.CLARIFICATION,
        OutboundKind.ANSWER,
    ]


def test_interim_answer_keeps_message_open_for_the_final_one(
    db_session, fake_system, people, now, uow, ctx
):
    incident = _arrive(uow, ctx, fake_system, now)
    operator, executor = actor_for(people["operator"]), actor_for(people["roads_executor"])
    workflow.route(uow, ctx, incident.id, operator, people["roads"].id, now=now)
    workflow.submit_draft(
        uow,
        ctx,
        incident.id,
        executor,
        DraftKind.INTERIM,
        "Здравствуйте! Вопрос на контроле, ответим после обследования.",
        now=now,
    )
    workflow.approve(uow, ctx, incident.id, operator, now=now)
    outbox.push(uow, ctx, fake_system, now)
    assert incident.status == Status.INTERIM_ANSWERED
    with pytest.raises(IllegalTransition):
        workflow.submit_draft(
            uow, ctx, incident.id, executor, DraftKind.INTERIM, "Ещё раз.", now=now
        )
    workflow.submit_draft(uow, ctx, incident.id, executor, DraftKind.ANSWER, GOOD_ANSWER, now=now)
    assert incident.status == Status.ON_REVIEW


def test_illegal_steps_are_refused_and_change_nothing(
    db_session, fake_system, people, now, uow, ctx
):
    incident = _arrive(uow, ctx, fake_system, now)
    operator = actor_for(people["operator"])
    before = (incident.status, incident.version_id, len(incident.events))

    with pytest.raises(IllegalTransition, match="Нет проекта ответа на проверке"):
        workflow.approve(uow, ctx, incident.id, operator, now=now)
    with pytest.raises(PermissionDenied):
        workflow.route(
            uow,
            ctx,
            incident.id,
            actor_for(people["roads_executor"]),
            people["roads"].id,
            now=now,
        )
    with pytest.raises(IllegalTransition, match="укажите причину"):
        workflow.redirect(uow, ctx, incident.id, operator, "   ", now=now)
    workflow.route(uow, ctx, incident.id, operator, people["roads"].id, now=now)
    with pytest.raises(PermissionDenied, match="другому подразделению"):
        workflow.submit_draft(
            uow,
            ctx,
            incident.id,
            actor_for(people["housing_executor"]),
            DraftKind.ANSWER,
            "Здравствуйте!",
            now=now,
        )
    db_session.expire_all()
    incident = db_session.get(Incident, incident.id)
    assert incident.status == Status.ROUTED
    assert before[0] == Status.NEW and len(incident.events) == before[2] + 1
    assert db_session.scalar(select(OutboxMessage)) is None


def test_stale_page_is_refused(db_session, fake_system, people, now, uow, ctx):
    incident = _arrive(uow, ctx, fake_system, now)
    seen = incident.version_id
    operator = actor_for(people["operator"])
    workflow.route(
        uow, ctx, incident.id, operator, people["roads"].id, now=now, expected_version=seen
    )
    with pytest.raises(ConcurrentUpdate):
        workflow.redirect(
            uow, ctx, incident.id, operator, "Не наше", now=now, expected_version=seen
        )


def test_two_operators_approving_at_once_cannot_both_win(
    app, db_session, fake_system, people, now, uow, ctx
):
    """Two sessions load the same version and both approve: exactly one wins."""
    incident = _arrive(uow, ctx, fake_system, now)
    operator, executor = actor_for(people["operator"]), actor_for(people["roads_executor"])
    workflow.route(uow, ctx, incident.id, operator, people["roads"].id, now=now)
    workflow.submit_draft(uow, ctx, incident.id, executor, DraftKind.ANSWER, GOOD_ANSWER, now=now)
    from sqlalchemy.orm import Session

    engine = app.extensions["incident_bridge"].db.engine
    first, second = Session(engine), Session(engine)
    try:
        # Both have loaded the incident before either commits.
        first.get(Incident, incident.id).drafts  # noqa: B018
        second.get(Incident, incident.id).drafts  # noqa: B018
        workflow.approve(SqlAlchemyUnitOfWork(first), ctx, incident.id, operator, now=now)
        with pytest.raises((ConcurrentUpdate, IllegalTransition)):
            workflow.approve(
                SqlAlchemyUnitOfWork(second), ctx, incident.id, actor_for(people["admin"]), now=now
            )
    finally:
        first.close()
        second.close()
    db_session.expire_all()
    assert db_session.query(OutboxMessage).count() == 1
    assert db_session.query(IncidentEvent).filter_by(kind="approve").count() == 1


def test_stale_revision_never_overwrites_newer(db_session, fake_system, now, uow, ctx):
    incident = _arrive(uow, ctx, fake_system, now, revision=5, text="Новая версия")
    older = make_card(external_id=incident.external_id, revision=3, text="Старая версия")
    from incident_bridge.domain.model import IncidentPage

    with uow:
        result = ingest.ingest_page(uow, ctx, IncidentPage((older,), (), None, False), now)
    assert result.stale == 1
    assert incident.text == "Новая версия"


def test_feedback_and_rejected_records_are_kept(db_session, fake_system, now, uow, ctx):
    from incident_bridge.domain.model import RejectedRecord
    from incident_bridge.persistence.models import QuarantinedRecord

    incident = _arrive(uow, ctx, fake_system, now)
    fake_system.feedback(incident.external_id, Feedback.SATISFIED)
    fake_system.rejected.append(RejectedRecord("INC-bad", '{"id": "INC-bad"}', "нет поля text"))
    polling.poll(uow, ctx, fake_system, now)
    assert incident.feedback == Feedback.SATISFIED
    assert _history(incident)[-1] == "feedback"
    bad = db_session.scalar(select(QuarantinedRecord))
    assert (bad.external_id, bad.reason) == ("INC-bad", "нет поля text")


def test_history_is_append_only(db_session, fake_system, now, uow, ctx):
    incident = _arrive(uow, ctx, fake_system, now)
    entry = incident.events[0]
    entry.comment = "подделка"
    with pytest.raises(Exception, match="только дополняется"):
        db_session.commit()
    db_session.rollback()


def test_arriving_threat_is_proposed_for_exclusion_not_excluded(
    db_session, fake_system, people, now, uow, ctx
):
    incident = _arrive(
        uow,
        ctx,
        fake_system,
        now,
        text="Если не сделаете дорогу, приду и сожгу вашу администрацию!",
    )
    assert incident.status == Status.NEW  # the operator decides
    assert incident.screening["excluded"] is True
    assert incident.screening["reasons"][0]["kind"] == "threat"
    assert _history(incident) == ["arrived", "screening"]
    workflow.exclude(
        uow,
        ctx,
        incident.id,
        actor_for(people["operator"]),
        "Угроза",
        now=now,
    )
    assert incident.status == Status.EXCLUDED
    # Yelets names no grounds for exclusion: the operator's own grounds are kept, no clause.
    assert incident.events[-1].data == {"grounds": "Угроза"}


def test_ordinary_complaint_is_not_flagged(db_session, fake_system, now, uow, ctx):
    incident = _arrive(
        uow,
        ctx,
        fake_system,
        now,
        text="Подожгли машину во дворе, страховка не покрывает. Примите меры!",
    )
    assert incident.screening == {"excluded": False, "reasons": []}


def test_draft_failing_a_blocking_check_needs_a_written_override(
    db_session, fake_system, people, now, uow, ctx
):
    incident = _arrive(uow, ctx, fake_system, now)
    operator, executor = actor_for(people["operator"]), actor_for(people["roads_executor"])
    workflow.route(uow, ctx, incident.id, operator, people["roads"].id, now=now)
    draft = workflow.submit_draft(
        uow, ctx, incident.id, executor, DraftKind.ANSWER, "Ваше обращение рассмотрено.", now=now
    )
    assert draft.check_report["ok"] is False
    assert draft.check_report["greeting"] == {"ok": False}
    with pytest.raises(IllegalTransition, match="приветствие автора, ответы на все вопросы"):
        workflow.approve(uow, ctx, incident.id, operator, now=now)
    assert incident.status == Status.ON_REVIEW
    workflow.approve(
        uow,
        ctx,
        incident.id,
        operator,
        now=now,
        override_reason="Автор уже получил ответ по телефону.",
    )
    approval = incident.events[-1]
    assert approval.kind == "approve" and approval.comment == "Автор уже получил ответ по телефону."
    assert approval.data["checks_failed"] == ["greeting", "completeness"]


def test_clarification_request_is_not_held_to_answer_every_question(
    db_session, fake_system, people, now, uow, ctx
):
    incident = _arrive(uow, ctx, fake_system, now)
    operator, executor = actor_for(people["operator"]), actor_for(people["roads_executor"])
    workflow.route(uow, ctx, incident.id, operator, people["roads"].id, now=now)
    workflow.submit_draft(
        uow,
        ctx,
        incident.id,
        executor,
        DraftKind.CLARIFICATION,
        "Здравствуйте, Иван! Уточните, пожалуйста, номер дома.",
        now=now,
    )
    workflow.approve(uow, ctx, incident.id, operator, now=now)
    assert incident.status == Status.PUBLISHING
