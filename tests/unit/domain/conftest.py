"""Shared fixtures of the domain tests: calendars and profiles are built once."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from incident_bridge.domain.profile_loader import load_profile
from incident_bridge.domain.regulations import Profile
from incident_bridge.domain.worktime import WorkCalendar


@pytest.fixture(scope="session")
def moscow() -> WorkCalendar:
    """The default calendar: Europe/Moscow, Mon–Fri 09–13 and 14–18, production calendar."""
    return WorkCalendar()


@pytest.fixture(scope="session")
def profiles() -> Callable[[str], Profile]:
    """Load a shipped profile by name (cached)."""
    cache: dict[str, Profile] = {}

    def get(name: str) -> Profile:
        if name not in cache:
            cache[name] = load_profile(name)
        return cache[name]

    return get
