"""Shared fixtures: the app on SQLite and on a real PostgreSQL, real Redis, fakes and factories.

PostgreSQL and Redis are used for real when reachable (on developer machines
and CI they are); when not, the tests that need them are skipped and the run
ends with a loud notice of what was skipped.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.fakes import FakeIncidentSystem

PG_HOST = os.environ.get("TEST_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("TEST_PG_PORT", "5432"))
PG_ADMIN_URL = os.environ.get(
    "TEST_PG_ADMIN_URL", f"postgresql+psycopg://postgres@{PG_HOST}:{PG_PORT}/test"
)
# Parallel workers (pytest-xdist: gw0, gw1, ...) flush their own Redis database each.
_WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
REDIS_URL = os.environ.get("TEST_REDIS_URL", f"redis://127.0.0.1:6379/{15 - _WORKER % 15}")

_UNREACHABLE = " is not reachable: "


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def postgres_available() -> bool:
    return _reachable(PG_HOST, PG_PORT)


def redis_available() -> bool:
    from redis import Redis

    try:
        return bool(Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except Exception:
        return False


def require(service: str, available: bool, why: str) -> None:
    """Skip the current test when ``service`` is unreachable; the summary lists it loudly."""
    if not available:
        pytest.skip(f"{service}{_UNREACHABLE}{why}")


def _unreachable_services(terminalreporter: Any) -> dict[str, str]:
    """Services named by skipped tests' reasons (read from the reports: they come back from
    parallel workers too)."""
    found: dict[str, str] = {}
    for report in terminalreporter.stats.get("skipped", []):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        if _UNREACHABLE in reason:
            service, why = reason.removeprefix("Skipped: ").split(_UNREACHABLE, 1)
            found[service] = why
    return found


def pytest_terminal_summary(terminalreporter: Any) -> None:
    _skipped_services = _unreachable_services(terminalreporter)
    if _skipped_services:
        terminalreporter.write_sep(
            "!", "SERVICES NOT REACHABLE — TESTS SKIPPED", red=True, bold=True
        )
        for service, why in _skipped_services.items():
            terminalreporter.write_line(f"  {service}: {why}", red=True, bold=True)
        terminalreporter.write_line(
            "  Start them (see README, 'Tests') to run the whole suite.", red=True
        )


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashes() -> Iterator[None]:
    """Hash passwords with a cheap werkzeug method: the suite signs in thousands of times.

    Stored hashes name their method, so checking works the same; only the cost differs
    (scrypt takes ~0.15 s a hash here). The product keeps scrypt.
    """
    from incident_bridge.persistence import models

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(models, "PASSWORD_HASH_METHOD", "pbkdf2:sha256:1000")
        yield


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, dropped afterwards."""
    require("PostgreSQL", postgres_available(), f"{PG_HOST}:{PG_PORT}")
    from sqlalchemy import create_engine, text

    name = f"ib_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


_checker: Any = None


def shared_checker() -> Any:
    """One draft checker for the whole test session: its dictionaries take seconds to load."""
    global _checker
    if _checker is None:
        from incident_bridge.checks.report import DraftChecker

        _checker = DraftChecker()
    return _checker


def make_app(database_url: str, tmp: Path, **config: Any) -> Flask:
    from incident_bridge.host import create_app

    settings: dict[str, Any] = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "INCIDENT_BRIDGE_RUN_JOBS_IN_PROCESS": False,
    }
    settings.update(config)
    app = create_app(settings, checker=shared_checker())
    app.instance_path = str(tmp)
    return app


def migrate(app: Flask) -> None:
    import flask_migrate

    from incident_bridge.extension import MIGRATIONS_DIR

    with app.app_context():
        flask_migrate.upgrade(directory=MIGRATIONS_DIR)


def clean(app: Flask) -> None:
    """Empty every bridge table (keeps the schema)."""
    from incident_bridge.persistence.base import Base

    with app.app_context():
        db = app.extensions["incident_bridge"].db
        with db.engine.begin() as conn:
            tables = list(reversed(Base.metadata.sorted_tables))
            # The counts last: deleting incidents appends their −1 rows (the triggers).
            tables.sort(key=lambda table: table.name == "ib_incident_tally")
            for table in tables:
                conn.execute(table.delete())


_migrated: set[str] = set()


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated database URL: SQLite and PostgreSQL in turn."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'bridge.sqlite3'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def fake_system() -> FakeIncidentSystem:
    return FakeIncidentSystem()


@pytest.fixture
def app(backend: str, tmp_path: Path, fake_system: FakeIncidentSystem) -> Iterator[Flask]:
    """The reference app on a clean, migrated database, wired to a fake incident system."""
    application = make_app(backend, tmp_path)
    application.extensions["incident_bridge"].system_factory = lambda settings: fake_system
    if backend not in _migrated:
        migrate(application)
        _migrated.add(backend)
    clean(application)
    yield application
    with application.app_context():
        application.extensions["incident_bridge"].db.engine.dispose()


@pytest.fixture
def db_session(app: Flask) -> Iterator[Any]:
    with app.app_context():
        session = app.extensions["incident_bridge"].session()
        yield session
        session.remove()


@pytest.fixture
def uow(db_session: Any) -> Any:
    """A unit of work on the test's session: what the use cases take."""
    from incident_bridge.persistence.uow import SqlAlchemyUnitOfWork

    return SqlAlchemyUnitOfWork(db_session)


@pytest.fixture
def ctx(app: Flask) -> Any:
    """The app's context: the Yelets profile, its calendars and the shared draft checker."""
    from incident_bridge.state import bridge_state

    return bridge_state(app).context


@pytest.fixture
def now() -> datetime:
    return datetime(2025, 10, 30, 9, 0, tzinfo=UTC)


def make_people(app: Flask, now: datetime) -> dict[str, Any]:
    """Two subdivisions, an operator, an admin and an executor in each subdivision (detached).

    Built in an app context of its own: page tests must not hold one open, or every
    request would share it (and its ``g``, where the CSRF token lives).
    """
    from incident_bridge.persistence.uow import SqlAlchemyUnitOfWork
    from incident_bridge.services import directory

    with app.app_context():
        session = app.extensions["incident_bridge"].db.session
        uow = SqlAlchemyUnitOfWork(session)
        roads = directory.create_subdivision(uow, "Управление дорожного хозяйства")
        housing = directory.create_subdivision(uow, "Управление ЖКХ")

        def make(login: str, role: str, sub: Any = None) -> Any:
            return directory.create_user(
                uow,
                login=login,
                full_name=login.title(),
                password="Proverka-Elets-2026",
                role=role,
                subdivision_id=sub.id if sub else None,
                now=now,
            )

        result = {
            "roads": roads,
            "housing": housing,
            "operator": make("operator", "operator"),
            "admin": make("admin", "admin"),
            "roads_executor": make("roads", "executor", roads),
            "housing_executor": make("housing", "executor", housing),
        }
        for obj in result.values():
            session.refresh(obj)
            session.expunge(obj)
        session.remove()
    return result


@pytest.fixture
def people(app: Flask, now: datetime) -> dict[str, Any]:
    """The standard cast of ``make_people`` on the test's app."""
    return make_people(app, now)
