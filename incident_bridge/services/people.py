"""People of the bodies: who is in charge of a message, absences, stand-ins, responsible officials.

Who records absences, stand-ins and responsible officials is the profile's
(``Profile.people.manage``; an admin may stand in). While an absence lasts the absent
executor's open messages are in the stand-in's charge, each move an attributed history
entry; the clocks are not touched. When it ends they go back to the executor.
Every change is kept in the append-only people log (``PeopleChange``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from incident_bridge.domain.errors import InvalidInput, NotFound
from incident_bridge.domain.events import EventKind
from incident_bridge.domain.people import (
    AbsenceKind,
    Span,
    check_absence,
    default_executor,
    may_manage,
    stand_in_on,
)
from incident_bridge.domain.workflow import SYSTEM, Role
from incident_bridge.persistence.models import Absence, Incident, PeopleChange, User
from incident_bridge.services import staffing
from incident_bridge.services.actors import Actor
from incident_bridge.services.context import Context
from incident_bridge.services.history import record
from incident_bridge.services.unit_of_work import UnitOfWork

#: Who acts when the periodic task hands messages over or back.
SCHEDULE = Actor(user_id=None, role=SYSTEM, name="Система (график отсутствий)")


def today(ctx: Context, now: datetime) -> date:
    """The organisation's date at ``now`` (absences are in the organisation's days)."""
    return now.astimezone(ZoneInfo(ctx.profile.timezone)).date()


def _span(absence: Absence) -> Span:
    return Span(
        absence.user_id, absence.first_day, absence.last_day, absence.stand_in_id, absence.id
    )


def stand_in_for(uow: UnitOfWork, user_id: int, on: date) -> User:
    """The person who receives ``user_id``'s work and notifications on ``on``.

    The person themselves unless they are away that day with a stand-in named (a stand-in
    who is away too hands on to their own).
    """
    with uow:
        chosen = stand_in_on(user_id, on, [_span(a) for a in uow.staffing.absences()])
        user = uow.people.user(chosen)
        if user is None:
            raise NotFound("Пользователь не найден.")
        return user


def pick_assignee(
    uow: UnitOfWork, ctx: Context, subdivision_id: int, chosen: int | None, now: datetime
) -> User | None:
    """The executor a message routed to the body is put in the charge of.

    The router's executor (``chosen``, who must be an active executor of that body), else
    the body's default one: the first active executor by name who is not away today.
    None: the body has no active executor.
    """
    executors = [u for u in uow.staffing.executors() if u.subdivision_id == subdivision_id]
    if chosen is not None:
        picked = next((u for u in executors if u.id == chosen and u.active), None)
        if picked is None:
            raise InvalidInput("Исполнитель не из этого подразделения или отключён.")
        return picked
    spans = [_span(a) for a in uow.staffing.absences()]
    colleagues = [staffing.colleague(u) for u in executors]
    person = default_executor(colleagues, subdivision_id, today(ctx, now), spans)
    return uow.people.user(person) if person is not None else None


def hand_on_if_away(uow: UnitOfWork, ctx: Context, incident: Incident, actor: Actor,
                    now: datetime) -> None:  # fmt: skip
    """A message just put in the charge of an executor away today goes on to their stand-in.

    An attributed history entry says so; the message comes back when the absence ends.
    """
    if incident.assignee_id is None:
        return
    day = today(ctx, now)
    absences = uow.staffing.absences()
    absence = next(
        (a for a in absences if a.user_id == incident.assignee_id and _span(a).covers(day)), None
    )
    if absence is None:
        return
    receiver = uow.people.user(stand_in_on(absence.user_id, day, [_span(a) for a in absences]))
    if receiver is not None and receiver.id != absence.user_id:
        note = _handover_note(absence, receiver)
        _reassign(uow, incident, receiver, actor, now, note, absence, "hand_over")


def executor_choices(uow: UnitOfWork) -> list[tuple[int, str]]:
    """The active executors as (id, «name (body)») for a select, by name."""
    return [
        (u.id, f"{u.full_name} ({u.subdivision.name if u.subdivision else '—'})")
        for u in uow.staffing.executors()
        if u.active
    ]


# --- the manager's use cases --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AbsenceInput:
    """What the manager types for an absence."""

    kind: str
    first_day: date
    last_day: date
    stand_in_id: int | None
    note: str | None = None


def record_absence(
    uow: UnitOfWork, ctx: Context, actor: Actor, user_id: int, data: AbsenceInput, *, now: datetime
) -> Absence:
    """Record an executor's absence; if it has begun, their open messages go to the stand-in."""
    may_manage(actor.role, ctx.profile.people)
    with uow:
        person = _executor(uow, user_id)
        absence = Absence(
            user_id=person.id,
            recorded_by_id=actor.user_id,
            recorded_by=actor.label,
            recorded_at=now,
        )
        _fill(uow, absence, data)
        uow.add(absence)
        uow.flush()
        _log(uow, "absence_recorded", actor, now, absence=absence, after=_values(absence))
        _settle(uow, ctx, absence, actor, now)
    return absence


