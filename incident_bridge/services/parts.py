"""Several bodies on one message: the curator assigns the parts, each body writes its own.

The rules are the profile's (``ctx.profile.parts``): who assigns, who may write the
combined answer; each open part runs the profile's ``part`` clock from its own
history entries (``part_id``). Every step is attributed in the message's history,
with the part's text, so the history shows who wrote what.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from incident_bridge.domain.deadlines import ClockState, part_clocks
from incident_bridge.domain.errors import IllegalTransition, NotFound, PermissionDenied
from incident_bridge.domain.events import EventKind
from incident_bridge.domain.model import DraftKind, OutboundKind
from incident_bridge.domain.parts import (
    PartState,
    PartStep,
    PartView,
    all_in,
    all_published,
    initial_states,
    part_transition,
    to_open,
)
from incident_bridge.domain.regulations import Combiner, Parts, PartsMode, Profile
from incident_bridge.domain.review import Check
from incident_bridge.domain.workflow import Action, Role, Status
from incident_bridge.persistence.models import CalendarOverrideRow, Incident, Part
from incident_bridge.services import checks, deadlines, webhooks
from incident_bridge.services.actors import SYSTEM_ACTOR, Actor
from incident_bridge.services.changes import changing
from incident_bridge.services.context import Context
from incident_bridge.services.history import apply, record
from incident_bridge.services.outgoing import enqueue, within_platform_limit
from incident_bridge.services.unit_of_work import UnitOfWork

#: The longest part a body may send (a reply's own limit applies to the combined answer).
MAX_PART_LENGTH = 20_000


def rule(profile: Profile) -> Parts:
    """The profile's rule for several bodies, or a refusal saying why it has none."""
    if profile.parts is None:
        why = profile.silent.get("parts", "")
        raise IllegalTransition(f"Регламент не предусматривает нескольких исполнителей: {why}.")
    return profile.parts


def may_assign(role: str, profile: Profile) -> bool:
    """Whether ``role`` assigns parts under the profile (an admin may stand in)."""
    return profile.parts is not None and role in (profile.parts.assign, Role.ADMIN)


def assign(
    uow: UnitOfWork,
    ctx: Context,
    incident_id: int,
    actor: Actor,
    bodies: Sequence[int],
    mode: PartsMode,
    combiner: Combiner | None,
    *,
    now: datetime,
    expected_version: int | None = None,
    comment: str | None = None,
) -> Incident:
    """Route a new message to several bodies, in the order given, each for its part.

    ``combiner`` None: the profile's first (its default writer of the combined answer).
    """
    parts_rule = rule(ctx.profile)
    combiner = combiner or parts_rule.combiners[0]
    if not may_assign(actor.role, ctx.profile):
        raise PermissionDenied(
            f"Поручить сообщение нескольким органам может {parts_rule.assign.label.lower()}."
        )
    if combiner not in parts_rule.ways:
        allowed = "; ".join(c.label.lower() for c in parts_rule.ways)
        raise IllegalTransition(f"По регламенту ({parts_rule.clause}): {allowed}.")
    chosen = list(dict.fromkeys(bodies))
    if len(chosen) < len(bodies):
        raise IllegalTransition("Каждый орган выбирается один раз: уберите повторы.")
    states = initial_states(len(chosen), mode)
    with changing(uow, ctx, incident_id, expected_version, now) as incident:
        names = []
        for subdivision_id in chosen:
            body = uow.people.subdivision(subdivision_id)
            if body is None or not body.active:
                raise NotFound("Подразделение не найдено.")
            names.append(body.name)
        _clear_declined(uow, incident)
        apply(uow, ctx.profile, incident, Action.ROUTE, actor, now, reason=comment, data={
            "bodies": names, "subdivision_ids": chosen, "mode": mode.value,
            "combiner": combiner.value,
        })  # fmt: skip
        incident.subdivision_id = None
        incident.parts_mode, incident.combiner = mode, combiner
        for position, (subdivision_id, state) in enumerate(zip(chosen, states, strict=True)):
            part = Part(
                subdivision_id=subdivision_id, position=position, state=PartState.WAITING,
                text="", updated_at=now,
            )  # fmt: skip
            incident.parts.append(part)
            uow.flush()
            if state is PartState.OPEN:
                _open(uow, incident, part, actor, now)
    return incident


