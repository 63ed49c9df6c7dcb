"""The page «Сотрудники и замещения»: bodies, responsible officials, absences and stand-ins.

Everyone but executors sees it; who may change it is the profile's
(``Profile.people.manage``, an admin may stand in): the use cases refuse the others.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import redirect, render_template, url_for

from incident_bridge.domain.people import ABSENCE_LABELS, AbsenceKind
from incident_bridge.services import people
from incident_bridge.web.filters import organisation_zone
from incident_bridge.web.forms import choices
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
from incident_bridge.web.people_forms import NOBODY, AbsenceForm, EndAbsenceForm, ResponsibleForm

PREFIX = "/admin/people"
bp = page_blueprint("incident_bridge_people", __name__)


CHANGE_LABELS = {
    "absence_recorded": "Записано отсутствие",
    "absence_changed": "Изменено отсутствие",
    "absence_ended": "Отсутствие завершено досрочно",
    "responsible_set": "Назначено ответственное лицо",
}


def _describe(values: dict[str, Any] | None, names: dict[int, str]) -> str:
    """A log entry's values in Russian (people by name)."""
    if not values:
        return ""
    parts = []
    if "user_id" in values:
        parts.append(names.get(values["user_id"], "?"))
    if "kind" in values:
        parts.append(ABSENCE_LABELS.get(AbsenceKind(values["kind"]), values["kind"]))
    if "first_day" in values:
        first, last = (date.fromisoformat(values[k]) for k in ("first_day", "last_day"))
        parts.append(f"{first:%d.%m.%Y} — {last:%d.%m.%Y}")
    if values.get("stand_in_id"):
        parts.append(f"замещает {names.get(values['stand_in_id'], '?')}")
    if "responsible_user_id" in values:
        who = values["responsible_user_id"]
        parts.append(names.get(who, "?") if who else "не назначен")
    if values.get("note"):
        parts.append(str(values["note"]))
    return "; ".join(parts)


def _back() -> str:
    return url_for("incident_bridge_people.index")


def _absence_form(**values: Any) -> AbsenceForm:
    form = AbsenceForm(**values)
    executors = people.executor_choices(uow())
    form.user_id.choices = choices([("", "— выберите исполнителя —"), *executors])
    form.stand_in_id.choices = choices([NOBODY, *executors])
    return form


def _responsible_form(**values: Any) -> ResponsibleForm:
    form = ResponsibleForm(**values)
    form.user_id.choices = choices(
        [NOBODY, *((u.id, u.full_name) for u in uow().people.users() if u.active)]
    )
    return form


def _data(form: AbsenceForm) -> people.AbsenceInput:
    assert form.first_day.data is not None and form.last_day.data is not None
    return people.AbsenceInput(
        kind=form.kind.data or "",
        first_day=form.first_day.data,
        last_day=form.last_day.data,
        stand_in_id=form.stand_in_id.data or None,
        note=form.note.data,
    )


@bp.route("/")
@roles_required(*COORDINATORS)
def index() -> Any:
    """Show the bodies, who is away and who stands in, the absences and the staffing alerts."""
    moment = now()
    view = people.overview(uow(), ctx(), moment)
    zone = organisation_zone()
    names = view.pop("names")
    return render_template(
        "incident_bridge/people.html",
        **view,
        staffing_alerts=[alert.text(zone, moment) for alert in view["alerts"]],
        change_labels=CHANGE_LABELS,
        describe=lambda values: _describe(values, names),
        rule=ctx().profile.people,
        kinds=ABSENCE_LABELS,
        absence_form=_absence_form(),
        end_form=EndAbsenceForm(),
        yesterday=view["today"] - timedelta(days=1),  # back at work today: the last day was
        responsible_form=_responsible_form(),
        edit_form=_absence_form,
    )


@bp.route("/absences", methods=["POST"])
@roles_required(*COORDINATORS)
def record_absence() -> Any:
    """Record an executor's absence and its stand-in."""
    form = _absence_form()
    if not form.validate_on_submit():
        return back_with_errors(form, _back())
    return act(
        _back(),
        lambda: people.record_absence(
            uow(), ctx(), actor(), form.user_id.data, _data(form), now=now()
        ),  # fmt: skip
        "Отсутствие записано.",
    )


@bp.route("/absences/<ib_id:absence_id>", methods=["POST"])
@roles_required(*COORDINATORS)
def change_absence(absence_id: int) -> Any:
    """Change an absence's kind, days, stand-in or note."""
    form = _absence_form()
    if not form.validate_on_submit():
        return back_with_errors(form, _back())
    return act(
        _back(),
        lambda: people.change_absence(uow(), ctx(), actor(), absence_id, _data(form), now=now()),
        "Отсутствие изменено.",
    )


@bp.route("/absences/<ib_id:absence_id>/end", methods=["POST"])
@roles_required(*COORDINATORS)
def end_absence(absence_id: int) -> Any:
    """End an absence early (its last day is set; nothing is deleted)."""
    form = EndAbsenceForm()
    if not form.validate_on_submit():
        return back_with_errors(form, _back())
    assert form.last_day.data is not None
    last_day = form.last_day.data
    return act(
        _back(),
        lambda: people.end_absence(uow(), ctx(), actor(), absence_id, last_day, now=now()),
        "Отсутствие завершено.",
    )


@bp.route("/responsible", methods=["POST"])
@roles_required(*COORDINATORS)
def set_responsible() -> Any:
    """Name a body's responsible official."""
    form = _responsible_form()
    if not form.validate_on_submit():
        return back_with_errors(form, _back())
    try:
        subdivision_id = int(form.subdivision_id.data or "")
    except ValueError:
        return redirect(_back())
    return act(
        _back(),
        lambda: people.set_responsible(
            uow(), ctx(), actor(), subdivision_id, form.user_id.data or None, now=now()
        ),  # fmt: skip
        "Ответственное лицо назначено.",
    )