def change_absence(
    uow: UnitOfWork,
    ctx: Context,
    actor: Actor,
    absence_id: int,
    data: AbsenceInput,
    *,
    now: datetime,
) -> Absence:
    """Change an absence's kind, days, stand-in or note; messages follow the new terms."""
    may_manage(actor.role, ctx.profile.people)
    with uow:
        absence = _absence(uow, absence_id)
        before = _values(absence)
        _give_back(uow, absence, actor, now, why="отсутствие изменено")
        _fill(uow, absence, data)
        absence.changed_by, absence.changed_at = actor.label, now
        absence.handed_over_at = absence.given_back_at = None
        _log(uow, "absence_changed", actor, now, absence=absence, before=before,
             after=_values(absence))  # fmt: skip
        _settle(uow, ctx, absence, actor, now)
    return absence


def end_absence(
    uow: UnitOfWork, ctx: Context, actor: Actor, absence_id: int, last_day: date, *, now: datetime
) -> Absence:
    """End an absence early: its last day is set (never deleted); messages come back after it."""
    may_manage(actor.role, ctx.profile.people)
    with uow:
        absence = _absence(uow, absence_id)
        if last_day > absence.last_day:
            raise InvalidInput(
                "Досрочно можно только сократить отсутствие; чтобы продлить, измените его."
            )
        if last_day < absence.first_day:
            raise InvalidInput("Последний день отсутствия раньше первого.")
        before = _values(absence)
        absence.last_day = last_day
        absence.ended_by, absence.ended_at = actor.label, now
        _log(uow, "absence_ended", actor, now, absence=absence, before=before,
             after=_values(absence))  # fmt: skip
        _settle(uow, ctx, absence, actor, now)
    return absence


def set_responsible(
    uow: UnitOfWork,
    ctx: Context,
    actor: Actor,
    subdivision_id: int,
    user_id: int | None,
    *,
    now: datetime,
) -> None:
    """Name the body's responsible official (any active person), or nobody."""
    may_manage(actor.role, ctx.profile.people)
    with uow:
        body = uow.people.subdivision(subdivision_id)
        if body is None:
            raise NotFound("Подразделение не найдено.")
        person = uow.people.user(user_id) if user_id is not None else None
        if user_id is not None and (person is None or not person.active):
            raise InvalidInput("Ответственное лицо не найдено или отключено.")
        if body.responsible_user_id == user_id:
            raise InvalidInput("Это лицо уже назначено ответственным.")
        before = {"responsible_user_id": body.responsible_user_id}
        body.responsible_user_id = user_id
        _log(uow, "responsible_set", actor, now, subdivision_id=body.id, before=before,
             after={"responsible_user_id": user_id,
                    "name": person.full_name if person else None})  # fmt: skip


# --- the periodic task ---------------------------------------------------------------------


