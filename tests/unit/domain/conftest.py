"""Shared fixtures of the domain tests: calendars and profiles are built once."""

from __future__ import annotations

import pytest

from incident_bridge.domain.worktime import WorkCalendar


@pytest.fixture(scope="session")
def moscow() -> WorkCalendar:
    """The default calendar: Europe/Moscow, Mon–Fri 09–13 and 14–18, production calendar."""
    return WorkCalendar()

