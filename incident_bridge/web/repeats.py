"""Repeat messages on a message's page: the links both ways, unlinking a false match, linking by number."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from incident_bridge.domain.repeats import Reason
from incident_bridge.domain.workflow import Action, may_take
from incident_bridge.persistence.models import Incident
from incident_bridge.services import repeats
from incident_bridge.web.helpers import (
    COORDINATORS,
    act,
    actor,
    back_with_errors,
    ctx,
    now,
    page_blueprint,
    roles_required,
    uow,
)

PREFIX = "/incidents"
bp = page_blueprint("incident_bridge_repeats", __name__)


class UnlinkRepeatForm(FlaskForm):
    reason = TextAreaField(
        "Почему сообщение не повторное",
        validators=[
            DataRequired("Укажите, почему сообщение не повторное."),
            Length(max=2000, message="Причина длиннее 2000 знаков."),
        ],
    )


class LinkRepeatForm(FlaskForm):
    number = StringField(
        "Номер прежнего сообщения",
        validators=[
            DataRequired("Укажите номер прежнего сообщения."),
            Length(max=100, message="Номер длиннее 100 знаков."),
        ],
    )
    comment = StringField(
        "Комментарий",
        validators=[Optional(), Length(max=2000, message="Комментарий длиннее 2000 знаков.")],
    )


def _back(incident_id: int) -> str:
    return url_for("incident_bridge_incidents.show", incident_id=incident_id)


@bp.route("/<ib_id:incident_id>/repeat/unlink", methods=["POST"])
@roles_required(*COORDINATORS)
def unlink(incident_id: int) -> Any:
    """Undo a false match: the message is no longer a repeat."""
    form = UnlinkRepeatForm()
    if not form.validate_on_submit():
        return back_with_errors(form, _back(incident_id))
    return act(
        _back(incident_id),
        lambda: repeats.unlink(
            uow(), ctx(), incident_id, actor(), form.reason.data or "", now=now()
        ),
        "Связь с прежним сообщением снята.",
    )


@bp.route("/<ib_id:incident_id>/repeat/link", methods=["POST"])
@roles_required(*COORDINATORS)
def link(incident_id: int) -> Any:
    """Link the message by hand to the earlier one it repeats."""
    form = LinkRepeatForm()
    if not form.validate_on_submit():
        return back_with_errors(form, _back(incident_id))
    return act(
        _back(incident_id),
        lambda: repeats.link(
            uow(),
            ctx(),
            incident_id,
            actor(),
            form.number.data or "",
            now=now(),
            comment=form.comment.data or None,
        ),  # fmt: skip
        "Сообщение связано с прежним как повторное.",
    )


def _repeat_links(incident: Incident) -> dict[str, Any]:
    """What ``_repeats.html`` shows: the earlier message, the later repeats, who may change them."""
    return {
        "earlier": repeats.earlier_of(uow(), incident),
        "later": repeats.repeats_of(uow(), incident),
        "may_link": may_take(current_user.role, Action.ROUTE, ctx().profile.performers),
        "unlink_form": UnlinkRepeatForm(),
        "link_form": LinkRepeatForm(),
    }


def _repeat_ids(incidents: Iterable[Incident]) -> set[int]:
    """Which of the queue's rows are repeats (one query for the page)."""
    return repeats.linked_ids(uow(), [i.id for i in incidents])


@bp.app_context_processor
def _helpers() -> dict[str, Any]:
    return {"repeat_links": _repeat_links, "repeat_ids": _repeat_ids}


@bp.app_template_filter("repeat_reason_label")
def _reason_label(value: str) -> str:
    """«same_author» -> «тот же автор»."""
    try:
        return Reason(value).label
    except ValueError:
        return value
