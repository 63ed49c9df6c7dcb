"""Fixtures shared by the unit tests: the shipped profiles, loaded once."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from incident_bridge.domain.profile_loader import load_profile
from incident_bridge.domain.regulations import Profile


@pytest.fixture(scope="session")
def profiles() -> Callable[[str], Profile]:
    """A shipped regulation profile by name, loaded once."""
    cache: dict[str, Profile] = {}

    def get(name: str) -> Profile:
        if name not in cache:
            cache[name] = load_profile(name)
        return cache[name]

    return get
