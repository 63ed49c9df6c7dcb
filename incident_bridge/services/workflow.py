"""The department's and the executors' actions on a message, each one attributed.

Every function is one use case: inside one unit of work it loads the incident,
checks the version the person saw, asks the domain state machine (with the
regulation's performers), records history and refreshes the deadlines — or
changes nothing and raises a ``BridgeError``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from incident_bridge.checks.scaffold import PLACEHOLDER, has_placeholder
from incident_bridge.checks.typography import fix_typography
from incident_bridge.domain.errors import (
    IllegalTransition,
    NotFound,
    PermissionDenied,
)
from incident_bridge.domain.events import EventKind
from incident_bridge.domain.model import DraftKind, OutboundKind
from incident_bridge.domain.regulations import Combiner
from incident_bridge.domain.workflow import (
    DRAFTING_STATES,
    Action,
    DraftState,
    Role,
    draft_transition,
    may_take,
)
from incident_bridge.persistence.models import Draft, Incident
from incident_bridge.services import checks, parts, people, webhooks
from incident_bridge.services.actors import Actor
from incident_bridge.services.changes import changing, load
from incident_bridge.services.context import Context
from incident_bridge.services.history import apply, record
from incident_bridge.services.outgoing import enqueue, within_platform_limit
from incident_bridge.services.unit_of_work import UnitOfWork


def route(
    uow: UnitOfWork,
    ctx: Context,
    incident_id: int,
    actor: Actor,
    subdivision_id: int,
    *,
    now: datetime,
    expected_version: int | None = None,
    comment: str | None = None,
    assignee_id: int | None = None,
) -> Incident:
    """Route a new message to the subdivision that will execute it, and to one of its executors.

    The executor is the router's choice (``assignee_id``) or the body's default one; an
    absent executor's message goes on to their stand-in (``people.hand_on_if_away``).
    """
    with changing(uow, ctx, incident_id, expected_version, now) as incident:
        subdivision = uow.people.subdivision(subdivision_id)
        if subdivision is None or not subdivision.active:
            raise NotFound("Подразделение не найдено.")
        assignee = people.pick_assignee(uow, ctx, subdivision.id, assignee_id, now)
        apply(
            uow,
            ctx.profile,
            incident,
            Action.ROUTE,
            actor,
            now,
            reason=comment,
            data={
                "subdivision_id": subdivision.id,
                "subdivision": subdivision.name,
                "assignee_id": assignee.id if assignee else None,
                "assignee": assignee.full_name if assignee else None,
            },
        )
        incident.subdivision_id = subdivision.id
        incident.assignee_id = assignee.id if assignee else None
        people.hand_on_if_away(uow, ctx, incident, actor, now)
    return incident


def redirect(
    uow: UnitOfWork,
    ctx: Context,
    incident_id: int,
    actor: Actor,
    reason: str,
    *,
    now: datetime,
    expected_version: int | None = None,
) -> Incident:
    """Redirect a message outside the administration's competence, with the reason, via the outbox."""
    with changing(uow, ctx, incident_id, expected_version, now) as incident:
        apply(uow, ctx.profile, incident, Action.REDIRECT, actor, now, reason=reason)
        enqueue(uow, incident, OutboundKind.REDIRECT, reason.strip(), actor, now, draft=None)
    return incident


def exclude(
    uow: UnitOfWork,
    ctx: Context,
    incident_id: int,
    actor: Actor,
    reason: str,
    *,
    now: datetime,
    expected_version: int | None = None,
) -> Incident:
    """Exclude a message from work on the regulation's grounds, or on the grounds the person writes.

    The history keeps the clause and its grounds where the regulation has them
    (``ctx.profile.exclusion``), and always the person's own words.
    """
    exclusion = ctx.profile.exclusion
    if exclusion.clause is None:
        grounds = {"grounds": reason.strip()}
    else:
        grounds = {"clause": exclusion.clause, "grounds": exclusion.grounds}
    with changing(uow, ctx, incident_id, expected_version, now) as incident:
        apply(uow, ctx.profile, incident, Action.EXCLUDE, actor, now, reason=reason, data=grounds)
    return incident


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
    """An executor returns a message to the department: not their subdivision's competence."""
    with changing(uow, ctx, incident_id, expected_version, now) as incident:
        _require_own_subdivision(incident, actor)
        apply(uow, ctx.profile, incident, Action.DECLINE, actor, now, reason=reason)
        incident.subdivision_id = None
        incident.assignee_id = None
    return incident


def save_draft(
    uow: UnitOfWork,
    ctx: Context,
    incident_id: int,
    actor: Actor,
    kind: DraftKind,
    text: str,
    *,
    now: datetime,
    expected_version: int | None = None,
) -> Draft:
    """Save the executor's working draft without submitting it."""
    with changing(uow, ctx, incident_id, expected_version, now) as incident:
        draft = _working_draft(uow, ctx, incident, actor, kind, text, now)
        record(
            uow,
            incident,
            EventKind.DRAFT_SAVED,
            actor,
            now,
            data={"draft_kind": kind.value, "length": len(text)},
        )
        incident.updated_at = now
    return draft


