"""`flask bridge calendar hours` and `flask bridge deadline`: the working-time calendar at a glance."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

import click
from flask import current_app, has_app_context
from flask.cli import with_appcontext

from incident_bridge.domain.deadlines import due_for
from incident_bridge.domain.errors import BridgeError
from incident_bridge.domain.profile_loader import load_profile
from incident_bridge.domain.regulations import CLOCK_NAMES, DEFAULT_PROFILE, Profile
from incident_bridge.domain.worktime import WorkCalendar, month_norms


def register(group: click.Group) -> None:
    """Add the working-time commands to ``flask bridge``."""
    group.add_command(calendar)
    group.add_command(deadline)


def _profile_dirs() -> Sequence[str]:
    dirs = current_app.config.get("INCIDENT_BRIDGE_PROFILE_DIRS") if has_app_context() else None
    return tuple(dirs or ())


def _profile(name: str) -> Profile:
    try:
        return load_profile(name, _profile_dirs())
    except BridgeError as exc:
        raise click.UsageError(str(exc)) from exc


@click.group("calendar")
def calendar() -> None:
    """The working-time calendar (production calendar of the Russian Federation)."""


@calendar.command("hours")
@click.option("--year", type=int, required=True, help="Calendar year, e.g. 2025.")
@click.option(
    "--profile", "profile_name", default=None, help="Use this profile's zone and schedule."
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@with_appcontext
def calendar_hours(year: int, profile_name: str | None, as_json: bool) -> None:
    """Working days and hours per month and for the year (40-hour week by default)."""
    cal = _profile(profile_name).calendar() if profile_name else WorkCalendar()
    norms = month_norms(cal, year)
    months = [{"month": m.month, "days": m.days, "hours": m.minutes / 60} for m in norms]
    for row in months:
        row["hours"] = int(row["hours"]) if float(row["hours"]).is_integer() else row["hours"]
    days = sum(m.days for m in norms)
    minutes = sum(m.minutes for m in norms)
    hours = minutes // 60 if minutes % 60 == 0 else minutes / 60
    if as_json:
        click.echo(json.dumps({"year": year, "days": days, "hours": hours, "months": months}))
        return
    click.echo(f"{'Месяц':>5}  {'Дни':>4}  {'Часы':>6}")
    for row in months:
        click.echo(f"{row['month']:>5}  {row['days']:>4}  {row['hours']:>6}")
    click.echo(f"{'Год':>5}  {days:>4}  {hours:>6}")
    source = cal.production.source_of(year)
    if source is not None:
        note = "" if source.verified else " (не сверено с постановлением)"
        click.echo(f"Источник: {source.source}{note}")


@click.command("deadline")
@click.option("--profile", "profile_name", default=DEFAULT_PROFILE, show_default=True)
@click.option("--clock", required=True, help=f"One of: {', '.join(CLOCK_NAMES)}.")
@click.option(
    "--start", required=True, help="ISO 8601 with offset, e.g. 2025-10-30T15:00:00+03:00."
)
@click.option("--importance", type=click.Choice(["high", "normal", "private"]), default="normal")
@click.option("--track", "tracks", multiple=True, help="Extra track, e.g. priority (repeatable).")
@with_appcontext
def deadline(
    profile_name: str, clock: str, start: str, importance: str, tracks: tuple[str, ...]
) -> None:
    """Print when CLOCK started at START is due, in the organisation's time zone."""
    profile = _profile(profile_name)
    try:
        begun = datetime.fromisoformat(start)
    except ValueError as exc:
        raise click.BadParameter(
            f"«{start}» — не дата и время ISO 8601 (например 2025-10-30T15:00:00+03:00)",
            param_hint="--start",
        ) from exc
    if begun.utcoffset() is None:
        raise click.BadParameter("укажите смещение от UTC, например +03:00", param_hint="--start")
    active = {*tracks, *(["high"] if importance == "high" else [])}
    cal = profile.calendar()
    try:
        due = due_for(profile, cal, clock, begun, tracks=active)
    except BridgeError as exc:
        click.echo(str(exc), err=True)
        click.get_current_context().exit(2)
    click.echo(due.astimezone(cal.zone).isoformat())


@calendar.group("override")
def override() -> None:
    """Local changes of the calendar (regional holidays, closed days, changed hours)."""


@override.command("add")
@click.option(
    "--day", required=True, type=click.DateTime(["%Y-%m-%d"]), help="Date, e.g. 2026-05-12."
)
@click.option(
    "--kind",
    required=True,
    type=click.Choice(["holiday", "closed", "working", "hours", "schedule"]),
)
@click.option("--reason", required=True, help="The act it comes from.")
@click.option(
    "--hours", multiple=True, help="An interval for 'hours'/'working', e.g. 09:00-13:00 (repeat)."
)
@click.option(
    "--schedule",
    "schedule_json",
    default=None,
    help='New weekly schedule from that day, JSON: {"mon": ["09:00-13:00", ...], ...}.',
)
@click.option("--by", default="CLI", help="Who records it (kept in the history).")
@with_appcontext
def override_add(
    day: datetime,
    kind: str,
    reason: str,
    hours: tuple[str, ...],
    schedule_json: str | None,
    by: str,
) -> None:
    """Record an override; it applies to messages that arrive from now on."""
    from datetime import UTC

    from incident_bridge.services import calendar_admin
    from incident_bridge.state import bridge_state

    try:
        schedule = json.loads(schedule_json) if schedule_json else None
        row = calendar_admin.add_override(
            bridge_state(current_app).unit_of_work(),
            day=day.date(),
            kind=kind,
            reason=reason,
            hours=list(hours),
            schedule=schedule,
            by=by,
            now=datetime.now(UTC),
        )
    except (BridgeError, ValueError) as exc:
        raise click.UsageError(str(exc)) from exc
    click.echo(f"#{row.id} {row.day.isoformat()} {calendar_admin.describe(row)} — {row.reason}")


@override.command("list")
@with_appcontext
def override_list() -> None:
    """Every override ever recorded, revoked ones included."""
    from incident_bridge.services import calendar_admin
    from incident_bridge.state import bridge_state

    for row in bridge_state(current_app).unit_of_work().calendar.overrides():
        revoked = (
            f" (отменено {row.revoked_at:%Y-%m-%d %H:%M} UTC, {row.revoked_by})"
            if row.revoked_at
            else ""
        )
        click.echo(
            f"#{row.id} {row.day.isoformat()} {calendar_admin.describe(row)} — {row.reason}; "
            f"записал {row.recorded_by} {row.recorded_at:%Y-%m-%d %H:%M} UTC{revoked}"
        )


@override.command("revoke")
@click.argument("override_id", type=int)
@click.option("--by", default="CLI")
@with_appcontext
def override_revoke(override_id: int, by: str) -> None:
    """Revoke an override from now on; it stays in the history."""
    from datetime import UTC

    from incident_bridge.services import calendar_admin
    from incident_bridge.state import bridge_state

    try:
        calendar_admin.revoke_override(
            bridge_state(current_app).unit_of_work(), override_id, by=by, now=datetime.now(UTC)
        )
    except BridgeError as exc:
        raise click.UsageError(exc.user_message) from exc
    click.echo(f"#{override_id} отменено.")
