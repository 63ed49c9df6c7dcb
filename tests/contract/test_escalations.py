"""A surge injected through the mock's control API reaches the head once, through the real sync."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from adapters import HttpIncidentSystem
from incident_bridge.persistence.models import Notification
from incident_bridge.services import directory, notifications, polling
from tests.conftest import clean, make_app, migrate


@pytest.fixture
def bridge(tmp_path: Path) -> Iterator[Flask]:
    app = make_app(f"sqlite:///{tmp_path / 'bridge.sqlite3'}", tmp_path)
    migrate(app)
    clean(app)
    yield app
    with app.app_context():
        app.extensions["incident_bridge"].db.engine.dispose()


def _sync_and_notify(app: Flask, system: HttpIncidentSystem) -> dict[str, int]:
    with app.app_context():
        state = app.extensions["incident_bridge"]
        now = datetime.now(UTC)
        polling.poll(state.unit_of_work(), state.context, system, now)
        made = notifications.scan(state.unit_of_work(), state.context, now).made
        state.session().remove()
        return made


def test_a_surge_through_the_mock_is_told_to_the_head_once(bridge: Flask, mock: Any) -> None:
    with bridge.app_context():
        uow = bridge.extensions["incident_bridge"].unit_of_work()
        head = directory.create_user(uow, login="head", full_name="Глава города",
                                     password="Proverka-Elets-2026", role="operator",
                                     subdivision_id=None, now=datetime.now(UTC))  # fmt: skip
        directory.set_contact(uow, head.id, None, "head", by=directory.CONSOLE,
                              now=datetime.now(UTC))  # fmt: skip
        bridge.extensions["incident_bridge"].session().remove()
    system = HttpIncidentSystem(mock.url, "bridge", "secret", timeout=(2, 5))
    try:
        _sync_and_notify(bridge, system)  # the seeded messages: no surge among them
        made = mock.post("/surge", {"count": 12, "topic": "Отключение горячей воды",
                                    "municipality": "Елец", "minutes": 30})  # fmt: skip
        assert len(made["ids"]) == 12
        assert _sync_and_notify(bridge, system).get("surge") == 1
        mock.post("/surge", {"count": 3, "topic": "Отключение горячей воды", "minutes": 5})
        assert "surge" not in _sync_and_notify(bridge, system)
    finally:
        system.close()
    with bridge.app_context():
        session = bridge.extensions["incident_bridge"].session()
        surges = session.scalars(select(Notification).where(Notification.kind == "surge")).all()
        told = [(n.user.login, n.title, n.body) for n in surges]
    assert [(login, title) for login, title, _ in told] == [
        ("head", "Повышенная активность: тема «Отключение горячей воды»")
    ]
    assert "12 сообщений" in told[0][2]


def test_the_mock_refuses_a_surge_without_a_topic(mock: Any) -> None:
    response = mock.control.post(f"{mock.url}/_control/surge", json={"count": 3}, timeout=5)
    assert response.status_code == 422
