"""Several bodies answering one message: each body's part, and when the combined answer is due.

The curator (the profile's ``parts.assign``) picks the bodies and how they work
(``PartsMode``). In order, one part is open at a time and the next opens when
the one before is in; at once, every part opens together. Each open part runs
the profile's ``part`` clock. When every part is in (submitted, or declined as
not the body's competence), the combined answer is written by whoever the
curator chose among the profile's ``parts.combiners``; or, where the profile
allows publishing in turn (Leningrad 8.9), each part is published on its own with
the curator's consent and the message closes once the last is delivered.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

from incident_bridge.domain.errors import IllegalTransition
from incident_bridge.domain.regulations import PartsMode


class PartState(enum.StrEnum):
    """Where one body's part stands."""

    WAITING = "waiting"  # in order: an earlier body has not sent its part yet
    OPEN = "open"  # the body is writing it (its clock runs)
    SUBMITTED = "submitted"  # sent to the curator
    DECLINED = "declined"  # not the body's competence
    PUBLISHED = "published"  # in turn: published on its own with the curator's consent

    @property
    def label(self) -> str:
        return PART_STATE_LABELS[self]

    @property
    def settled(self) -> bool:
        """Whether the body is done with it."""
        return self in (PartState.SUBMITTED, PartState.DECLINED, PartState.PUBLISHED)

    @property
    def answered(self) -> bool:
        """Whether the body gave its information (sent, or already published)."""
        return self in (PartState.SUBMITTED, PartState.PUBLISHED)


PART_STATE_LABELS = {
    PartState.WAITING: "ждёт очереди",
    PartState.OPEN: "готовится",
    PartState.SUBMITTED: "направлена куратору",
    PartState.DECLINED: "отказ: не в компетенции",
    PartState.PUBLISHED: "опубликована",
}


class PartStep(enum.StrEnum):
    """What happens to a part."""

    OPEN = "open"
    SUBMIT = "submit"
    DECLINE = "decline"
    RETURN = "return"
    PUBLISH = "publish"


PART_TRANSITIONS: dict[tuple[PartState, PartStep], PartState] = {
    (PartState.WAITING, PartStep.OPEN): PartState.OPEN,
    (PartState.OPEN, PartStep.SUBMIT): PartState.SUBMITTED,
    (PartState.OPEN, PartStep.DECLINE): PartState.DECLINED,
    (PartState.SUBMITTED, PartStep.RETURN): PartState.OPEN,
    (PartState.SUBMITTED, PartStep.PUBLISH): PartState.PUBLISHED,
}

_STEP_WORDS = {
    PartStep.OPEN: "поручить",
    PartStep.SUBMIT: "направить куратору",
    PartStep.DECLINE: "отказаться от части",
    PartStep.RETURN: "вернуть на доработку",
    PartStep.PUBLISH: "опубликовать",
}


def part_transition(state: PartState, step: PartStep) -> PartState:
    """The part's state after ``step``, or a refusal in Russian."""
    after = PART_TRANSITIONS.get((state, step))
    if after is None:
        raise IllegalTransition(
            f"Часть ответа нельзя {_STEP_WORDS[step]}: она в состоянии «{state.label}»."
        )
    return after


@dataclass(frozen=True, slots=True)
class PartView:
    """What the order of the parts needs to know of one part."""

    position: int
    state: PartState


def initial_states(count: int, mode: PartsMode) -> list[PartState]:
    """The parts' states when the curator assigns them: all open at once, or the first only."""
    if count < 2:
        raise IllegalTransition("Для нескольких исполнителей выберите не менее двух органов.")
    if mode is PartsMode.AT_ONCE:
        return [PartState.OPEN] * count
    return [PartState.OPEN] + [PartState.WAITING] * (count - 1)


def to_open(parts: Sequence[PartView], mode: PartsMode) -> list[int]:
    """Positions of the parts to open now: in order, the next waiting one once none is open."""
    if mode is PartsMode.AT_ONCE:
        return [p.position for p in parts if p.state is PartState.WAITING]
    ordered = sorted(parts, key=lambda p: p.position)
    if any(p.state is PartState.OPEN for p in ordered):
        return []
    waiting = [p.position for p in ordered if p.state is PartState.WAITING]
    return waiting[:1]


def all_in(parts: Sequence[PartView]) -> bool:
    """Whether every body is done with its part."""
    return bool(parts) and all(p.state.settled for p in parts)


def all_published(parts: Sequence[PartView]) -> bool:
    """In turn: whether every part is published or declined, and at least one published."""
    return any(p.state is PartState.PUBLISHED for p in parts) and all(
        p.state in (PartState.PUBLISHED, PartState.DECLINED) for p in parts
    )
