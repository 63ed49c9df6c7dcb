"""The sync never halts: a record the database refuses, a job that keeps failing, two pollers.

On SQLite and PostgreSQL. The cards here bypass the wire schema (the fake system
hands cards straight to the sync), so what is tested is the storage's own refusal.
"""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from incident_bridge.domain.errors import TransientDeliveryError
from incident_bridge.jobs.tasks import poll_incidents
from incident_bridge.persistence.leases import DatabaseLease, LeaseLost
from incident_bridge.persistence.models import Incident, QuarantinedRecord, SyncState
from incident_bridge.services import polling
from tests.fakes import make_card
from tests.functional.conftest import Browser


def _external_ids(session: Any) -> set[str]:
    return set(session.scalars(select(Incident.external_id)))


def test_a_record_the_database_refuses_is_quarantined_and_the_page_goes_on(
    app: Any, db_session: Any, uow: Any, ctx: Any, fake_system: Any, now: datetime, backend: str
) -> None:
    good = [fake_system.add(make_card()) for _ in range(3)]
    poison = fake_system.add(make_card(topic="Т" * 400))  # longer than the column
    result = polling.poll(uow, ctx, fake_system, now)
    stored = _external_ids(db_session)
    assert {c.external_id for c in good} <= stored
    if backend.startswith("postgresql"):
        # PostgreSQL refuses the value: the card waits in quarantine with the database's reason.
        assert poison.external_id not in stored and result.quarantined == 1
        record = db_session.scalar(select(QuarantinedRecord))
        assert record.external_id == poison.external_id
        assert record.reason.startswith("Карточка не сохранена: База данных отказалась сохранить")
        assert "Т" * 300 in record.raw  # what was refused is kept
    else:
        assert poison.external_id in stored  # SQLite has no length limits
    state = db_session.scalar(select(SyncState))
    assert state.cursor == "end" and state.last_error is None


def test_a_duplicate_stored_at_the_same_moment_folds_in_as_an_update(
    db_session: Any, uow: Any, ctx: Any, fake_system: Any, now: datetime, monkeypatch: Any
) -> None:
    """Another poller stored the incident between our read and our insert: an upsert, no error."""
    card = fake_system.add(make_card(text="Первая версия"))
    polling.poll(uow, ctx, fake_system, now)
    fake_system.add(replace(card, revision=2, text="Вторая версия"))
    real = uow.incidents.by_external_ids
    calls = {"n": 0}

    def stale_once(ids: Any) -> Any:
        calls["n"] += 1
        return {} if calls["n"] == 1 else real(ids)  # the first read misses the other's insert

    monkeypatch.setattr(uow.incidents, "by_external_ids", stale_once)
    result = polling.poll(uow, ctx, fake_system, now + timedelta(minutes=1))
    db_session.expire_all()
    rows = list(db_session.scalars(select(Incident)))
    assert [(r.external_id, r.text) for r in rows] == [(card.external_id, "Вторая версия")]
    assert result.updated == 1 and result.quarantined == 0


def test_a_job_that_keeps_failing_shows_and_recovers(
    app: Any, fake_system: Any, people: Any
) -> None:
    fake_system.failures = []
    original = fake_system.fetch_changes

    def down(cursor: Any, limit: int = 100) -> Any:
        raise TransientDeliveryError("connection refused")

    fake_system.fetch_changes = down
    for _ in range(3):
        with app.app_context(), pytest.raises(TransientDeliveryError):
            poll_incidents()
    client = Browser(app.test_client())
    health = client.get("/healthz").get_json()
    assert health["jobs"]["poll"]["consecutive_failures"] == 3
    assert health["jobs"]["poll"]["ok"] is False
    assert "connection refused" in health["jobs"]["poll"]["last_error"]
    assert any("Получение сообщений" in a for a in health["alerts"])
    client.login("operator")
    page = client.get("/").get_data(as_text=True)
    assert "не выполняется" in page and "3 попыток подряд" in page

    fake_system.fetch_changes = original
    with app.app_context():
        poll_incidents()
    health = client.get("/healthz").get_json()
    assert health["jobs"]["poll"]["consecutive_failures"] == 0 and health["alerts"] == []


