"""The admin's topic rules: which subdivision the route form suggests for a topic."""

from __future__ import annotations

from typing import Any

from flask import render_template, url_for
from flask_login import current_user

from incident_bridge.domain.workflow import Role
from incident_bridge.services import queries, routing
from incident_bridge.web.forms import (
    NO_SUBDIVISION,
    TopicRouteForm,
    TopicRouteRemoveForm,
    choices,
)
from incident_bridge.web.helpers import (
    act,
    back_with_errors,
    now,
    page_blueprint,
    roles_required,
    session,
    uow,
)

PREFIX = "/admin/topics"
bp = page_blueprint("incident_bridge_topics", __name__)


def _form() -> TopicRouteForm:
    form = TopicRouteForm()
    form.subdivision.choices = choices(
        [NO_SUBDIVISION, *((s.id, s.name) for s in uow().people.subdivisions())]
    )
    return form


@bp.route("/")
@roles_required(Role.ADMIN.value)
def index() -> Any:
    """Show the topic rules, with a form to add one."""
    return render_template(
        "incident_bridge/topics.html",
        routes=uow().topic_routes.all(),
        form=_form(),
        remove_form=TopicRouteRemoveForm(),
        known_topics=queries.known_topics(session()),
    )


@bp.route("/", methods=["POST"])
@roles_required(Role.ADMIN.value)
def add() -> Any:
    """Add a rule: messages on this topic are suggested to this subdivision."""
    form = _form()
    back = url_for("incident_bridge_topics.index")
    if not form.validate_on_submit():
        return back_with_errors(form, back)
    topic = form.topic.data or ""
    return act(
        back,
        lambda: routing.add_topic_route(
            uow(),
            topic=topic,
            subdivision_id=form.subdivision.data,
            by=current_user.full_name,
            now=now(),
        ),
        f"Правило для темы «{routing.normalise_topic(topic)}» добавлено.",
    )


@bp.route("/<ib_id:route_id>/remove", methods=["POST"])
@roles_required(Role.ADMIN.value)
def remove(route_id: int) -> Any:
    """Remove a rule."""
    form = TopicRouteRemoveForm()
    back = url_for("incident_bridge_topics.index")
    if not form.validate_on_submit():
        return back_with_errors(form, back)
    return act(
        back,
        lambda: routing.remove_topic_route(uow(), route_id, by=current_user.full_name),
        "Правило удалено.",
    )
