"""Fixtures of the use-case tests: an in-memory unit of work with its people, and a context.

No database and no network: the use cases run on ``FakeUnitOfWork``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from incident_bridge.checks.report import DraftChecker
from incident_bridge.domain.regulations import Profile
from incident_bridge.services.context import Context
from tests.conftest import shared_checker
from tests.unit.services.fakes import Cast, FakeUnitOfWork, seed_cast


@pytest.fixture
def now() -> datetime:
    """Thursday 30 October 2025, 12:00 in Yelets: a working day, mid-morning."""
    return datetime(2025, 10, 30, 9, 0, tzinfo=UTC)


@pytest.fixture
def _seeded(now: datetime) -> tuple[FakeUnitOfWork, Cast]:
    uow = FakeUnitOfWork()
    return uow, seed_cast(uow, now)


@pytest.fixture
def uow(_seeded: tuple[FakeUnitOfWork, Cast]) -> FakeUnitOfWork:
    """A fresh in-memory unit of work holding the standard cast (committed once)."""
    return _seeded[0]


@pytest.fixture
def people(_seeded: tuple[FakeUnitOfWork, Cast]) -> Cast:
    """The people kept in ``uow``: two subdivisions, an operator, a curator, an admin, executors."""
    return _seeded[1]


@pytest.fixture(scope="session")
def checker() -> DraftChecker:
    """The session's one draft checker: its dictionaries take seconds to load."""
    checker: DraftChecker = shared_checker()
    return checker



@pytest.fixture
def ctx(profiles: Callable[[str], Profile], checker: DraftChecker) -> Context:
    """The Yelets context. One per test: its calendars are keyed by override ids, and each
    fake unit of work counts ids from 1."""
    return Context.build(profiles("yelets"), checker=checker)


@pytest.fixture
def lipetsk(profiles: Callable[[str], Profile], checker: DraftChecker) -> Context:
    """The Lipetsk context: a curator routes and approves, exclusion on the grounds of п. 17."""
    return Context.build(profiles("lipetsk"), checker=checker)