def submit_draft(
    uow: UnitOfWork,
    ctx: Context,
    incident_id: int,
    actor: Actor,
    kind: DraftKind,
    text: str,
    *,
    now: datetime,
    expected_version: int | None = None,
) -> Draft:
    """Submit a draft (answer, interim answer or clarification request) to the department's check."""
    if not text.strip():
        raise IllegalTransition("Проект ответа пуст.")
    if has_placeholder(text):
        raise IllegalTransition(
            f"В проекте остались места заготовки «{PLACEHOLDER} …]]»: напишите ответ на каждый "
            "вопрос вместо них."
        )
    with changing(uow, ctx, incident_id, expected_version, now) as incident:
        draft = _working_draft(uow, ctx, incident, actor, kind, text, now)
        apply(
            uow,
            ctx.profile,
            incident,
            Action.SUBMIT_DRAFT,
            actor,
            now,
            draft_kind=kind,
            data={"draft_id": draft.id, "text": text},
            performers=performers_for(ctx, incident),
        )
        draft.state = draft_transition(draft.state, Action.SUBMIT_DRAFT)
        draft.submitted_at = now
        if ctx.profile.remote_approval is not None:
            # «На согласование» to the regional authority, through the incident system.
            enqueue(uow, incident, OutboundKind.APPROVAL_REQUEST, text, actor, now, draft=draft)
        # The report as it stood at submission, kept for the record (the review re-runs it).
        report = checks.review(uow, ctx, incident, text, kind)
        draft.check_report = report.to_dict(draft.id)
        draft.checks_failed = len(checks.failed(report))
        webhooks.emit(uow, webhooks.DRAFT_SUBMITTED, webhooks.of_incident(
            incident, draft_id=draft.id, kind=kind.value, part=None,
        ), now, event_id=f"{webhooks.DRAFT_SUBMITTED}:draft:{draft.id}")  # fmt: skip
    return draft


def approve(
    uow: UnitOfWork,
    ctx: Context,
    incident_id: int,
    actor: Actor,
    *,
    now: datetime,
    expected_version: int | None = None,
    override_reason: str | None = None,
) -> Draft:
    """Approve the submitted draft; it goes to the incident system through the outbox.

    A draft that fails a check the profile makes blocking for its kind is
    refused, unless the reviewer approves it anyway with a written reason (kept
    in the history).
    """
    _approved_here(ctx)
    with changing(uow, ctx, incident_id, expected_version, now) as incident:
        draft = _submitted_draft(incident)
        within_platform_limit(incident, draft.text)
        failures = checks.failed(checks.review(uow, ctx, incident, draft.text, draft.kind))
        override = (override_reason or "").strip()
        if failures and not override:
            names = ", ".join(check.label for check in failures)
            raise IllegalTransition(
                f"Проект не прошёл обязательные проверки: {names}. Верните его на доработку "
                "или одобрите, указав обоснование."
            )
        apply(
            uow,
            ctx.profile,
            incident,
            Action.APPROVE,
            actor,
            now,
            draft_kind=draft.kind,
            reason=override if failures else None,
            data={"draft_id": draft.id, "checks_failed": [c.value for c in failures]},
        )
        draft.state = draft_transition(draft.state, Action.APPROVE)
        draft.reviewer_id = actor.user_id
        draft.reviewed_at = now
        enqueue(uow, incident, OutboundKind.of(draft.kind), draft.text, actor, now, draft=draft)
    return draft


def edit_draft(
    uow: UnitOfWork,
    ctx: Context,
    incident_id: int,
    actor: Actor,
    text: str,
    *,
    now: datetime,
    expected_version: int | None = None,
) -> Draft:
    """The reviewer corrects the draft on review (a typo, a reply the system refused as too long).

    Who may is who approves under the regulation; the executor stays its author, the
    history keeps the correction, who made it and the text before it.
    """
    if not text.strip():
        raise IllegalTransition("Проект ответа пуст.")
    with changing(uow, ctx, incident_id, expected_version, now) as incident:
        _may_correct(actor, ctx)
        draft = _submitted_draft(incident)
        if text == draft.text:
            return draft
        record(
            uow,
            incident,
            EventKind.DRAFT_EDITED,
            actor,
            now,
            data={"draft_id": draft.id, "previous_text": draft.text, "length": len(text)},
        )
        draft.text = text
        draft.updated_at = now
        draft.check_report = checks.review(uow, ctx, incident, text, draft.kind).to_dict(draft.id)
        incident.updated_at = now
    return draft


def fix_draft_typography(
    uow: UnitOfWork,
    ctx: Context,
    incident_id: int,
    actor: Actor,
    *,
    now: datetime,
    expected_version: int | None = None,
) -> Draft:
    """The reviewer's «Исправить пробелы и знаки»: :func:`edit_draft` with the draft's text fixed.

    One unit of work, so the text fixed is the text corrected; the history keeps it as any
    correction, with the text before it. A draft with nothing to fix is refused, not edited.
    """
    with uow:
        incident = load(uow, incident_id, expected_version)
        _may_correct(actor, ctx)
        text = _submitted_draft(incident).text
        fixed = fix_typography(text)
        if fixed == text:
            raise IllegalTransition("Пробелы и знаки в проекте в порядке: исправлять нечего.")
        return edit_draft(
            uow, ctx, incident_id, actor, fixed, now=now, expected_version=expected_version
        )