def apply_absences(uow: UnitOfWork, ctx: Context, now: datetime) -> int:
    """Hand over the messages of absences whose day has come, give back those that ended.

    Idempotent (each absence hands over once and gives back once); returns how many
    absences it acted on. The periodic deadlines task calls it.
    """
    acted = 0
    with uow:
        for absence in uow.staffing.absences():
            if absence.given_back_at is None and _settle(uow, ctx, absence, SCHEDULE, now):
                acted += 1
        staffing.track(uow, now)
    return acted


def _settle(uow: UnitOfWork, ctx: Context, absence: Absence, actor: Actor, now: datetime) -> bool:
    """Bring the absent person's messages where the absence says they belong today."""
    day = today(ctx, now)
    if absence.last_day < day:
        if absence.handed_over_at is not None and absence.given_back_at is None:
            _give_back(uow, absence, actor, now, why="отсутствие окончено")
            absence.given_back_at = now
            return True
        return False
    if absence.first_day <= day and absence.handed_over_at is None:
        absence.handed_over_at = now
        if absence.stand_in_id is not None:
            _hand_over(uow, absence, actor, now, day)
        return True
    return False


def _hand_over(uow: UnitOfWork, absence: Absence, actor: Actor, now: datetime, day: date) -> None:
    spans = [_span(a) for a in uow.staffing.absences()]
    receiver = uow.people.user(stand_in_on(absence.user_id, day, spans))
    if receiver is None or receiver.id == absence.user_id:
        return
    note = _handover_note(absence, receiver)
    for incident in uow.staffing.open_assigned(absence.user_id):
        _reassign(uow, incident, receiver, actor, now, note, absence, "hand_over")


def _handover_note(absence: Absence, receiver: User) -> str:
    kind = AbsenceKind(absence.kind).label
    return (
        f"Передано замещающему {receiver.full_name}: {kind} {absence.user.full_name} "
        f"с {absence.first_day:%d.%m.%Y} по {absence.last_day:%d.%m.%Y}"
    )


def _give_back(uow: UnitOfWork, absence: Absence, actor: Actor, now: datetime, why: str) -> None:
    """The handed-over messages still in work and still with whom they went to come back."""
    if absence.handed_over_at is None or absence.given_back_at is not None:
        return
    person = absence.user
    if not person.active:
        return  # nobody to give them back to: they stay with the stand-in
    for incident in uow.staffing.handed_over(absence.id):
        if incident.assignee_id != _last_receiver(incident, absence.id):
            continue  # someone moved it since: it stays where it is now
        note = f"Возвращено исполнителю {person.full_name}: {why}"
        _reassign(uow, incident, person, actor, now, note, absence, "give_back")


def _last_receiver(incident: Incident, absence_id: int) -> int | None:
    """Whom this absence last handed the message to (None if it was given back since)."""
    for event in reversed(incident.events):
        if event.kind == EventKind.REASSIGNED.value and event.data.get("absence_id") == absence_id:
            return event.data.get("to_id") if event.data.get("direction") == "hand_over" else None
    return None


def _reassign(
    uow: UnitOfWork,
    incident: Incident,
    to: User,
    actor: Actor,
    now: datetime,
    note: str,
    absence: Absence,
    direction: str,
) -> None:
    before = incident.assignee_id
    incident.assignee_id = to.id
    incident.updated_at = now
    record(uow, incident, EventKind.REASSIGNED, actor, now, comment=note,
           data={"absence_id": absence.id, "direction": direction, "from_id": before,
                 "to_id": to.id, "to": to.full_name})  # fmt: skip


# --- helpers -------------------------------------------------------------------------------


def _executor(uow: UnitOfWork, user_id: int) -> User:
    person = uow.people.user(user_id)
    if person is None or person.role is not Role.EXECUTOR:
        raise InvalidInput("Отсутствие отмечается для исполнителя подразделения.")
    return person


