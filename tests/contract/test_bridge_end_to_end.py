"""The bridge's sync jobs against the real mock over loopback: the whole cycle, exactly once."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from adapters import HttpIncidentSystem
from incident_bridge.domain.model import DraftKind
from incident_bridge.domain.workflow import Status
from incident_bridge.jobs.tasks import poll_incidents, push_outbox
from incident_bridge.persistence.models import Incident
from incident_bridge.services import workflow
from incident_bridge.services.actors import actor_for


@pytest.fixture
def backend(tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'bridge.sqlite3'}"


@pytest.fixture
def bridge(app: Any, mock: Any) -> Any:
    """The bridge app wired to the mock with the real HTTP adapter."""
    state = app.extensions["incident_bridge"]
    state.system_factory = lambda settings: HttpIncidentSystem(
        mock.url, client_id="bridge", client_secret="secret", timeout=(2, 5)
    )
    state._system = None
    return app


def _run(app: Any, task: Any) -> dict[str, Any]:
    with app.app_context():
        return task()


def _incidents(app: Any) -> list[Incident]:
    with app.app_context():
        session = app.extensions["incident_bridge"].session()
        rows = list(session.scalars(select(Incident).order_by(Incident.id)))
        for row in rows:
            session.expunge(row)
        return rows


def _act(app: Any, use_case: Any, *args: Any, **kwargs: Any) -> Any:
    from datetime import UTC, datetime

    with app.app_context():
        state = app.extensions["incident_bridge"]
        return use_case(state.unit_of_work(), state.context, *args, now=datetime.now(UTC), **kwargs)


def test_seeded_mock_flows_into_the_queue_and_replies_flow_back_once(bridge, mock, people):
    first = _run(bridge, poll_incidents)
    assert first["created"] == 30
    again = _run(bridge, poll_incidents)
    assert again["created"] == 0  # nothing changed in the mock: nothing new, nothing doubled
    assert again["stale"] > 0  # the overlap window re-read the last page and skipped it
    incidents = _incidents(bridge)
    assert len(incidents) == 30 and len({i.external_id for i in incidents}) == 30

    target, other, third = incidents[0], incidents[1], incidents[2]
    operator, executor = actor_for(people["operator"]), actor_for(people["roads_executor"])
    # route -> draft -> return -> rework -> approve
    _act(bridge, workflow.route, target.id, operator, people["roads"].id)
    _act(bridge, workflow.submit_draft, target.id, executor, DraftKind.ANSWER, "Сделаем.")
    _act(bridge, workflow.return_for_rework, target.id, operator, "Нет приветствия.")
    _act(
        bridge,
        workflow.submit_draft,
        target.id,
        executor,
        DraftKind.ANSWER,
        "Здравствуйте! Ремонт выполним до конца месяца.",
    )
    # The generated message's questions are unknown here: the reviewer approves with a reason.
    _act(bridge, workflow.approve, target.id, operator, override_reason="Проверено вручную.")
    # redirect
    _act(bridge, workflow.redirect, other.id, operator, "Вопрос в ведении области.")
    # clarification
    _act(bridge, workflow.route, third.id, operator, people["roads"].id)
    _act(
        bridge,
        workflow.submit_draft,
        third.id,
        executor,
        DraftKind.CLARIFICATION,
        "Здравствуйте! Уточните, пожалуйста, адрес.",
    )
    _act(bridge, workflow.approve, third.id, operator)

    assert _run(bridge, push_outbox)["sent"] == 3
    assert _run(bridge, push_outbox)["sent"] == 0
    pushed = mock.get("/pushed")
    replies = [r for r in pushed["replies"] if r["incident_id"] == target.external_id]
    assert (
        len(replies) == 1 and replies[0]["text"] == "Здравствуйте! Ремонт выполним до конца месяца."
    )
    assert [r["reason"] for r in pushed["redirects"]] == ["Вопрос в ведении области."]

    mock.post(f"/incidents/{third.external_id}/follow-ups", {"text": "Улица Мира, дом 7."})
    _run(bridge, poll_incidents)
    by_id = {i.id: i for i in _incidents(bridge)}
    assert by_id[target.id].status == Status.CLOSED
    assert by_id[other.id].status == Status.REDIRECTED
    assert by_id[third.id].status == Status.ROUTED  # the author's answer reopened the draft step
    assert mock.get("/stats")["duplicate_effects"] == 0


def test_transient_faults_are_retried_without_duplicates(bridge, mock, people):
    _run(bridge, poll_incidents)
    target = _incidents(bridge)[0]
    operator, executor = actor_for(people["operator"]), actor_for(people["roads_executor"])
    _act(bridge, workflow.route, target.id, operator, people["roads"].id)
    _act(
        bridge,
        workflow.submit_draft,
        target.id,
        executor,
        DraftKind.ANSWER,
        "Здравствуйте! Сделаем.",
    )
    _act(bridge, workflow.approve, target.id, operator, override_reason="Проверено вручную.")
    # The nasty case: the mock stores the reply, then answers 503; the retry must not double it.
    mock.faults(
        replies={"error_rate": 1.0, "error_statuses": [503], "after_effect": True, "limit": 1}
    )
    result = _run(bridge, push_outbox)
    assert result["retried"] == 1 and result["sent"] == 0
    with bridge.app_context():
        from datetime import UTC, datetime, timedelta

        from incident_bridge.services import outbox

        state = bridge.extensions["incident_bridge"]
        later = datetime.now(UTC) + timedelta(hours=1)
        system = state.incident_system()
        assert outbox.push(state.unit_of_work(), state.context, system, later).sent == 1
    assert len(mock.get("/pushed")["replies"]) == 1
    assert mock.get("/stats")["duplicate_effects"] == 0


def test_malformed_and_duplicated_records_lose_nothing(bridge, mock, people):
    """30 % of records served malformed (some without a readable id), duplicates, stale copies."""
    mock.faults(
        seed=5,
        fetch={"malformed_rate": 0.3, "duplicate_rate": 0.2, "stale_rate": 0.2, "shuffle": True},
    )
    for _ in range(8):
        _run(bridge, poll_incidents)
    mock.faults()
    _run(bridge, poll_incidents)
    from incident_bridge.persistence.models import QuarantinedRecord

    incidents = _incidents(bridge)
    assert sorted(i.external_id for i in incidents) == sorted(
        x["id"] for x in mock.get("/incidents")
    )
    with bridge.app_context():
        session = bridge.extensions["incident_bridge"].session()
        open_records = session.scalars(
            select(QuarantinedRecord).where(QuarantinedRecord.resolved_at.is_(None))
        )
        assert list(open_records) == []
        assert session.scalars(select(QuarantinedRecord)).first() is not None  # faults did happen
