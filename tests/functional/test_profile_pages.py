"""The pages follow the organisation's regulation: its clauses, its grounds, its people."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from incident_bridge.domain.workflow import Status
from tests.conftest import clean, make_app, migrate
from tests.fakes import FakeIncidentSystem
from tests.functional.conftest import Browser
from tests.functional.test_pages import _incident, _status, _version

OTHER_REGULATIONS = ("Липецк", "Ленинград", "Луга", "Лужск", "Соболев", "п.17", "по аналогии")
THREAT = "Если не сделаете дорогу, приду и сожгу вашу администрацию!"


def test_yelets_exclusion_form_and_page_cite_no_other_regulation(browser, people, app, fake_system):
    incident = _incident(app, fake_system, text=THREAT)
    browser.login("operator")
    page = browser.get(f"/incidents/{incident.id}").get_data(as_text=True)
    assert 'id="form-exclude"' in page and 'id="screening"' in page
    for name in OTHER_REGULATIONS:
        assert name not in page, name
    # Yelets names no grounds: the operator is asked for them.
    assert "Основание исключения" in page and "не устанавливает оснований" in page
    browser.submit(
        f"/incidents/{incident.id}",
        f"/incidents/{incident.id}/exclude",
        {"reason": "Угроза поджога здания администрации", "version": _version(browser.last_page)},
    )
    assert _status(app, incident.id) == Status.EXCLUDED
    history = browser.get(f"/incidents/{incident.id}").get_data(as_text=True)
    assert "Угроза поджога здания администрации" in history
    for name in OTHER_REGULATIONS:
        assert name not in history, name


@pytest.fixture
def lipetsk(tmp_path: Path) -> Iterator[tuple[Flask, FakeIncidentSystem]]:
    """The reference app on the Lipetsk regulation (a curator routes and approves), on SQLite."""
    system = FakeIncidentSystem()
    app = make_app(f"sqlite:///{tmp_path / 'lipetsk.sqlite3'}", tmp_path,
                   INCIDENT_BRIDGE_PROFILE="lipetsk")  # fmt: skip
    app.extensions["incident_bridge"].system_factory = lambda settings: system
    migrate(app)
    clean(app)
    yield app, system
    with app.app_context():
        app.extensions["incident_bridge"].db.engine.dispose()


def _people(app: Flask) -> dict[str, Any]:
    from incident_bridge.persistence.uow import SqlAlchemyUnitOfWork
    from incident_bridge.services import directory

    with app.app_context():
        uow = SqlAlchemyUnitOfWork(app.extensions["incident_bridge"].db.session)
        roads = directory.create_subdivision(uow, "Управление дорог и транспорта")
        for login in ("curator", "operator"):
            directory.create_user(uow, login=login, full_name=login.title(),
                                  password="Proverka-Elets-2026", role=login, subdivision_id=None,
                                  now=datetime.now(UTC))  # fmt: skip
        return {"roads": roads.id}


def test_lipetsk_curator_routes_and_the_exclusion_cites_clause_17(lipetsk):
    app, system = lipetsk
    ids = _people(app)
    incident = _incident(app, system, text=THREAT)
    url = f"/incidents/{incident.id}"

    operator = Browser(app.test_client())
    operator.login("operator")
    page = operator.get(url).get_data(as_text=True)
    assert 'id="form-route"' not in page  # the regulation gives routing to the curator
    refused = operator.submit(url, f"{url}/route",
                              {"subdivision": ids["roads"], "version": incident.version_id})  # fmt: skip
    assert "по регламенту: куратор" in refused.get_data(as_text=True)
    assert _status(app, incident.id) == Status.NEW

    curator = Browser(app.test_client())
    curator.login("curator")
    page = curator.get(url).get_data(as_text=True)
    assert "По п. 17: Не подлежат обработке и ответу сообщения" in page
    assert "Администрация Липецкой области" in page and "город Елец" not in page
    curator.submit(url, f"{url}/exclude", {"reason": "Угроза поджога", "version": _version(page)})
    assert _status(app, incident.id) == Status.EXCLUDED
    assert "по п. 17" in curator.get(url).get_data(as_text=True)
