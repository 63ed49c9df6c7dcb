"""``/api/v1/incidents``: the queue, one message whole, and every step of the cycle on it.

Each step calls the same use case as its page, so it has the same permissions,
refusals and history; each needs ``If-Match`` with the message's ETag (its version)
and answers 412 when somebody changed the message since.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import current_app
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import abort as abort_with

from incident_bridge.api import core, schemas
from incident_bridge.api.core import (
    actor,
    api_blueprint,
    ctx,
    etag,
    if_match,
    kick,
    now,
    problem,
    roles,
    session,
    uow,
)
from incident_bridge.checks.scaffold import scaffold
from incident_bridge.domain.errors import NotFound
from incident_bridge.domain.model import DraftKind
from incident_bridge.domain.regulations import Combiner, PartsMode
from incident_bridge.domain.workflow import Action, allowed_actions
from incident_bridge.persistence.models import Incident
from incident_bridge.services import deadlines, queries, similar, workflow
from incident_bridge.services import outbox as services_outbox
from incident_bridge.services import parts as services_parts
from incident_bridge.state import bridge_state
from incident_bridge.web.helpers import COORDINATORS

bp = api_blueprint(
    "incident_bridge_api_incidents", __name__, "Сообщения граждан и шаги их обработки"
)

#: Steps that need a written reason: the use case of each (the same as the pages').
REASON_STEPS: dict[str, Callable[..., Any]] = {
    "redirect": workflow.redirect,
    "exclude": workflow.exclude,
    "decline": workflow.decline,
    "return": workflow.return_for_rework,
    "close": workflow.close_unanswered,
}
CHANGES = (401, 403, 404, 409, 412, 422, 428, 429)
READS = (401, 403, 404, 429)


IF_MATCH = {
    "in": "header",
    "name": "If-Match",
    # Needed by every step, but documented as optional: without it the answer is the
    # documented 428 (RFC 6585), which is what a client should learn from, not a 400.
    "required": False,
    "description": "ETag сообщения из его последнего GET (версия); без него — 428",
    "schema": {"type": "string"},
}


def changes(view: Any) -> Any:
    """Document a step: its If-Match header and the problems it may answer with."""
    return bp.doc(parameters=[IF_MATCH])(problems(*CHANGES)(view))


def problems(*codes: int) -> Callable[[Any], Any]:
    return core.problems(bp, *codes)


@bp.route("/incidents")
class Incidents(MethodView):
    @bp.arguments(schemas.IncidentQuery, location="query", error_status_code=422)
    @bp.response(200, schemas.IncidentList)
    @problems(401, 429)
    def get(self, args: dict[str, Any]) -> Any:
        """The queue: the page's filters, search and sort, a page at a time (cursor)."""
        flt = queries.parse_filter(_filter_args(args), actor()).filter
        after = _position(args.get("cursor"), flt)
        page = queries.keyset(session(), actor(), flt, after, args["limit"])
        return {
            "items": [summary(i) for i in page.incidents],
            "total": page.total,
            "next_cursor": _cursor(page.after, flt) if page.after else None,
        }


@bp.route("/incidents/<ib_id:incident_id>")
@bp.response(200, schemas.IncidentDetail, headers={"ETag": {"schema": {"type": "string"}}})
@problems(*READS)
def get_incident(incident_id: int) -> Any:
    """One message: its clocks, drafts with their checks, history, deliveries and parts."""
    return _answer(_visible(incident_id))


@bp.route("/incidents/<ib_id:incident_id>/scaffold")
@bp.response(200, schemas.ScaffoldOut)
@problems(*READS)
def get_scaffold(incident_id: int) -> Any:
    """A draft to start from: the greeting by name, a paragraph per question, the closing."""
    incident = _visible(incident_id)
    closing = f"С уважением, {_organisation()}."
    return {"text": scaffold(incident.text, incident.author_name, closing)}


@bp.route("/incidents/<ib_id:incident_id>/similar")
@bp.response(200, schemas.SimilarOut(many=True))
@problems(*READS)
def get_similar(incident_id: int) -> Any:
    """Approved replies to the messages most like this one."""
    incident = _visible(incident_id)
    return similar.replies(session(), incident.id, incident.text)


@bp.route("/incidents/<ib_id:incident_id>/route", methods=["POST"])
@bp.arguments(schemas.RouteBody, error_status_code=422)
@bp.response(200, schemas.IncidentDetail)
@changes
@roles(*COORDINATORS)
def route(body: dict[str, Any], incident_id: int) -> Any:
    """Route the message to a subdivision (and an executor in it)."""
    return _step(incident_id, lambda version: workflow.route(
        uow(), ctx(), incident_id, actor(), body["subdivision_id"], now=now(),
        expected_version=version, comment=body.get("comment") or None,
        assignee_id=body.get("assignee_id") or None,
    ))  # fmt: skip


