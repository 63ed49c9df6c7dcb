"""Who is acting: a signed-in person, or the sync jobs on the incident system's behalf."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from incident_bridge.domain.workflow import SYSTEM, Role


@dataclass(frozen=True, slots=True)
class Actor:
    """The person (or the system) a use case acts for; every change is attributed to it.

    ``role`` is a ``Role``, or ``SYSTEM`` for the sync jobs.
    """

    user_id: int | None
    role: str
    name: str
    subdivision_id: int | None = None

    @property
    def label(self) -> str:
        return self.name


SYSTEM_ACTOR = Actor(user_id=None, role=SYSTEM, name="Система (синхронизация)")


class Person(Protocol):
    """What a stored user (or the signed-in user's proxy) tells about the person."""

    @property
    def id(self) -> int: ...

    @property
    def role(self) -> Role: ...

    @property
    def full_name(self) -> str: ...

    @property
    def subdivision_id(self) -> int | None: ...


def actor_for(user: Person) -> Actor:
    """Build an ``Actor`` from a person who signs in."""
    return Actor(
        user_id=user.id,
        role=Role(user.role),
        name=user.full_name,
        subdivision_id=user.subdivision_id,
    )
