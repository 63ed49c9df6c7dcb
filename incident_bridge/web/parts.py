"""Several bodies on one message: the curator's assignment and each body's part."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_login import current_user, login_required

from incident_bridge.domain.regulations import Combiner, PartsMode, Profile
from incident_bridge.domain.workflow import Role
from incident_bridge.persistence.models import Incident
from incident_bridge.services import parts, repeats
from incident_bridge.web.forms import (
    ApproveForm,
    PartForm,
    PartsForm,
    ReasonForm,
    VersionedForm,
    choices,
)
from incident_bridge.web.helpers import act, actor, back_with_errors, ctx, now, page_blueprint, uow

PREFIX = "/incidents"
bp = page_blueprint("incident_bridge_parts", __name__)


def parts_form(profile: Profile, incident: Incident | None = None) -> PartsForm:
    """The assignment form with the bodies and the combined answer's writers the profile allows."""
    form = PartsForm(version=incident.version_id if incident else None)
    offered = choices([("", "—")] + [(s.id, s.name) for s in uow().people.subdivisions()])
    for entry in form.bodies:
        entry.choices = offered
    if incident is not None and profile.repeats.route_to_earlier:
        # A repeat goes to the same bodies as the earlier message, in the same order.
        earlier = repeats.earlier_bodies(uow(), incident)
        if len(earlier) > 1:
            for entry, body in zip(form.bodies, earlier, strict=False):
                entry.data = body
            form.from_repeat = True
    allowed = profile.parts.ways if profile.parts else ()
    form.combiner.choices = choices([(c.value, c.label) for c in allowed])
    if allowed and not form.combiner.data:
        form.combiner.data = allowed[0].value
    return form


def _back(incident_id: int) -> str:
    return url_for("incident_bridge_incidents.show", incident_id=incident_id)


@bp.route("/<ib_id:incident_id>/parts", methods=["POST"])
@login_required
def assign(incident_id: int) -> Any:
    """Assign the message to several bodies for their parts."""
    form = parts_form(ctx().profile)
    if not form.validate_on_submit():
        return back_with_errors(form, _back(incident_id))
    return act(
        _back(incident_id),
        lambda: parts.assign(
            uow(),
            ctx(),
            incident_id,
            actor(),
            form.chosen(),
            PartsMode(form.mode.data),
            Combiner(form.combiner.data),
            now=now(),
            expected_version=form.seen_version(),
            comment=form.comment.data or None,
        ),  # fmt: skip
        "Сообщение поручено органам; каждый готовит свою часть ответа.",
    )


@bp.route("/<ib_id:incident_id>/part", methods=["POST"])
@login_required
def write(incident_id: int) -> Any:
    """Save the body's part, or send it to the curator."""
    form = PartForm()
    if not form.validate_on_submit():
        return back_with_errors(form, _back(incident_id))
    text, version = form.text.data or "", form.seen_version()
    if form.submit.data:
        return act(
            _back(incident_id),
            lambda: parts.submit(
                uow(), ctx(), incident_id, actor(), text, now=now(), expected_version=version
            ),  # fmt: skip
            "Часть ответа направлена куратору.",
        )
    return act(
        _back(incident_id),
        lambda: parts.save(
            uow(), ctx(), incident_id, actor(), text, now=now(), expected_version=version
        ),  # fmt: skip
        "Часть ответа сохранена.",
    )


@bp.route("/<ib_id:incident_id>/part/decline", methods=["POST"])
@login_required
def decline(incident_id: int) -> Any:
    """The body declines its part: not its competence."""
    form = ReasonForm()
    if not form.validate_on_submit():
        return back_with_errors(form, _back(incident_id))
    return act(
        url_for("incident_bridge_queue.index"),
        lambda: parts.decline(
            uow(),
            ctx(),
            incident_id,
            actor(),
            form.reason.data or "",
            now=now(),
            expected_version=form.seen_version(),
        ),  # fmt: skip
        "Отказ от части ответа направлен куратору.",
    )


@bp.route("/<ib_id:incident_id>/parts/<ib_id:part_id>/return", methods=["POST"])
@login_required
def return_part(incident_id: int, part_id: int) -> Any:
    """The curator sends a body's part back for rework."""
    form = ReasonForm()
    if not form.validate_on_submit():
        return back_with_errors(form, _back(incident_id))
    return act(
        _back(incident_id),
        lambda: parts.return_part(
            uow(),
            ctx(),
            incident_id,
            actor(),
            part_id,
            form.reason.data or "",
            now=now(),
            expected_version=form.seen_version(),
        ),  # fmt: skip
        "Часть ответа возвращена органу на доработку.",
    )


@bp.route("/<ib_id:incident_id>/parts/<ib_id:part_id>/publish", methods=["POST"])
@login_required
def publish(incident_id: int, part_id: int) -> Any:
    """In turn: the curator consents to publish one body's part on its own."""
    form = ApproveForm()
    if not form.validate_on_submit():
        return back_with_errors(form, _back(incident_id))
    return act(
        _back(incident_id),
        lambda: parts.publish(
            uow(),
            ctx(),
            incident_id,
            actor(),
            part_id,
            now=now(),
            expected_version=form.seen_version(),
            override_reason=form.override_reason.data or None,
        ),  # fmt: skip
        "Публикация части ответа согласована: она поставлена в очередь на отправку в систему "
        "Инцидент.",
    )


@bp.route("/<ib_id:incident_id>/parts/finish", methods=["POST"])
@login_required
def finish(incident_id: int) -> Any:
    """In turn: the curator ends the work once every part is published or declined."""
    form = VersionedForm()  # nothing to explain: the parts say it all
    if not form.validate_on_submit():
        return back_with_errors(form, _back(incident_id))
    return act(
        _back(incident_id),
        lambda: parts.finish(
            uow(), ctx(), incident_id, actor(), now=now(), expected_version=form.seen_version()
        ),  # fmt: skip
        "Публикация по очереди завершена.",
    )


def page_context(incident: Incident) -> dict[str, Any]:
    """What the message page shows of the parts: all of them to the curator and the combined
    answer's writer, its own part to each body."""
    profile = ctx().profile
    me = actor()
    own = parts.own_part(incident, current_user.subdivision_id)
    # The last body, once every part is in, writes the combined answer from all of them.
    sees_all = me.role != Role.EXECUTOR or (
        own is not None and incident.subdivision_id == own.subdivision_id
    )
    shown = list(incident.parts) if sees_all else [p for p in incident.parts if p is own]
    return {
        "parts_rule": profile.parts,
        "parts_shown": shown,
        "own_part": own,
        "part_form": PartForm(version=incident.version_id, text=own.text if own else ""),
        "part_reason_form": ReasonForm(version=incident.version_id),
        "part_publish_form": ApproveForm(version=incident.version_id),
        "parts_finishable": parts.finishable(incident),
        "parts_form": parts_form(profile, incident) if profile.parts else None,
        "may_assign_parts": parts.may_assign(me.role, profile),
        "part_clocks": parts.clocks(ctx(), incident, now(), uow().calendar.overrides()),
    }