@bp.route("/incidents/<ib_id:incident_id>/bodies", methods=["POST"])
@bp.arguments(schemas.BodiesBody, error_status_code=422)
@bp.response(200, schemas.IncidentDetail)
@changes
def assign_bodies(body: dict[str, Any], incident_id: int) -> Any:
    """Route the message to several bodies, each for its part (where the regulation has parts)."""
    combiner = Combiner(body["combiner"]) if body.get("combiner") else None
    return _step(incident_id, lambda version: services_parts.assign(
        uow(), ctx(), incident_id, actor(), body["bodies"], PartsMode(body["mode"]), combiner,
        now=now(), expected_version=version, comment=body.get("comment") or None,
    ))  # fmt: skip


@bp.route("/incidents/<ib_id:incident_id>/<any(redirect, exclude, decline, return, close):step>",
          methods=["POST"])  # fmt: skip
@bp.arguments(schemas.ReasonBody, error_status_code=422)
@bp.response(200, schemas.IncidentDetail)
@changes
def with_reason(body: dict[str, Any], incident_id: int, step: str) -> Any:
    """Redirect, exclude, decline, return for rework or close: each with its reason."""
    use_case = REASON_STEPS[step]
    reason = body["reason"].strip()
    return _step(incident_id, lambda version: use_case(
        uow(), ctx(), incident_id, actor(), reason, now=now(), expected_version=version
    ))  # fmt: skip


@bp.route("/incidents/<ib_id:incident_id>/draft", methods=["PUT"])
@bp.arguments(schemas.DraftBody, error_status_code=422)
@bp.response(200, schemas.IncidentDetail)
@changes
def save_draft(body: dict[str, Any], incident_id: int) -> Any:
    """Create or update the draft (not yet sent for checking)."""
    return _step(incident_id, lambda version: workflow.save_draft(
        uow(), ctx(), incident_id, actor(), DraftKind(body["kind"]), body["text"], now=now(),
        expected_version=version,
    ))  # fmt: skip


@bp.route("/incidents/<ib_id:incident_id>/draft/submit", methods=["POST"])
@bp.arguments(schemas.DraftBody, error_status_code=422)
@bp.response(200, schemas.IncidentDetail)
@changes
def submit_draft(body: dict[str, Any], incident_id: int) -> Any:
    """Submit the draft to the check the regulation names (the department, a curator…)."""
    return _step(incident_id, lambda version: workflow.submit_draft(
        uow(), ctx(), incident_id, actor(), DraftKind(body["kind"]), body["text"], now=now(),
        expected_version=version,
    ))  # fmt: skip


@bp.route("/incidents/<ib_id:incident_id>/approve", methods=["POST"])
@bp.arguments(schemas.ApproveBody, error_status_code=422)
@bp.response(200, schemas.IncidentDetail)
@changes
@roles(*COORDINATORS)
def approve(body: dict[str, Any], incident_id: int) -> Any:
    """Approve the draft on review: it goes out to the incident system."""
    return _step(incident_id, lambda version: workflow.approve(
        uow(), ctx(), incident_id, actor(), now=now(), expected_version=version,
        override_reason=body.get("override_reason") or None,
    ))  # fmt: skip


@bp.route("/incidents/<ib_id:incident_id>/deliveries/<ib_id:delivery_id>/retry", methods=["POST"])
@bp.response(200, schemas.IncidentDetail)
@changes
def retry_delivery(incident_id: int, delivery_id: int) -> Any:
    """Send a failed delivery again (the same idempotency key: never posted twice)."""
    incident = _visible(incident_id)
    expected = if_match()
    if expected != incident.version_id:
        return _stale()
    if not any(o.id == delivery_id for o in queries.outbox_for(session(), incident_id)):
        raise NotFound("У этого сообщения нет такой отправки.")
    services_outbox.retry(uow(), ctx(), delivery_id, actor(), now())
    kick()
    return _answer(_visible(incident_id))


def _step(incident_id: int, operation: Callable[[int], Any]) -> Any:
    """Check the message is in sight and the client's version; run the use case; answer anew."""
    _visible(incident_id)
    operation(if_match())
    kick()
    session().expire_all()
    return _answer(_visible(incident_id))


def _stale() -> Any:
    return problem(412, core.STALE)


def _visible(incident_id: int) -> Incident:
    incident = session().get(Incident, incident_id)
    # An executor does not learn that another body's message exists.
    if incident is None or not queries.may_see(incident, actor()):
        raise NotFound(f"Сообщения {incident_id} нет или оно вам не видно.")
    return incident


def _answer(incident: Incident) -> Any:
    return detail(incident), 200, {"ETag": etag(incident.version_id)}


def _organisation() -> str:
    state = bridge_state(current_app)
    return state.settings.organisation_name or state.context.profile.title


