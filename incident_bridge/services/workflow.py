"""The department's and the executors' actions on a message, each one attributed.

Every function is one use case: it loads the incident, checks the version the
person saw, asks the domain state machine, records history, refreshes the
deadlines and commits — or changes nothing and raises a ``BridgeError``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy.orm import Session

from incident_bridge.domain.errors import (
    ConcurrentUpdate,
    IllegalTransition,
    NotFound,
    PermissionDenied,
)
from incident_bridge.domain.events import EventKind
from incident_bridge.domain.model import DraftKind, OutboundKind
from incident_bridge.domain.workflow import Action, Role, Status
from incident_bridge.persistence.models import Draft, Incident, OutboxMessage, Subdivision
from incident_bridge.persistence.uow import SqlAlchemyUnitOfWork
from incident_bridge.services import checks, deadlines
from incident_bridge.services.actors import Actor
from incident_bridge.services.history import apply, record

_OUTBOUND_FOR_DRAFT = {
    DraftKind.ANSWER: OutboundKind.REPLY,
    DraftKind.INTERIM: OutboundKind.INTERIM,
    DraftKind.CLARIFICATION: OutboundKind.CLARIFICATION,
}


def load(session: Session, incident_id: int, expected_version: int | None) -> Incident:
    """Load an incident and refuse if it changed since the person last saw it."""
    incident = session.get(Incident, incident_id)
    if incident is None:
        raise NotFound("Сообщение не найдено.")
    if expected_version is not None and incident.version_id != expected_version:
        raise ConcurrentUpdate()
    return incident


def route(
    session: Session,
    incident_id: int,
    actor: Actor,
    subdivision_id: int,
    *,
    now: datetime,
    expected_version: int | None = None,
    comment: str | None = None,
) -> Incident:
    """Route a new message to the subdivision that will execute it."""
    with _changing(session, incident_id, expected_version, now) as incident:
        subdivision = session.get(Subdivision, subdivision_id)
        if subdivision is None or not subdivision.active:
            raise NotFound("Подразделение не найдено.")
        apply(
            session,
            incident,
            Action.ROUTE,
            actor,
            now,
            reason=comment,
            data={"subdivision_id": subdivision.id, "subdivision": subdivision.name},
        )
        incident.subdivision_id = subdivision.id
    return incident


def redirect(
    session: Session,
    incident_id: int,
    actor: Actor,
    reason: str,
    *,
    now: datetime,
    expected_version: int | None = None,
) -> Incident:
    """Redirect a message outside the administration's competence, with the reason, via the outbox."""
    with _changing(session, incident_id, expected_version, now) as incident:
        apply(session, incident, Action.REDIRECT, actor, now, reason=reason)
        _enqueue(session, incident, OutboundKind.REDIRECT, reason.strip(), actor, now, draft=None)
    return incident


def exclude(
    session: Session,
    incident_id: int,
    actor: Actor,
    reason: str,
    *,
    now: datetime,
    expected_version: int | None = None,
    clause: str | None = None,
) -> Incident:
    """Exclude an obscene or threatening message from work, citing the regulation clause."""
    with _changing(session, incident_id, expected_version, now) as incident:
        apply(
            session,
            incident,
            Action.EXCLUDE,
            actor,
            now,
            reason=reason,
            data={"clause": clause} if clause else None,
        )
    return incident


def decline(
    session: Session,
    incident_id: int,
    actor: Actor,
    reason: str,
    *,
    now: datetime,
    expected_version: int | None = None,
) -> Incident:
    """An executor returns a message to the department: not their subdivision's competence."""
    with _changing(session, incident_id, expected_version, now) as incident:
        _require_own_subdivision(incident, actor)
        apply(session, incident, Action.DECLINE, actor, now, reason=reason)
        incident.subdivision_id = None
    return incident


def save_draft(
    session: Session,
    incident_id: int,
    actor: Actor,
    kind: DraftKind,
    text: str,
    *,
    now: datetime,
    expected_version: int | None = None,
) -> Draft:
    """Save the executor's working draft without submitting it."""
    with _changing(session, incident_id, expected_version, now) as incident:
        draft = _working_draft(session, incident, actor, kind, text, now)
        record(
            session,
            incident,
            EventKind.DRAFT_SAVED,
            actor,
            now,
            data={"draft_kind": kind.value, "length": len(text)},
        )
        incident.updated_at = now
    return draft


