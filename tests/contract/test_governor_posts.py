"""The mock flags a Governor's post; the bridge's sync registers it through the real HTTP adapter."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from adapters import HttpIncidentSystem
from incident_bridge.persistence.models import Incident, WatchedPost
from incident_bridge.services import polling
from tests.conftest import clean, make_app, migrate


@pytest.fixture
def leningrad(tmp_path: Path) -> Iterator[Flask]:
    app = make_app(f"sqlite:///{tmp_path / 'bridge.sqlite3'}", tmp_path,
                   INCIDENT_BRIDGE_PROFILE="leningrad")  # fmt: skip
    migrate(app)
    clean(app)
    yield app
    with app.app_context():
        app.extensions["incident_bridge"].db.engine.dispose()


def test_a_post_the_mock_flags_is_registered_by_the_poll(leningrad: Flask, mock: Any) -> None:
    created = mock.post("/governor-posts", {
        "url": "https://vk.com/wall-1_777", "account": "Александр Дрозденко",
        "published_at": "2026-03-02T10:00:00+03:00", "comment": {"text": "Когда починят мост?"},
    })  # fmt: skip
    assert created["extra"]["governor_post_account"] == "Александр Дрозденко"
    system = HttpIncidentSystem(mock.url, "bridge", "secret", timeout=(2, 5))
    try:
        with leningrad.app_context():
            state = leningrad.extensions["incident_bridge"]
            polling.poll(state.unit_of_work(), state.context, system, datetime.now(UTC))
            session = state.session()
            post = session.scalar(select(WatchedPost))
            comment = session.scalar(select(Incident).where(Incident.external_id == created["id"]))
    finally:
        system.close()
    assert post is not None and comment is not None
    assert (post.url, post.source, post.account) == (
        "https://vk.com/wall-1_777", "incident_system", "Александр Дрозденко")  # fmt: skip
    assert post.published_at == datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
    assert post.flagged_by_card == created["id"]


def test_the_mock_refuses_a_post_without_a_link(mock: Any) -> None:
    response = mock.control.post(f"{mock.url}/_control/governor-posts", json={"url": "ftp://x"},
                                 timeout=5)  # fmt: skip
    assert response.status_code == 422
