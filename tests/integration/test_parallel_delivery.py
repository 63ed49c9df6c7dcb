"""Several pushers at once on PostgreSQL: rows claimed FOR UPDATE SKIP LOCKED, each delivered once,
each incident's deliveries in order."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from incident_bridge.domain.model import OutboundKind
from incident_bridge.domain.workflow import OutboxState, Status
from incident_bridge.persistence.models import Incident, OutboxMessage
from incident_bridge.persistence.uow import SqlAlchemyUnitOfWork
from incident_bridge.services import outbox
from tests.conftest import clean, make_app, migrate
from tests.fakes import FakeIncidentSystem

NOW = datetime(2025, 10, 30, 9, 0, tzinfo=UTC)


@pytest.fixture
def pg_app(postgres_url: str, tmp_path: Path) -> Any:
    app = make_app(postgres_url, tmp_path)
    migrate(app)
    clean(app)
    yield app
    with app.app_context():
        app.extensions["incident_bridge"].db.engine.dispose()


def _rows(app: Any, incidents: int, per_incident: int) -> None:
    with app.app_context():
        session = app.extensions["incident_bridge"].session()
        for n in range(incidents):
            incident = Incident(
                external_id=f"P-{n}", number=f"P-{n}", remote_created_at=NOW, detected_at=NOW,
                text="Текст", author_name="Автор", platform="vk", municipality="Елец",
                topic_group="Дороги", topic="Ямы", importance="normal", remote_revision=1,
                status=Status.ON_REVIEW, arrived_at=NOW, updated_at=NOW, version_id=1,
            )  # fmt: skip
            session.add(incident)
            session.flush()
            for k in range(per_incident):
                session.add(OutboxMessage(
                    incident_id=incident.id, kind=OutboundKind.REDIRECT, idempotency_key=f"k-{n}-{k}",
                    text=f"{n}:{k}", state=OutboxState.PENDING, attempts=0,
                    next_attempt_at=NOW, created_at=NOW,
                ))  # fmt: skip
        session.commit()
        session.remove()


def test_a_claimed_row_is_skipped_by_another_pusher_and_the_incidents_next_row_waits(
    pg_app: Any,
) -> None:
    _rows(pg_app, incidents=2, per_incident=2)
    with pg_app.app_context():
        engine = pg_app.extensions["incident_bridge"].db.engine
    first, second = Session(engine), Session(engine)
    try:
        a = SqlAlchemyUnitOfWork(first).outbox.claim_next(NOW + timedelta(seconds=1))
        b = SqlAlchemyUnitOfWork(second).outbox.claim_next(NOW + timedelta(seconds=1))
        assert a is not None and b is not None
        assert a.incident_id != b.incident_id  # never the same incident's second row
        assert (a.text, b.text) == ("0:0", "1:0")
    finally:
        first.rollback()
        second.rollback()
        first.close()
        second.close()


def test_two_pushers_deliver_everything_once_and_in_order(pg_app: Any) -> None:
    _rows(pg_app, incidents=20, per_incident=3)
    system = FakeIncidentSystem()
    lock = threading.Lock()
    order: list[str] = []

    class Recording(FakeIncidentSystem):
        def deliver(self, outbound: Any) -> Any:  # type: ignore[override]
            with lock:
                order.append(outbound.text)
            return system.deliver(outbound)

    def pusher() -> None:
        with pg_app.app_context():
            state = pg_app.extensions["incident_bridge"]
            for _ in range(5):
                outbox.push(state.unit_of_work(), state.context, Recording(),
                            NOW + timedelta(seconds=1))  # fmt: skip
            state.session().remove()

    threads = [threading.Thread(target=pusher) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(system.effects) == sorted(f"k-{n}-{k}" for n in range(20) for k in range(3))
    assert len(order) == 60  # each delivered exactly once
    for n in range(20):
        mine = [t for t in order if t.startswith(f"{n}:")]
        assert mine == [f"{n}:0", f"{n}:1", f"{n}:2"]
    with pg_app.app_context():
        session = pg_app.extensions["incident_bridge"].session()
        states = set(session.scalars(select(OutboxMessage.state)))
        assert states == {OutboxState.SENT}
