"""A message's page and the actions of each step on it."""

from __future__ import annotations

from typing import Any

from flask import abort, jsonify, render_template, request, url_for
from flask_login import current_user, login_required

from incident_bridge.checks.scaffold import scaffold
from incident_bridge.checks.typography import fix_typography as fixed_typography
from incident_bridge.domain.model import DraftKind
from incident_bridge.domain.regulations import Profile
from incident_bridge.domain.workflow import Action, DraftState, Role, Status, allowed_actions
from incident_bridge.persistence.models import Incident
from incident_bridge.services import (
    checks,
    deadlines,
    outbox,
    people,
    phrases,
    queries,
    resolution,
    routing,
    similar,
    workflow,
)
from incident_bridge.services import parts as services_parts
from incident_bridge.web.draft_checks import review_context
from incident_bridge.web.filters import organisation_name
from incident_bridge.web.forms import (
    NO_SUBDIVISION,
    ApproveForm,
    DraftEditForm,
    DraftForm,
    ReasonForm,
    RouteForm,
    VersionedForm,
    choices,
)
from incident_bridge.web.helpers import (
    COORDINATORS,
    act,
    actor,
    ctx,
    now,
    page_blueprint,
    roles_required,
    session,
    uow,
)
from incident_bridge.web.parts import page_context as parts_page_context

#: The route form's first executor option: the body's default one (``people.assignee_for``).
DEFAULT_EXECUTOR = ("", "— по умолчанию (первый присутствующий исполнитель) —")

PREFIX = "/incidents"
bp = page_blueprint("incident_bridge_incidents", __name__)

# The steps that need a written reason: the use case and what the person is told on success.
REASON_STEPS = {
    "redirect": (
        workflow.redirect,
        "Сообщение перенаправлено; причина будет передана в систему Инцидент.",
    ),
    "exclude": (workflow.exclude, "Сообщение исключено из работы."),
    "decline": (workflow.decline, "Сообщение возвращено в отдел по обращениям граждан."),
    "return": (workflow.return_for_rework, "Проект возвращён исполнителю на доработку."),
    "close": (workflow.close_unanswered, "Сообщение закрыто."),
}


def _incident(incident_id: int) -> Incident:
    incident = session().get(Incident, incident_id)
    if incident is None:
        abort(404)
    if (
        current_user.role == Role.EXECUTOR
        and incident.subdivision_id != current_user.subdivision_id
        and not services_parts.visible_to(incident, current_user.subdivision_id)
    ):
        abort(403)
    return incident


def _route_form(incident: Incident | None = None, **values: Any) -> RouteForm:
    """The route form; for a message still to be routed, preselect a subdivision only with a reason.

    ``form.suggestion`` (a ``routing.Suggestion`` or None) says why, for the page.
    """
    form = RouteForm(**values)
    offered = [(s.id, s.name) for s in uow().people.subdivisions()]
    suggestion = None
    if incident is not None and incident.status is Status.NEW:
        suggestion = routing.suggest(uow(), incident, ctx().profile)
    if suggestion is not None and form.subdivision.data is None:
        form.subdivision.data = suggestion.subdivision_id
    form.subdivision.choices = choices([] if suggestion else [NO_SUBDIVISION]) + choices(offered)
    form.suggestion = suggestion
    form.assignee.choices = choices([DEFAULT_EXECUTOR, *people.executor_choices(uow())])
    return form


def _back(incident_id: int) -> str:
    return url_for("incident_bridge_incidents.show", incident_id=incident_id)


@bp.route("/<ib_id:incident_id>")
@login_required
def show(incident_id: int) -> Any:
    """Show the message, its author, drafts, delivery state, history and the allowed actions."""
    incident = _incident(incident_id)
    route_form = _route_form(incident, version=incident.version_id)
    draft = workflow.current_draft(incident)
    draft_form = DraftForm(version=incident.version_id)
    if draft is not None and draft.state in (DraftState.EDITING, DraftState.RETURNED):
        draft_form.kind.data = draft.kind.value
        draft_form.text.data = draft.text
    profile = ctx().profile
    aids = _drafting_aids(incident, draft_form)
    actions = allowed_actions(
        incident.status, current_user.role, workflow.performers_for(ctx(), incident)
    )
    if incident.parts and not all(p.state.settled for p in incident.parts):
        actions = [a for a in actions if a is not Action.SUBMIT_DRAFT]
    if profile.remote_approval is not None:  # the regional authority decides in the system
        actions = [a for a in actions if a not in (Action.APPROVE, Action.RETURN)]
    review: dict[str, Any] = {"review": None}
    if draft is not None and draft.state is DraftState.SUBMITTED:
        report = checks.review(uow(), ctx(), incident, draft.text, draft.kind)
        review = review_context(report, draft.text)
        if Action.APPROVE in actions:
            review["typography_fix_form"] = VersionedForm(version=incident.version_id)
    return render_template(
        "incident_bridge/incident.html",
        incident=incident,
        draft=draft,
        **review,
        draft_text=draft.text if draft else "",
        can_add_words=current_user.role in COORDINATORS,
        actions=actions,
        route_form=route_form,
        draft_form=draft_form,
        confirm_form=ApproveForm(version=incident.version_id),
        edit_form=DraftEditForm(version=incident.version_id, text=draft.text if draft else ""),
        refusal=queries.refusal(incident),
        reply_limit=queries.reply_limit(incident),
        outbox=queries.outbox_for(session(), incident.id),
        may_retry=lambda kind: outbox.may_retry(current_user.role, kind, ctx()),
        clocks=deadlines.clocks(ctx(), incident, now(), uow().calendar.overrides()),
        profile=profile,
        now=now(),
        writes_draft=workflow.writes_draft(ctx(), incident, actor()),
        may_mark_resolved=resolution.may_mark(current_user.role, ctx())
        and incident.status in resolution.ANSWERED
        and incident.resolved_at is None,
        **aids,
        **parts_page_context(incident),
    )


