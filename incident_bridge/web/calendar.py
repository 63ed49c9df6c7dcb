"""The admin's working calendar: the year at a glance and local overrides."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import redirect, render_template, request, url_for
from flask_login import current_user

from incident_bridge.domain.workflow import Role
from incident_bridge.domain.worktime import OverrideKind
from incident_bridge.services import calendar_admin
from incident_bridge.web.forms import OverrideForm, RevokeForm, choices
from incident_bridge.web.helpers import (
    act,
    back_with_errors,
    ctx,
    now,
    page_blueprint,
    roles_required,
    uow,
)

PREFIX = "/admin/calendar"
bp = page_blueprint("incident_bridge_calendar", __name__)


@bp.route("/")
@roles_required(Role.ADMIN.value)
def index() -> Any:
    """Show the year's working days and hours, and the local overrides with their history."""
    year = request.args.get("year", type=int) or datetime.now(UTC).year
    year = min(max(year, 2020), 2035)
    profile = ctx().profile
    form = OverrideForm()
    form.kind.choices = choices(
        [
            (k.value, calendar_admin.KIND_LABELS[k])
            for k in OverrideKind
            if k is not OverrideKind.SCHEDULE
        ]
    )
    months = calendar_admin.year_view(uow(), ctx(), year)
    return render_template(
        "incident_bridge/calendar.html",
        year=year,
        months=months,
        total_days=sum(m.days for m in months),
        total_hours=sum(m.hours for m in months),
        profile=profile,
        overrides=uow().calendar.overrides(),
        describe=calendar_admin.describe,
        form=form,
        revoke_form=RevokeForm(),
    )


@bp.route("/overrides", methods=["POST"])
@roles_required(Role.ADMIN.value)
def add() -> Any:
    """Record a local override of the calendar."""
    form = OverrideForm()
    form.kind.choices = choices([(k.value, k.value) for k in OverrideKind])
    back = url_for(
        "incident_bridge_calendar.index", year=form.day.data.year if form.day.data else None
    )
    if not form.validate_on_submit():
        return back_with_errors(form, back)
    hours = [h.strip() for h in (form.hours.data or "").split(",") if h.strip()]
    return act(
        back,
        lambda: calendar_admin.add_override(
            uow(),
            day=form.day.data,
            kind=form.kind.data,
            reason=form.reason.data or "",
            hours=hours,
            by=current_user.full_name,
            now=now(),
        ),
        "Изменение календаря записано. Оно действует для сообщений, поступивших с этого момента.",
    )


@bp.route("/overrides/<ib_id:override_id>/revoke", methods=["POST"])
@roles_required(Role.ADMIN.value)
def revoke(override_id: int) -> Any:
    """Revoke an override from now on (it stays in the history)."""
    form = RevokeForm()
    back = url_for("incident_bridge_calendar.index")
    if not form.validate_on_submit():
        return redirect(back)
    return act(
        back,
        lambda: calendar_admin.revoke_override(
            uow(),
            override_id,
            by=current_user.full_name,
            now=now(),
        ),
        "Изменение календаря отменено.",
    )
