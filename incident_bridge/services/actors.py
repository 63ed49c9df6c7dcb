"""Who is acting: a signed-in person, or the sync jobs on the incident system's behalf."""

from __future__ import annotations

from dataclasses import dataclass

from incident_bridge.domain.workflow import SYSTEM


@dataclass(frozen=True, slots=True)
class Actor:
    """The person (or the system) a use case acts for; every change is attributed to it."""

    user_id: int | None
    role: str
    name: str
    subdivision_id: int | None = None

    @property
    def label(self) -> str:
        return self.name


SYSTEM_ACTOR = Actor(user_id=None, role=SYSTEM, name="Система (синхронизация)")


def actor_for(user: object) -> Actor:
    """Build an ``Actor`` from a persisted ``User``."""
    return Actor(
        user_id=user.id,  # type: ignore[attr-defined]
        role=user.role,  # type: ignore[attr-defined]
        name=user.full_name,  # type: ignore[attr-defined]
        subdivision_id=user.subdivision_id,  # type: ignore[attr-defined]
    )
