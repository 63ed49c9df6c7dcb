"""The admin's webhook subscriptions: host systems told about the bridge's events."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, url_for
from flask_wtf import FlaskForm

from incident_bridge.domain.errors import BridgeError
from incident_bridge.domain.workflow import Role
from incident_bridge.services import webhooks
from incident_bridge.services.webhooks import Subscription
from incident_bridge.web.forms import WebhookForm, choices
from incident_bridge.web.helpers import (
    act,
    actor,
    back_with_errors,
    now,
    page_blueprint,
    roles_required,
    uow,
)

PREFIX = "/admin/webhooks"
bp = page_blueprint("incident_bridge_webhooks", __name__)


def _form() -> WebhookForm:
    form = WebhookForm()
    form.events.choices = choices(list(webhooks.EVENTS.items()))
    return form


def _page(form: WebhookForm, created: Subscription | None = None) -> Any:
    hooks, counts, statuses = webhooks.overview(uow())
    return render_template(
        "incident_bridge/webhooks.html",
        webhooks=hooks,
        counts=counts,
        statuses=statuses,
        deliveries=webhooks.latest_deliveries(uow()),
        events=webhooks.EVENTS,
        states=webhooks.STATE_LABELS,
        form=form,
        csrf_form=FlaskForm(),
        created=created,
    )


@bp.route("/")
@roles_required(Role.ADMIN.value)
def index() -> Any:
    """Show the subscriptions, the form for a new one and the latest deliveries."""
    return _page(_form())


@bp.route("/", methods=["POST"])
@roles_required(Role.ADMIN.value)
def create() -> Any:
    """Subscribe a host system; its secret is shown on this response only (never stored in
    the session or a flash, which a cookie would carry)."""
    form = _form()
    back = url_for("incident_bridge_webhooks.index")
    if not form.validate_on_submit():
        return back_with_errors(form, back)
    try:
        created = webhooks.subscribe(
            uow(), form.url.data or "", form.events.data or [], form.description.data or "",
            actor(), now(),
        )  # fmt: skip
    except BridgeError as exc:
        flash(exc.user_message, "error")
        return redirect(back)
    response = _page(_form(), created)
    return response, 201, {"Cache-Control": "no-store"}


@bp.route("/<ib_id:webhook_id>/deactivate", methods=["POST"])
@roles_required(Role.ADMIN.value)
def deactivate(webhook_id: int) -> Any:
    """End a subscription: nothing more is sent to it."""
    back = url_for("incident_bridge_webhooks.index")
    form = FlaskForm()  # only the CSRF token
    if not form.validate_on_submit():
        return back_with_errors(form, back)
    return act(
        back,
        lambda: webhooks.deactivate(uow(), webhook_id, actor(), now()),
        "Подписка отключена.",
    )
