"""Absences, stand-ins and staffing of the bodies (Lipetsk 5, Leningrad 6, Sobolevo 7).

Pure rules over plain values: whether an absence may be recorded, who receives an
absent person's work on a day, and when a body left without an active executor must
have one again. Who may record all this is the profile's (``Profile.people.manage``).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from incident_bridge.domain.errors import InvalidInput, PermissionDenied
from incident_bridge.domain.regulations import Basis, People
from incident_bridge.domain.workflow import Role
from incident_bridge.domain.worktime import CALENDAR_TIME, TimeAxis


class AbsenceKind(enum.StrEnum):
    """Why an executor is away."""

    LEAVE = "leave"
    ILLNESS = "illness"
    TRAVEL = "travel"
    STUDY = "study"
    OTHER = "other"

    @property
    def label(self) -> str:
        return ABSENCE_LABELS[self]


ABSENCE_LABELS = {
    AbsenceKind.LEAVE: "отпуск",
    AbsenceKind.ILLNESS: "болезнь",
    AbsenceKind.TRAVEL: "командировка",
    AbsenceKind.STUDY: "учёба",
    AbsenceKind.OTHER: "другое",
}


@dataclass(frozen=True, slots=True)
class Span:
    """An absence as the rules read it: whose, which days (inclusive) and who stands in."""

    user_id: int
    first_day: date
    last_day: date
    stand_in_id: int | None = None
    absence_id: int | None = None

    def covers(self, day: date) -> bool:
        """Whether the person is away on ``day``."""
        return self.first_day <= day <= self.last_day

    def overlaps(self, first: date, last: date) -> bool:
        """Whether any day of ``first``..``last`` is a day of this absence."""
        return self.first_day <= last and first <= self.last_day


@dataclass(frozen=True, slots=True)
class Colleague:
    """An executor as the rules read them: their body and whether they can sign in."""

    user_id: int
    subdivision_id: int | None
    active: bool
    name: str = ""


def may_manage(role: str, rule: People) -> None:
    """Refuse anyone but the role the profile names (an admin may stand in for it)."""
    if role not in (rule.manage.value, Role.ADMIN.value):
        raise PermissionDenied(
            f"Отсутствия, замещения и ответственных лиц ведёт {rule.manage.label.lower()} "
            f"({rule.clause})."
        )


def check_absence(
    span: Span,
    *,
    person: Colleague,
    stand_in: Colleague | None,
    others: Iterable[Span],
) -> None:
    """Refuse an absence that cannot be: bad dates, an overlap, a stand-in who cannot take over.

    ``others`` are the stored absences (of everyone) other than the one being changed.
    """
    if span.last_day < span.first_day:
        raise InvalidInput("Последний день отсутствия раньше первого.")
    if person.subdivision_id is None:
        raise InvalidInput("Отсутствие отмечается для исполнителя подразделения.")
    others = [o for o in others if o.absence_id is None or o.absence_id != span.absence_id]
    for other in others:
        if other.user_id == span.user_id and other.overlaps(span.first_day, span.last_day):
            raise InvalidInput(
                f"У сотрудника уже отмечено отсутствие с {other.first_day:%d.%m.%Y} "
                f"по {other.last_day:%d.%m.%Y}: периоды не должны пересекаться."
            )
    if stand_in is None:
        return
    if stand_in.user_id == span.user_id:
        raise InvalidInput("Сотрудник не может замещать сам себя.")
    if stand_in.subdivision_id != person.subdivision_id:
        raise InvalidInput("Замещающий должен быть исполнителем того же подразделения.")
    if not stand_in.active:
        raise InvalidInput("Замещающий отключён: выберите действующего исполнителя.")
    for other in others:
        if other.user_id == stand_in.user_id and other.overlaps(span.first_day, span.last_day):
            raise InvalidInput(
                f"Замещающий сам отсутствует с {other.first_day:%d.%m.%Y} "
                f"по {other.last_day:%d.%m.%Y}."
            )


def stand_in_on(user_id: int, day: date, spans: Iterable[Span]) -> int:
    """Who receives ``user_id``'s work on ``day``: the person themselves, or their stand-in.

    A stand-in who is away on that day too hands on to their own stand-in; a chain that
    ends nowhere (no stand-in named, or a loop) stops at the last person reached.
    """
    away = {s.user_id: s for s in spans if s.covers(day)}
    seen = {user_id}
    current = user_id
    while current in away:
        nxt = away[current].stand_in_id
        if nxt is None or nxt in seen:
            break
        seen.add(nxt)
        current = nxt
    return current


def default_executor(
    colleagues: Iterable[Colleague], subdivision_id: int, day: date, spans: Iterable[Span]
) -> int | None:
    """The body's default executor: the first active executor by name who is not away that day.

    If everyone active is away, the first active one by name (their stand-in chain decides).
    """
    active = sorted(
        (c for c in colleagues if c.subdivision_id == subdivision_id and c.active),
        key=lambda c: (c.name.casefold(), c.user_id),
    )
    away = {s.user_id for s in spans if s.covers(day)}
    present = [c for c in active if c.user_id not in away]
    chosen = present or active
    return chosen[0].user_id if chosen else None


def staffing_due(rule: People, since: datetime, working: TimeAxis) -> datetime | None:
    """When a body unstaffed since ``since`` must have an active executor again (None: no term).

    ``working`` is the profile's working calendar, used when the term is in working time.
    """
    term = rule.replace_within
    if term is None:
        return None
    axis = CALENDAR_TIME if term.basis is Basis.CALENDAR else working
    return axis.add(since, term.duration)


def unstaffed(colleagues: Iterable[Colleague], subdivision_ids: Iterable[int]) -> set[int]:
    """The bodies among ``subdivision_ids`` that have no active executor.

    An executor away on leave still counts: the Sobolevo term is for a dismissed executor's
    replacement, and an absence has its stand-in.
    """
    staffed = {c.subdivision_id for c in colleagues if c.active}
    return {s for s in subdivision_ids if s not in staffed}


def absent_on(day: date, spans: Iterable[Span]) -> Mapping[int, Span]:
    """Who is away on ``day``: user id -> their absence."""
    return {s.user_id: s for s in spans if s.covers(day)}