def test_one_poller_across_processes_without_redis(app: Any, fake_system: Any) -> None:
    """The lease lives in the database: a second poller (any process) skips while one holds it."""
    fake_system.add(make_card())
    state = app.extensions["incident_bridge"]
    with app.app_context():
        other = DatabaseLease(state.db.engine, "incident-bridge-lock-poll", 30)
        assert other.acquire()
        assert poll_incidents() == {"skipped": "another poller is running"}
        other.release()
        assert poll_incidents()["created"] == 1


def test_a_lease_expires_when_its_holder_dies(app: Any) -> None:
    with app.app_context():
        engine = app.extensions["incident_bridge"].db.engine
        dead = DatabaseLease(engine, "test-lease", 1.0)  # long enough for a loaded machine
        alive = DatabaseLease(engine, "test-lease", 30)
        assert dead.acquire() and not alive.acquire()
        time.sleep(1.2)
        assert alive.acquire()
        with pytest.raises(LeaseLost):
            dead.renew()
        alive.renew()
        dead.release()  # not its own any more: changes nothing
        assert not DatabaseLease(engine, "test-lease", 30).acquire()
        alive.release()
        assert DatabaseLease(engine, "test-lease", 30).acquire()


def test_two_leases_created_at_once_have_one_winner(app: Any) -> None:
    with app.app_context():
        engine = app.extensions["incident_bridge"].db.engine
        first, second = DatabaseLease(engine, "fresh", 30), DatabaseLease(engine, "fresh", 30)
        assert [first.acquire(), second.acquire()] == [True, False]
        assert first.holder != second.holder
        assert datetime.now(UTC)  # the leases keep aware UTC times (no naive datetime error)


def test_a_backlog_synced_late_is_overdue_when_it_is(
    db_session: Any, uow: Any, ctx: Any, fake_system: Any
) -> None:
    """Created on 29.11 at 07:26 Moscow time, seen by the bridge on 01.12 at 23:06: overdue."""
    created = datetime(2025, 11, 28, 4, 26, tzinfo=UTC)  # Friday 07:26 Moscow
    synced = datetime(2025, 12, 1, 20, 6, tzinfo=UTC)  # Monday 23:06 Moscow
    card = fake_system.add(make_card(created_at=created, detected_at=created))
    polling.poll(uow, ctx, fake_system, synced)
    incident = db_session.scalar(select(Incident).where(Incident.external_id == card.external_id))
    from incident_bridge.services import deadlines

    clocks = {c.name: c for c in deadlines.clocks(ctx, incident, synced, [])}
    route = clocks["route"]
    # 1 working hour from Friday 07:26 (work starts 09:00): due Friday 10:00 Moscow, long past.
    assert route.started_at == created
    assert route.due_at == datetime(2025, 11, 28, 7, 0, tzinfo=UTC)
    assert route.state.value == "overdue" and route.describe_left().startswith("просрочено")
    assert incident.due_at == datetime(2025, 11, 28, 6, 30, tzinfo=UTC)  # the redirect's 30 wmin
    assert incident.arrived_at == synced  # when the bridge saw it is kept too


def test_the_admin_page_lists_every_job_with_its_streak(
    app: Any, fake_system: Any, people: Any
) -> None:
    def down(cursor: Any, limit: int = 100) -> Any:
        raise TransientDeliveryError("connection refused")

    fake_system.fetch_changes = down
    with app.app_context(), pytest.raises(TransientDeliveryError):
        poll_incidents()
    admin = Browser(app.test_client())
    admin.login("admin")
    page = admin.get("/admin/").get_data(as_text=True)
    jobs = page[page.index('id="jobs"') :]
    assert "Получение сообщений из системы Инцидент" in jobs and "connection refused" in jobs