def save(
    uow: UnitOfWork,
    ctx: Context,
    incident_id: int,
    actor: Actor,
    text: str,
    *,
    now: datetime,
    expected_version: int | None = None,
) -> Part:
    """The body's executor saves its part without sending it."""
    _length(text)
    with changing(uow, ctx, incident_id, expected_version, now) as incident:
        part = _own_open_part(incident, actor)
        part.text, part.author_id, part.updated_at = text, actor.user_id, now
        record(uow, incident, EventKind.PART_SAVED, actor, now,
               data={"part_id": part.id, "length": len(text)})  # fmt: skip
        incident.updated_at = now
    return part


def submit(
    uow: UnitOfWork,
    ctx: Context,
    incident_id: int,
    actor: Actor,
    text: str,
    *,
    now: datetime,
    expected_version: int | None = None,
) -> Part:
    """The body sends its part to the curator; in order, the next body's part opens."""
    if not text.strip():
        raise IllegalTransition("Часть ответа пуста.")
    _length(text)
    with changing(uow, ctx, incident_id, expected_version, now) as incident:
        part = _own_open_part(incident, actor)
        part.state = part_transition(part.state, PartStep.SUBMIT)
        part.text, part.author_id, part.updated_at, part.submitted_at = (
            text,
            actor.user_id,
            now,
            now,
        )
        record(uow, incident, EventKind.PART_SUBMITTED, actor, now, data={
            "part_id": part.id, "subdivision": part.subdivision.name, "text": text,
        })  # fmt: skip
        _advance(uow, ctx, incident, actor, now)
        # A part goes back for rework and comes again: each submission is its own event.
        webhooks.emit(uow, webhooks.DRAFT_SUBMITTED, webhooks.of_incident(
            incident, draft_id=None, kind="part",
            part={"id": part.id, "subdivision": part.subdivision.name},
        ), now, event_id=f"{webhooks.DRAFT_SUBMITTED}:part:{part.id}:{now.isoformat()}")  # fmt: skip
    return part


def decline(
    uow: UnitOfWork,
    ctx: Context,
    incident_id: int,
    actor: Actor,
    reason: str,
    *,
    now: datetime,
    expected_version: int | None = None,
) -> Incident:
    """The body declines its part: not its competence (the curator sees why)."""
    if not reason.strip():
        raise IllegalTransition("Укажите, почему вопрос не в компетенции органа.")
    with changing(uow, ctx, incident_id, expected_version, now) as incident:
        part = _own_open_part(incident, actor)
        part.state = part_transition(part.state, PartStep.DECLINE)
        part.comment, part.updated_at = reason.strip(), now
        record(uow, incident, EventKind.PART_DECLINED, actor, now, comment=reason.strip(),
               data={"part_id": part.id, "subdivision": part.subdivision.name})  # fmt: skip
        _advance(uow, ctx, incident, actor, now)
    return incident


def return_part(
    uow: UnitOfWork,
    ctx: Context,
    incident_id: int,
    actor: Actor,
    part_id: int,
    comment: str,
    *,
    now: datetime,
    expected_version: int | None = None,
) -> Part:
    """The curator sends a body's part back for rework; its clock starts anew."""
    if not may_assign(actor.role, ctx.profile):
        raise PermissionDenied("Вернуть часть ответа может тот, кто поручил части.")
    if not comment.strip():
        raise IllegalTransition("Укажите, что доработать в части ответа.")
    with changing(uow, ctx, incident_id, expected_version, now) as incident:
        if incident.status not in (Status.ROUTED, Status.REWORK):
            raise IllegalTransition(
                f"Часть ответа уже не вернуть: сообщение в состоянии «{incident.status.label}»."
            )
        part = _part(incident, part_id)
        part.state = part_transition(part.state, PartStep.RETURN)
        part.comment, part.updated_at, part.opened_at = comment.strip(), now, now
        record(uow, incident, EventKind.PART_RETURNED, actor, now, comment=comment.strip(),
               data={"part_id": part.id, "subdivision": part.subdivision.name})  # fmt: skip
    return part