def summary(incident: Incident) -> dict[str, Any]:
    """What a list shows of a message."""
    sub = incident.subdivision
    return {
        "id": incident.id,
        "number": incident.number,
        "external_id": incident.external_id,
        "platform": incident.platform,
        "status": incident.status.value,
        "status_label": incident.status.label,
        "subdivision": {"id": sub.id, "name": sub.name} if sub else None,
        "assignee_id": incident.assignee_id,
        "author_name": incident.author_name,
        "text": incident.text,
        "topic": incident.topic,
        "municipality": incident.municipality,
        "created_at": incident.remote_created_at,
        "detected_at": incident.detected_at,
        "due_at": incident.due_at,
        "version": incident.version_id,
    }


def detail(incident: Incident) -> dict[str, Any]:
    """One message whole, as the page shows it."""
    context = ctx()
    at = now()
    actions = allowed_actions(incident.status, current_user.role,
                              workflow.performers_for(context, incident))  # fmt: skip
    if context.profile.remote_approval is not None:
        actions = [a for a in actions if a not in (Action.APPROVE, Action.RETURN)]
    clocks = deadlines.clocks(context, incident, at, uow().calendar.overrides())
    return {
        **summary(incident),
        "post_url": incident.post_url,
        "author_url": incident.author_url,
        "allowed_actions": [a.value for a in actions],
        "clocks": [
            {
                "name": c.name,
                "label": c.label,
                "who": c.who.value,
                "state": c.state.value,
                "started_at": c.started_at,
                "due_at": c.due_at,
                "stopped_at": c.stopped_at,
                "paused": c.paused,
                "left_minutes": c.left_minutes,
                "clause": c.clause,
            }
            for c in clocks
        ],  # fmt: skip
        "drafts": [
            {
                "id": d.id,
                "kind": d.kind.value,
                "state": d.state.value,
                "text": d.text,
                "author": d.author.full_name,
                "subdivision_id": d.subdivision_id,
                "created_at": d.created_at,
                "updated_at": d.updated_at,
                "submitted_at": d.submitted_at,
                "reviewed_at": d.reviewed_at,
                "review_comment": d.review_comment,
                "checks_failed": d.checks_failed,
                "check_report": d.check_report,
            }
            for d in incident.drafts
        ],  # fmt: skip
        "history": [
            {
                "id": e.id,
                "kind": e.kind,
                "at": e.at,
                "actor": e.actor_label,
                "from_status": e.from_status,
                "to_status": e.to_status,
                "comment": e.comment,
            }
            for e in incident.events
        ],  # fmt: skip
        "deliveries": [
            {
                "id": o.id,
                "kind": o.kind.value,
                "state": o.state.value,
                "attempts": o.attempts,
                "next_attempt_at": o.next_attempt_at,
                "last_error": o.last_error,
                "sent_at": o.sent_at,
                "remote_id": o.remote_id,
            }
            for o in queries.outbox_for(session(), incident.id)
        ],  # fmt: skip
        "parts": [
            {
                "id": p.id,
                "subdivision": {"id": p.subdivision.id, "name": p.subdivision.name},
                "position": p.position,
                "state": p.state.value,
                "text": p.text,
                "submitted_at": p.submitted_at,
                "comment": p.comment,
            }
            for p in incident.parts
        ],  # fmt: skip
    }


def _filter_args(args: dict[str, Any]) -> dict[str, str]:
    """The API's query as the queue's URL parameters (one parser for both)."""
    result = {"status": args["status"], "sort": args["sort"], "mine": "1" if args["mine"] else ""}
    for name in ("platform", "q", "dir"):
        if args.get(name):
            result[name] = args[name]
    if args.get("subdivision"):
        result["subdivision"] = str(args["subdivision"])
    return result


def _cursor(position: queries.Position, flt: queries.QueueFilter) -> str:
    value = position.value.isoformat() if isinstance(position.value, datetime) else position.value
    raw = json.dumps([flt.sort.value, flt.descending, value, position.incident_id])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _position(cursor: str | None, flt: queries.QueueFilter) -> queries.Position | None:
    """The position a cursor names; a cursor of another sort, or garbage, is refused (422)."""
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        sort, descending, value, ident = json.loads(raw)
        if [sort, descending] != [flt.sort.value, flt.descending] or not isinstance(ident, int):
            raise ValueError
        if value is not None and flt.sort is not queries.Sort.NUMBER:
            value = datetime.fromisoformat(value)
        if value is not None and not isinstance(value, str | datetime):
            raise ValueError
        return queries.Position(value, ident)
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
        refused = "Курсор не подходит к этому запросу: начните с первой страницы."
        abort_with(422, errors={"query": {"cursor": [refused]}})
    return None  # not reached: abort raises
