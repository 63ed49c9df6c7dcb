"""The admin page: subdivisions, people, and the sync's health."""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, url_for

from incident_bridge.domain.workflow import Role
from incident_bridge.services import directory, status
from incident_bridge.web.forms import SubdivisionForm, UserForm, UserStateForm, choices
from incident_bridge.web.helpers import act, now, page_blueprint, roles_required, session

PREFIX = "/admin"
bp = page_blueprint("incident_bridge_admin", __name__)


def _user_form() -> UserForm:
    form = UserForm()
    form.subdivision.choices = choices(
        [(0, "—")] + [(s.id, s.name) for s in directory.subdivisions(session())]
    )
    return form


@bp.route("/")
@roles_required(Role.ADMIN.value)
def index() -> Any:
    """Show subdivisions, people and the sync's health."""
    return render_template(
        "incident_bridge/admin.html",
        subdivisions=directory.subdivisions(session(), active_only=False),
        users=directory.users(session()),
        subdivision_form=SubdivisionForm(),
        user_form=_user_form(),
        state_form=UserStateForm(),
        health=status.overview(session()),
    )


@bp.route("/subdivisions", methods=["POST"])
@roles_required(Role.ADMIN.value)
def add_subdivision() -> Any:
    """Add a subdivision."""
    form = SubdivisionForm()
    back = url_for("incident_bridge_admin.index")
    if not form.validate_on_submit():
        return redirect(back)
    return act(
        back,
        lambda: directory.create_subdivision(session(), form.name.data or ""),
        "Подразделение добавлено.",
    )


@bp.route("/users", methods=["POST"])
@roles_required(Role.ADMIN.value)
def add_user() -> Any:
    """Add a person with a role (and a subdivision for an executor)."""
    form = _user_form()
    back = url_for("incident_bridge_admin.index")
    if not form.validate_on_submit():
        from flask import flash

        flash("; ".join(", ".join(m) for m in form.errors.values()), "error")
        return redirect(back)
    return act(
        back,
        lambda: directory.create_user(
            session(),
            login=form.login.data or "",
            full_name=form.full_name.data or "",
            password=form.password.data or "",
            role=form.role.data or "",
            subdivision_id=form.subdivision.data or None,
            now=now(),
        ),
        "Пользователь добавлен.",
    )


@bp.route("/users/<any(activate, deactivate):change>", methods=["POST"])
@roles_required(Role.ADMIN.value)
def set_user_state(change: str) -> Any:
    """Switch a person's access on or off."""
    form = UserStateForm()
    back = url_for("incident_bridge_admin.index")
    if not form.validate_on_submit():
        return redirect(back)
    return act(
        back,
        lambda: directory.set_active(session(), form.user_id.data or 0, change == "activate"),
        "Доступ изменён.",
    )
