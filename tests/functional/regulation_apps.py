"""The reference app on one of the five regulations, with a cast for its roles."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Flask

from tests.conftest import clean, make_app, migrate
from tests.fakes import FakeIncidentSystem
from tests.functional.conftest import Browser

PASSWORD = "Proverka-Elets-2026"
BODIES = ("Управление дорожного хозяйства", "Управление ЖКХ", "Комитет по образованию")


@contextmanager
def regulation_app(
    tmp_path: Path, profile: str, database_url: str | None = None, **config: Any
) -> Iterator[tuple[Flask, FakeIncidentSystem]]:
    """The app on ``profile``, migrated and empty, wired to a fake incident system."""
    system = FakeIncidentSystem()
    url = database_url or f"sqlite:///{tmp_path / f'{profile}.sqlite3'}"
    app = make_app(url, tmp_path, INCIDENT_BRIDGE_PROFILE=profile, **config)
    app.extensions["incident_bridge"].system_factory = lambda settings: system
    migrate(app)
    clean(app)
    try:
        yield app, system
    finally:
        with app.app_context():
            app.extensions["incident_bridge"].db.engine.dispose()


def cast(app: Flask) -> dict[str, Any]:
    """Three bodies with an executor each (``roads``, ``housing``, ``schools``), and a person
    for every coordinating role: ``operator``, ``curator``, ``regional``, ``admin``."""
    from incident_bridge.persistence.uow import SqlAlchemyUnitOfWork
    from incident_bridge.services import directory

    now = datetime.now(UTC)
    with app.app_context():
        uow = SqlAlchemyUnitOfWork(app.extensions["incident_bridge"].db.session)
        ids: dict[str, Any] = {}
        for login, name in zip(("roads", "housing", "schools"), BODIES, strict=True):
            body = directory.create_subdivision(uow, name)
            ids[f"{login}_body"] = body.id
            directory.create_user(uow, login=login, full_name=f"Исполнитель {name}",
                                  password=PASSWORD, role="executor", subdivision_id=body.id,
                                  now=now)  # fmt: skip
        for login, role in (("operator", "operator"), ("curator", "curator"),
                            ("regional", "regional_authority"), ("admin", "admin")):  # fmt: skip
            directory.create_user(uow, login=login, full_name=login.title(), password=PASSWORD,
                                  role=role, subdivision_id=None, now=now)  # fmt: skip
        return ids


def signed_in(app: Flask, login: str) -> Browser:
    """A browser signed in as ``login``."""
    browser = Browser(app.test_client())
    browser.login(login, PASSWORD)
    return browser