def _approved_here(ctx: Context) -> None:
    """Refuse a local approval where the regulation has drafts approved in the incident system."""
    clause = ctx.profile.remote_approval
    if clause is not None:
        raise IllegalTransition(
            "Проект согласует региональный орган в системе Инцидент "
            f"({clause}): решение придёт при синхронизации."
        )


def _may_correct(actor: Actor, ctx: Context) -> None:
    """Who corrects a draft on review is who approves it under the regulation."""
    if not may_take(actor.role, Action.APPROVE, ctx.profile.performers):
        raise PermissionDenied("Исправить проект может только тот, кто его одобряет.")


def return_for_rework(
    uow: UnitOfWork,
    ctx: Context,
    incident_id: int,
    actor: Actor,
    comment: str,
    *,
    now: datetime,
    expected_version: int | None = None,
) -> Draft:
    """Return the submitted draft to the executor for rework, with the reviewer's comment."""
    _approved_here(ctx)
    with changing(uow, ctx, incident_id, expected_version, now) as incident:
        draft = _submitted_draft(incident)
        apply(
            uow,
            ctx.profile,
            incident,
            Action.RETURN,
            actor,
            now,
            reason=comment,
            data={"draft_id": draft.id},
        )
        draft.state = draft_transition(draft.state, Action.RETURN)
        draft.reviewer_id = actor.user_id
        draft.reviewed_at = now
        draft.review_comment = comment
    return draft


def close_unanswered(
    uow: UnitOfWork,
    ctx: Context,
    incident_id: int,
    actor: Actor,
    reason: str,
    *,
    now: datetime,
    expected_version: int | None = None,
) -> Incident:
    """Close a message whose author never gave the requested clarification."""
    with changing(uow, ctx, incident_id, expected_version, now) as incident:
        apply(uow, ctx.profile, incident, Action.CLOSE, actor, now, reason=reason)
    return incident


def current_draft(incident: Incident) -> Draft | None:
    """The latest draft round of the incident, if any."""
    return incident.drafts[-1] if incident.drafts else None


def performers_for(ctx: Context, incident: Incident) -> Mapping[Action, Role]:
    """Who takes each step on this message: the profile's, but the curator submits the
    combined answer it writes itself (several bodies, ``Combiner.CURATOR``)."""
    performers = ctx.profile.performers
    if incident.parts and incident.combiner is Combiner.CURATOR and ctx.profile.parts:
        return {**performers, Action.SUBMIT_DRAFT: ctx.profile.parts.assign}
    return performers


def writes_draft(ctx: Context, incident: Incident, actor: Actor) -> bool:
    """Whether ``actor`` writes this message's draft (its body's executor, or the combined
    answer's writer when several bodies share it)."""
    combined = parts.writes_combined(incident, actor, ctx.profile)
    if combined is not None:
        return combined
    return (
        actor.role == Role.EXECUTOR
        and incident.subdivision_id is not None
        and actor.subdivision_id == incident.subdivision_id
    )


def _working_draft(
    uow: UnitOfWork,
    ctx: Context,
    incident: Incident,
    actor: Actor,
    kind: DraftKind,
    text: str,
    now: datetime,
) -> Draft:
    """The writer's open draft, created for a new round when there is none."""
    if not writes_draft(ctx, incident, actor):
        _require_own_subdivision(incident, actor)
        raise PermissionDenied("Общий ответ готовит тот, кому его поручил куратор.")
    if incident.parts:
        parts.require_all_in(incident)
    if incident.status not in DRAFTING_STATES:
        raise IllegalTransition(
            f"Проект ответа нельзя изменить: сообщение в состоянии «{incident.status.label}»."
        )
    assert incident.subdivision_id is not None and actor.user_id is not None
    draft = current_draft(incident)
    if draft is None or draft.state is not DraftState.EDITING:
        draft = Draft(
            incident=incident,
            subdivision_id=incident.subdivision_id,
            author_id=actor.user_id,
            kind=kind,
            text=text,
            state=DraftState.EDITING,
            created_at=now,
            updated_at=now,
        )
        uow.add(draft)
    draft.kind = kind
    draft.text = text
    draft.author_id = actor.user_id
    draft.updated_at = now
    uow.flush()
    return draft


def _submitted_draft(incident: Incident) -> Draft:
    draft = current_draft(incident)
    if draft is None or draft.state is not DraftState.SUBMITTED:
        raise IllegalTransition(
            f"Нет проекта ответа на проверке: сообщение в состоянии «{incident.status.label}»."
        )
    return draft


def _require_own_subdivision(incident: Incident, actor: Actor) -> None:
    if actor.role != Role.EXECUTOR:
        raise PermissionDenied("Проект ответа готовит исполнитель подразделения.")
    if incident.subdivision_id is None or actor.subdivision_id != incident.subdivision_id:
        raise PermissionDenied("Сообщение направлено другому подразделению.")