def publish(
    uow: UnitOfWork,
    ctx: Context,
    incident_id: int,
    actor: Actor,
    part_id: int,
    *,
    now: datetime,
    expected_version: int | None = None,
    override_reason: str | None = None,
) -> Part:
    """In turn (Leningrad 8.9): the curator consents to publish one body's part on its own.

    The part goes to the author through the outbox as an answer. It passes the
    profile's blocking checks for an answer, except completeness (a part answers the
    questions in its body's competence only), unless the curator writes why it goes
    anyway. Once every part is published or declined the message is publishing, and
    it closes when the last part is delivered.
    """
    if not may_assign(actor.role, ctx.profile):
        raise PermissionDenied("Согласовать публикацию части ответа может тот, кто поручил части.")
    with changing(uow, ctx, incident_id, expected_version, now) as incident:
        if incident.combiner is not Combiner.IN_TURN:
            raise IllegalTransition(
                "Части этого сообщения сводятся в общий ответ: публикация по очереди не выбрана."
            )
        if incident.status is not Status.ROUTED:
            raise IllegalTransition(
                f"Часть ответа не опубликовать: сообщение в состоянии «{incident.status.label}»."
            )
        part = _part(incident, part_id)
        part.state = part_transition(part.state, PartStep.PUBLISH)
        within_platform_limit(incident, part.text)
        report = checks.review(uow, ctx, incident, part.text, DraftKind.ANSWER)
        failures = [c for c in checks.failed(report) if c is not Check.COMPLETENESS]
        override = (override_reason or "").strip()
        if failures and not override:
            names = ", ".join(check.label for check in failures)
            raise IllegalTransition(
                f"Часть ответа не прошла обязательные проверки: {names}. Верните её органу "
                "на доработку или согласуйте публикацию, указав обоснование."
            )
        part.updated_at = now
        record(uow, incident, EventKind.PART_PUBLISHED, actor, now,
               comment=override if failures else None,
               data={"part_id": part.id, "subdivision": part.subdivision.name, "text": part.text,
                     "checks_failed": [c.value for c in failures]})  # fmt: skip
        enqueue(uow, incident, OutboundKind.PART_ANSWER, part.text, actor, now, draft=None)
        _finish_in_turn(uow, ctx, incident, actor, now)
    return part


def finish(
    uow: UnitOfWork,
    ctx: Context,
    incident_id: int,
    actor: Actor,
    *,
    now: datetime,
    expected_version: int | None = None,
) -> Incident:
    """In turn: the curator ends the work once the parts are published and the rest declined."""
    if not may_assign(actor.role, ctx.profile):
        raise PermissionDenied("Завершить публикацию по очереди может тот, кто поручил части.")
    with changing(uow, ctx, incident_id, expected_version, now) as incident:
        if not finishable(incident):
            raise IllegalTransition(
                "Завершить публикацию по очереди можно, когда каждая часть опубликована "
                "или орган от неё отказался."
            )
        _finish_in_turn(uow, ctx, incident, actor, now)
    return incident


def finishable(incident: Incident) -> bool:
    """In turn: whether the curator may end the work (parts published, the rest declined)."""
    return (
        incident.combiner is Combiner.IN_TURN
        and incident.status is Status.ROUTED
        and all_published([PartView(p.position, p.state) for p in incident.parts])
    )


def after_delivery(uow: UnitOfWork, ctx: Context, incident: Incident, now: datetime) -> None:
    """A part published in turn was delivered: the message closes once the last one is."""
    if (
        incident.status is Status.PUBLISHING
        and incident.combiner is Combiner.IN_TURN
        and uow.outbox.undelivered(incident.id, OutboundKind.PART_ANSWER) == 0
    ):
        apply(uow, ctx.profile, incident, Action.DELIVERED, SYSTEM_ACTOR, now,
              draft_kind=DraftKind.ANSWER, data={"in_turn": True})  # fmt: skip


def _finish_in_turn(
    uow: UnitOfWork, ctx: Context, incident: Incident, actor: Actor, now: datetime
) -> None:
    """Every part published or declined: the answer is out of the curator's hands."""
    if not all_published([PartView(p.position, p.state) for p in incident.parts]):
        return
    published = sum(1 for p in incident.parts if p.state is PartState.PUBLISHED)
    apply(uow, ctx.profile, incident, Action.APPROVE, actor, now, draft_kind=DraftKind.ANSWER,
          data={"in_turn": True, "parts_published": published}, in_turn=True)  # fmt: skip
    uow.flush()
    after_delivery(uow, ctx, incident, now)


def clocks(
    ctx: Context, incident: Incident, now: datetime, overrides: Sequence[CalendarOverrideRow]
) -> dict[int, ClockState]:
    """Each part's own clock (the profile's ``part``), by part id."""
    timeline = deadlines.timeline_of(incident)
    calendar = ctx.calendars.known_at(overrides, timeline.arrived_at)
    return part_clocks(deadlines.history_of(timeline, ctx.profile), ctx.profile, calendar, now)