def _absence(uow: UnitOfWork, absence_id: int) -> Absence:
    absence = uow.staffing.absence(absence_id)
    if absence is None:
        raise NotFound("Отсутствие не найдено.")
    return absence


def _fill(uow: UnitOfWork, absence: Absence, data: AbsenceInput) -> None:
    """Check ``data`` against the rules and the stored absences, then write it to ``absence``."""
    try:
        kind = AbsenceKind(data.kind)
    except ValueError:
        raise InvalidInput("Укажите вид отсутствия из списка.") from None
    if data.last_day - data.first_day > timedelta(days=366):
        raise InvalidInput("Отсутствие длиннее года: проверьте даты.")
    person = _executor(uow, absence.user_id)
    stand_in = uow.people.user(data.stand_in_id) if data.stand_in_id is not None else None
    if data.stand_in_id is not None and (stand_in is None or stand_in.role is not Role.EXECUTOR):
        raise InvalidInput("Замещающий должен быть исполнителем того же подразделения.")
    span = Span(person.id, data.first_day, data.last_day, data.stand_in_id, absence.id)
    check_absence(
        span,
        person=staffing.colleague(person),
        stand_in=staffing.colleague(stand_in) if stand_in is not None else None,
        others=[_span(a) for a in uow.staffing.absences() if a is not absence],
    )
    absence.kind = kind.value
    absence.first_day, absence.last_day = data.first_day, data.last_day
    absence.stand_in_id = data.stand_in_id
    absence.note = (data.note or "").strip() or None


def _values(absence: Absence) -> dict[str, Any]:
    return {
        "user_id": absence.user_id,
        "kind": absence.kind,
        "first_day": absence.first_day.isoformat(),
        "last_day": absence.last_day.isoformat(),
        "stand_in_id": absence.stand_in_id,
        "note": absence.note,
    }


def _log(
    uow: UnitOfWork,
    kind: str,
    actor: Actor,
    now: datetime,
    *,
    absence: Absence | None = None,
    subdivision_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    uow.add(
        PeopleChange(
            at=now,
            kind=kind,
            actor_id=actor.user_id,
            actor_label=actor.label,
            absence_id=absence.id if absence is not None else None,
            subdivision_id=subdivision_id,
            before=before,
            after=after,
        )
    )


# --- the page ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Member:
    """An executor of a body as the page shows them today."""

    user: User
    absence: Absence | None
    receiver: User | None  # who has their work today, when it is not themselves


@dataclass(frozen=True, slots=True)
class Body:
    """A body with its responsible official and executors."""

    id: int
    name: str
    responsible: User | None
    members: list[Member]


def overview(uow: UnitOfWork, ctx: Context, now: datetime) -> dict[str, Any]:
    """Everything the page «Сотрудники и замещения» shows (a fixed number of queries)."""
    day = today(ctx, now)
    with uow:
        absences = uow.staffing.absences()
        spans = [_span(a) for a in absences]
        executors = uow.staffing.executors()
        everyone = {u.id: u for u in uow.people.users()}
        away = {a.user_id: a for a in absences if a.first_day <= day <= a.last_day}
        bodies = []
        for sub in uow.people.subdivisions():
            members = []
            for user in (u for u in executors if u.subdivision_id == sub.id):
                receiver = stand_in_on(user.id, day, spans) if user.id in away else user.id
                members.append(
                    Member(
                        user,
                        away.get(user.id),
                        everyone.get(receiver) if receiver != user.id else None,
                    )
                )
            responsible = everyone.get(sub.responsible_user_id or 0)
            bodies.append(Body(sub.id, sub.name, responsible, members))
        return {
            "today": day,
            "bodies": bodies,
            "absences": absences,
            "executors": [u for u in executors if u.active],
            "people": [u for u in everyone.values() if u.active],
            "alerts": staffing.alerts(uow, ctx, now),
            "log": uow.staffing.log(50),
            "names": {u.id: u.full_name for u in everyone.values()},
        }
