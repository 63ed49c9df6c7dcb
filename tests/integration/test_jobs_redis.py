"""The sync tasks on a real rq queue and Redis: deterministic ids, failures in rq's registry."""

from __future__ import annotations

from typing import Any

import pytest
from redis import Redis
from rq import Queue, SimpleWorker
from rq.registry import FailedJobRegistry
from sqlalchemy import select

from incident_bridge.domain.errors import TransientDeliveryError
from incident_bridge.domain.model import DraftKind
from incident_bridge.domain.workflow import Status
from incident_bridge.jobs import runner
from incident_bridge.jobs.context import bind_app
from incident_bridge.persistence.models import Incident
from incident_bridge.services import workflow
from incident_bridge.services.actors import actor_for
from tests.conftest import REDIS_URL, redis_available, require
from tests.fakes import GOOD_ANSWER, make_card


@pytest.fixture
def redis_app(app: Any) -> Any:
    require("Redis", redis_available(), REDIS_URL)
    connection = Redis.from_url(REDIS_URL)
    connection.flushdb()
    state = app.extensions["incident_bridge"]
    object.__setattr__(state.settings, "redis_url", REDIS_URL)
    bind_app(app)
    yield app
    connection.flushdb()


def _work(app: Any) -> None:
    settings = app.extensions["incident_bridge"].settings
    queue = runner.queue(settings)
    SimpleWorker([queue], connection=queue.connection).work(burst=True)


def test_poll_and_push_run_on_rq_and_deliver_once(redis_app, fake_system, people, now):
    app = redis_app
    settings = app.extensions["incident_bridge"].settings
    card = fake_system.add(make_card())
    assert runner.enqueue(settings, "poll") is not None
    assert runner.enqueue(settings, "poll") is None  # same interval bucket: not enqueued twice
    _work(app)
    with app.app_context():
        state = app.extensions["incident_bridge"]
        session, uow, ctx = state.session(), state.unit_of_work(), state.context
        incident = session.scalar(select(Incident).where(Incident.external_id == card.external_id))
        operator, executor = actor_for(people["operator"]), actor_for(people["roads_executor"])
        workflow.route(uow, ctx, incident.id, operator, people["roads"].id, now=now)
        workflow.submit_draft(
            uow, ctx, incident.id, executor, DraftKind.ANSWER, GOOD_ANSWER, now=now
        )
        workflow.approve(uow, ctx, incident.id, operator, now=now)
        incident_id = incident.id
        session.remove()
    runner.enqueue(settings, "push", now=1.0)
    runner.enqueue(settings, "push", now=10_000.0)  # a later bucket: a second run, no second effect
    _work(app)
    with app.app_context():
        session = app.extensions["incident_bridge"].db.session
        assert session.get(Incident, incident_id).status == Status.CLOSED
        session.remove()
    assert len(fake_system.effects) == 1 and len(fake_system.delivered) == 1


def test_a_failing_task_reaches_rqs_failed_registry(redis_app, fake_system):
    app = redis_app
    settings = app.extensions["incident_bridge"].settings

    def broken(cursor: Any, limit: int = 100) -> Any:
        raise TransientDeliveryError("connection refused")

    fake_system.fetch_changes = broken
    job_id = runner.enqueue(settings, "poll")
    queue = runner.queue(settings)
    # Retries are scheduled; run them out without waiting for their intervals.
    job = queue.fetch_job(job_id)
    job.retries_left = 0
    job.save()
    SimpleWorker([queue], connection=queue.connection).work(burst=True)
    registry = FailedJobRegistry(queue=Queue(settings.queue_name, connection=queue.connection))
    assert job_id in registry.get_job_ids()
    assert "connection refused" in queue.fetch_job(job_id).latest_result().exc_string