def visible_to(incident: Incident, subdivision_id: int | None) -> bool:
    """Whether the body has a part of the message it has received (not one still in line)."""
    return subdivision_id is not None and any(
        p.subdivision_id == subdivision_id and p.state is not PartState.WAITING
        for p in incident.parts
    )


def own_part(incident: Incident, subdivision_id: int | None) -> Part | None:
    """The body's part of the message, if it has one."""
    return next((p for p in incident.parts if p.subdivision_id == subdivision_id), None)


def require_all_in(incident: Incident) -> None:
    """Refuse the combined answer while a body's part is still to come."""
    missing = [p.subdivision.name for p in incident.parts if not p.state.settled]
    if missing:
        raise IllegalTransition(f"Общий ответ готовится, когда получены все части: ждём — "
                                f"{', '.join(missing)}.")  # fmt: skip


def writes_combined(incident: Incident, actor: Actor, profile: Profile) -> bool | None:
    """Who writes the message's draft: None without parts, else whether ``actor`` may.

    The last body's executors, or the curator, as chosen when the parts were assigned.
    """
    if not incident.parts:
        return None
    if incident.combiner is Combiner.IN_TURN:
        return False  # each part is published on its own: there is no combined answer
    if incident.combiner is Combiner.CURATOR:
        return may_assign(actor.role, profile)
    return actor.role == Role.EXECUTOR and actor.subdivision_id == incident.subdivision_id


def _length(text: str) -> None:
    if len(text) > MAX_PART_LENGTH:
        raise IllegalTransition(f"Часть ответа длиннее {MAX_PART_LENGTH} знаков: сократите её.")


def _part(incident: Incident, part_id: int) -> Part:
    part = next((p for p in incident.parts if p.id == part_id), None)
    if part is None:
        raise NotFound("Часть ответа не найдена.")
    return part


def _own_open_part(incident: Incident, actor: Actor) -> Part:
    if actor.role != Role.EXECUTOR:
        raise PermissionDenied("Часть ответа готовит исполнитель органа.")
    part = own_part(incident, actor.subdivision_id)
    if part is None:
        raise PermissionDenied("Органу не поручена часть ответа на это сообщение.")
    if part.state is not PartState.OPEN:
        raise IllegalTransition(f"Часть ответа в состоянии «{part.state.label}»: изменить нельзя.")
    return part


def _open(uow: UnitOfWork, incident: Incident, part: Part, actor: Actor, now: datetime) -> None:
    part.state = part_transition(part.state, PartStep.OPEN)
    part.opened_at, part.updated_at = now, now
    record(uow, incident, EventKind.PART_OPENED, actor, now,
           data={"part_id": part.id, "subdivision": part.subdivision.name,
                 "position": part.position + 1})  # fmt: skip


def _advance(
    uow: UnitOfWork, ctx: Context, incident: Incident, actor: Actor, now: datetime
) -> None:
    """Open the next part in order; once all are in, hand the combined answer to its writer."""
    assert incident.parts_mode is not None
    views = [PartView(p.position, p.state) for p in incident.parts]
    for position in to_open(views, incident.parts_mode):
        _open(uow, incident, incident.parts[position], actor, now)
    if not all_in([PartView(p.position, p.state) for p in incident.parts]):
        return
    submitted = [p for p in incident.parts if p.state is PartState.SUBMITTED]
    if not any(p.state.answered for p in incident.parts):
        # Every body declined: back to the curator to assign anew.
        apply(uow, ctx.profile, incident, Action.DECLINE, actor, now,
              reason="Все органы отказались от частей ответа: не в компетенции.")  # fmt: skip
        incident.subdivision_id = None
        return
    if incident.combiner is Combiner.IN_TURN:
        return  # the curator publishes each part, and finishes if the last one was declined
    last = max(submitted, key=lambda p: (p.submitted_at or now, p.position))
    incident.subdivision_id = last.subdivision_id
    writer = (
        "куратор"
        if incident.combiner is Combiner.CURATOR
        else f"последний исполнитель: {last.subdivision.name}"
    )
    record(uow, incident, EventKind.PARTS_COMPLETE, actor, now,
           data={"subdivision_id": last.subdivision_id, "writer": writer})  # fmt: skip


def _clear_declined(uow: UnitOfWork, incident: Incident) -> None:
    """A message every body declined is assigned anew; its old parts live on in the history."""
    if any(p.state is not PartState.DECLINED for p in incident.parts):
        raise IllegalTransition("Части ответа уже поручены органам.")
    incident.parts.clear()  # delete-orphan: the rows go, the history keeps them
    uow.flush()