def _drafting_aids(incident: Incident, form: DraftForm) -> dict[str, Any]:
    """The scaffold, the approved phrases and the similar past replies, for whoever writes the
    draft; with ``?draft_from=scaffold`` or ``?draft_from=reply:<id>`` the form starts from one
    of them, ``?draft_from=phrase:<id>`` adds the phrase to the end of the draft (without JS)."""
    if not workflow.writes_draft(ctx(), incident, actor()):
        return {"similar": [], "phrases": [], "draft_from": None}
    found = similar.replies(session(), incident.id, incident.text)
    approved = phrases.for_subdivision(uow(), incident.subdivision_id)
    chosen = request.args.get("draft_from", "")
    closing = f"С уважением, {organisation_name()}."
    if chosen == "scaffold":
        form.text.data = scaffold(incident.text, incident.author_name, closing)
    elif chosen.startswith("reply:"):
        reply = next((s for s in found if f"reply:{s.draft_id}" == chosen), None)
        if reply is not None:
            form.text.data = reply.reply
    elif chosen.startswith("phrase:"):
        phrase = next((p for p in approved if f"phrase:{p.id}" == chosen), None)
        if phrase is not None:
            form.text.data = "\n\n".join(
                t for t in ((form.text.data or "").rstrip(), phrase.text) if t
            )
    return {"similar": found, "phrases": approved, "draft_from": chosen or None}


@bp.route("/<ib_id:incident_id>/route", methods=["POST"])
@roles_required(*COORDINATORS)
def route(incident_id: int) -> Any:
    """Route the message to a subdivision."""
    form = _route_form()
    if not form.validate_on_submit():
        return _invalid(form, incident_id)
    return act(
        _back(incident_id),
        lambda: workflow.route(
            uow(),
            ctx(),
            incident_id,
            actor(),
            form.subdivision.data,
            now=now(),
            expected_version=form.seen_version(),
            comment=form.comment.data or None,
            assignee_id=form.assignee.data or None,
        ),
        "Сообщение направлено исполнителю.",
    )


@bp.route(
    "/<ib_id:incident_id>/<any(redirect, exclude, decline, return, close):step>", methods=["POST"]
)
@login_required
def with_reason(incident_id: int, step: str) -> Any:
    """Redirect, exclude, decline, return for rework or close: each needs a reason."""
    form = ReasonForm()
    if not form.validate_on_submit():
        return _invalid(form, incident_id)
    use_case, done = REASON_STEPS[step]
    # A declined message leaves the executor's sight: back to the queue, not to a 403.
    back = url_for("incident_bridge_queue.index") if step == "decline" else _back(incident_id)
    return act(
        back,
        lambda: use_case(
            uow(),
            ctx(),
            incident_id,
            actor(),
            (form.reason.data or "").strip(),
            now=now(),
            expected_version=form.seen_version(),
        ),
        done,
    )


@bp.route("/<ib_id:incident_id>/draft", methods=["POST"])
@login_required
def draft(incident_id: int) -> Any:
    """Save the executor's draft, or submit it to the department's check."""
    form = DraftForm()
    if not form.validate_on_submit():
        return _invalid(form, incident_id)
    kind = DraftKind(form.kind.data)
    text = form.text.data or ""
    version = form.seen_version()
    if form.submit.data:
        return act(
            _back(incident_id),
            lambda: workflow.submit_draft(
                uow(),
                ctx(),
                incident_id,
                actor(),
                kind,
                text,
                now=now(),
                expected_version=version,
            ),
            _submitted_to(ctx().profile),
        )
    return act(
        _back(incident_id),
        lambda: workflow.save_draft(
            uow(),
            ctx(),
            incident_id,
            actor(),
            kind,
            text,
            now=now(),
            expected_version=version,
        ),
        "Черновик сохранён.",
    )