def submit_draft(
    session: Session,
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
    with _changing(session, incident_id, expected_version, now) as incident:
        draft = _working_draft(session, incident, actor, kind, text, now)
        apply(
            session,
            incident,
            Action.SUBMIT_DRAFT,
            actor,
            now,
            draft_kind=kind,
            data={"draft_id": draft.id, "text": text},
        )
        draft.state = "submitted"
        draft.submitted_at = now
        # The report as it stood at submission, kept for the record (the review re-runs it).
        draft.check_report = checks.review(session, incident, text, kind).to_dict(draft.id)
    return draft


def approve(
    session: Session,
    incident_id: int,
    actor: Actor,
    *,
    now: datetime,
    expected_version: int | None = None,
    override_reason: str | None = None,
) -> Draft:
    """Approve the submitted draft; it goes to the incident system through the outbox.

    A draft that fails a check the profile makes blocking is refused, unless the
    reviewer approves it anyway with a written reason (kept in the history).
    """
    with _changing(session, incident_id, expected_version, now) as incident:
        draft = _submitted_draft(incident)
        kind = DraftKind(draft.kind)
        failures = checks.failed(checks.review(session, incident, draft.text, kind))
        override = (override_reason or "").strip()
        if failures and not override:
            names = ", ".join(checks.CHECK_LABELS[name] for name in failures)
            raise IllegalTransition(
                f"Проект не прошёл обязательные проверки: {names}. Верните его на доработку "
                "или одобрите, указав обоснование."
            )
        apply(
            session,
            incident,
            Action.APPROVE,
            actor,
            now,
            draft_kind=kind,
            reason=override if failures else None,
            data={"draft_id": draft.id, "checks_failed": failures},
        )
        draft.state = "approved"
        draft.reviewer_id = actor.user_id
        draft.reviewed_at = now
        _enqueue(session, incident, _OUTBOUND_FOR_DRAFT[kind], draft.text, actor, now, draft=draft)
    return draft


def return_for_rework(
    session: Session,
    incident_id: int,
    actor: Actor,
    comment: str,
    *,
    now: datetime,
    expected_version: int | None = None,
) -> Draft:
    """Return the submitted draft to the executor for rework, with the reviewer's comment."""
    with _changing(session, incident_id, expected_version, now) as incident:
        draft = _submitted_draft(incident)
        apply(
            session,
            incident,
            Action.RETURN,
            actor,
            now,
            reason=comment,
            data={"draft_id": draft.id},
        )
        draft.state = "returned"
        draft.reviewer_id = actor.user_id
        draft.reviewed_at = now
        draft.review_comment = comment
    return draft


def close_unanswered(
    session: Session,
    incident_id: int,
    actor: Actor,
    reason: str,
    *,
    now: datetime,
    expected_version: int | None = None,
) -> Incident:
    """Close a message whose author never gave the requested clarification."""
    with _changing(session, incident_id, expected_version, now) as incident:
        apply(session, incident, Action.CLOSE, actor, now, reason=reason)
    return incident


def current_draft(incident: Incident) -> Draft | None:
    """The latest draft round of the incident, if any."""
    return incident.drafts[-1] if incident.drafts else None


def _working_draft(
    session: Session, incident: Incident, actor: Actor, kind: DraftKind, text: str, now: datetime
) -> Draft:
    """The executor's open draft, created for a new round when there is none."""
    _require_own_subdivision(incident, actor)
    status = Status(incident.status)
    if status not in (Status.ROUTED, Status.REWORK, Status.INTERIM_ANSWERED):
        raise IllegalTransition(
            f"Проект ответа нельзя изменить: сообщение в состоянии «{status.label}»."
        )
    draft = current_draft(incident)
    if draft is None or draft.state != "editing":
        draft = Draft(
            incident=incident,
            subdivision_id=incident.subdivision_id,
            author_id=actor.user_id,
            kind=kind.value,
            text=text,
            state="editing",
            created_at=now,
            updated_at=now,
        )
        session.add(draft)
    draft.kind = kind.value
    draft.text = text
    draft.author_id = actor.user_id  # type: ignore[assignment]
    draft.updated_at = now
    session.flush()
    return draft


def _submitted_draft(incident: Incident) -> Draft:
    draft = current_draft(incident)
    if draft is None or draft.state != "submitted":
        raise IllegalTransition(
            f"Нет проекта ответа на проверке: сообщение в состоянии «{Status(incident.status).label}»."
        )
    return draft


def _require_own_subdivision(incident: Incident, actor: Actor) -> None:
    if actor.role != Role.EXECUTOR:
        raise PermissionDenied("Проект ответа готовит исполнитель подразделения.")
    if incident.subdivision_id is None or actor.subdivision_id != incident.subdivision_id:
        raise PermissionDenied("Сообщение направлено другому подразделению.")


def _enqueue(
    session: Session,
    incident: Incident,
    kind: OutboundKind,
    text: str,
    actor: Actor,
    now: datetime,
    *,
    draft: Draft | None,
) -> OutboxMessage:
    row = OutboxMessage(
        incident_id=incident.id,
        draft_id=draft.id if draft else None,
        kind=kind.value,
        idempotency_key=f"ib-{uuid.uuid4()}",
        text=text,
        signed_by=actor.name,
        state="pending",
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    session.add(row)
    return row


@contextmanager
def _changing(
    session: Session, incident_id: int, expected_version: int | None, now: datetime
) -> Iterator[Incident]:
    """Load the incident as the person saw it, let the use case change it, then commit.

    Any error inside rolls everything back: a refused step changes nothing.
    """
    with SqlAlchemyUnitOfWork(session) as uow:
        incident = load(session, incident_id, expected_version)
        yield incident
        _finish(uow, incident, now)


def _finish(uow: SqlAlchemyUnitOfWork, incident: Incident, now: datetime) -> None:
    uow.flush()
    deadlines.refresh(uow.session, incident, now)
    uow.commit()