@bp.route("/<ib_id:incident_id>/edit", methods=["POST"])
@roles_required(*COORDINATORS)
def edit(incident_id: int) -> Any:
    """Correct the draft on review before approving it (kept in the history with the old text)."""
    form = DraftEditForm()
    if not form.validate_on_submit():
        return _invalid(form, incident_id)
    return act(
        _back(incident_id),
        lambda: workflow.edit_draft(
            uow(),
            ctx(),
            incident_id,
            actor(),
            form.text.data or "",
            now=now(),
            expected_version=form.seen_version(),
        ),
        "Исправления сохранены; проверки выполнены заново.",
    )


@bp.route("/<ib_id:incident_id>/typography", methods=["POST"])
@roles_required(*COORDINATORS)
def fix_typography(incident_id: int) -> Any:
    """Fix the spaces and marks of the draft on review in one click (a correction in the history)."""
    form = VersionedForm()
    if not form.validate_on_submit():
        return _invalid(form, incident_id)
    return act(
        _back(incident_id),
        lambda: workflow.fix_draft_typography(
            uow(), ctx(), incident_id, actor(), now=now(), expected_version=form.seen_version()
        ),
        "Пробелы и знаки исправлены; проверки выполнены заново.",
    )


@bp.route("/<ib_id:incident_id>/approve", methods=["POST"])
@roles_required(*COORDINATORS)
def approve(incident_id: int) -> Any:
    """Approve the draft under review; it goes out to the incident system."""
    form = ApproveForm()
    if not form.validate_on_submit():
        return _invalid(form, incident_id)
    return act(
        _back(incident_id),
        lambda: workflow.approve(
            uow(),
            ctx(),
            incident_id,
            actor(),
            now=now(),
            expected_version=form.seen_version(),
            override_reason=form.override_reason.data or None,
        ),
        "Проект одобрен и поставлен в очередь на публикацию.",
    )


@bp.route("/<ib_id:incident_id>/resolved", methods=["POST"])
@roles_required(*COORDINATORS)
def resolved(incident_id: int) -> Any:
    """Mark the message's matter resolved positively (the analytical note counts it)."""
    form = VersionedForm()
    if not form.validate_on_submit():
        return _invalid(form, incident_id)
    return act(
        _back(incident_id),
        lambda: resolution.mark_resolved(
            uow(), ctx(), incident_id, actor(), now=now(), expected_version=form.seen_version()
        ),
        "Отмечено: вопрос решён положительно.",
    )


def _invalid(form: Any, incident_id: int) -> Any:
    from flask import current_app, flash, redirect

    errors = "; ".join(
        f"{getattr(form, name).label.text}: {', '.join(msgs)}"
        if hasattr(form, name)
        else ", ".join(msgs)
        for name, msgs in form.errors.items()
    )
    current_app.logger.warning("invalid form: %s", form.errors)
    if "csrf_token" in form.errors:
        errors = "Форма устарела или отправлена не с этой страницы. Обновите страницу."
    flash(errors or "Проверьте поля формы.", "error")
    return redirect(
        request.referrer
        if request.referrer and request.referrer.startswith(request.host_url)
        else _back(incident_id)
    )


@bp.route("/<ib_id:incident_id>/draft/check", methods=["POST"])
@login_required
def check_draft(incident_id: int) -> Any:
    """The review report of the text in the draft form, before it is submitted (an HTML fragment)."""
    incident = _incident(incident_id)
    form = DraftForm()
    if not form.validate_on_submit():
        abort(400)
    text = form.text.data or ""
    report = checks.review(uow(), ctx(), incident, text, DraftKind(form.kind.data))
    return render_template(
        "incident_bridge/_checks.html",
        **review_context(report, text),
        draft_text=text,
        can_add_words=False,
        typography_fix_button=True,
    )


@bp.route("/<ib_id:incident_id>/draft/typography", methods=["POST"])
@login_required
def fix_draft_typography(incident_id: int) -> Any:
    """The text of the draft form with its spaces and marks fixed (JSON; nothing is saved)."""
    _incident(incident_id)
    form = DraftForm()
    if not form.validate_on_submit():
        abort(400)
    return jsonify(text=fixed_typography(form.text.data or ""))


def _submitted_to(profile: Profile) -> str:
    """Where a submitted draft went, in the profile's words."""
    if profile.remote_approval is not None:
        return "Проект направлен на согласование в региональный орган через систему Инцидент."
    if profile.who_takes("approve") is Role.CURATOR:
        return "Проект отправлен куратору на проверку."
    return "Проект отправлен в отдел по обращениям граждан на проверку."
