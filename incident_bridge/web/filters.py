"""Jinja filters: times in the organisation's zone, labels of enums, safe external links."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import Flask, current_app
from flask_wtf.csrf import generate_csrf

from incident_bridge.domain.events import EventKind
from incident_bridge.domain.model import DraftKind, Feedback, Importance, OutboundKind, Platform
from incident_bridge.domain.workflow import DraftState, OutboxState, Role, Status
from incident_bridge.services.queries import refusal
from incident_bridge.state import bridge_state


def organisation_zone() -> ZoneInfo:
    """The time zone of the organisation's regulation profile."""
    return ZoneInfo(bridge_state(current_app).context.profile.timezone)


def bridge_alerts() -> list[str]:
    """The alerts for the people who run the department: the system unreachable, jobs failing,
    a body without an active executor where the profile sets a term to fill it."""
    from incident_bridge.services import staffing
    from incident_bridge.services.status import alerts

    state = bridge_state(current_app)
    settings = state.settings
    moment, zone = datetime.now(UTC), organisation_zone()
    found = alerts(state.session(), moment, minutes=settings.unreachable_alert_minutes,
                   job_failures=settings.job_alert_failures, zone=zone)  # fmt: skip
    gaps = staffing.alerts(state.unit_of_work(), state.context, moment)
    return found + [gap.text(zone, moment) for gap in gaps]


def unread_notifications() -> int:
    """The signed-in person's unread notifications (the bell's count)."""
    from flask_login import current_user

    from incident_bridge.services import notifications

    if not current_user.is_authenticated:
        return 0
    return notifications.unread(bridge_state(current_app).unit_of_work(), current_user.id)


def organisation_name() -> str:
    """The name in the page header: the setting, else the regulation profile's title."""
    state = bridge_state(current_app)
    return state.settings.organisation_name or state.context.profile.title


def local_time(value: datetime | None, fmt: str = "%d.%m.%Y %H:%M") -> str:
    """Format an aware UTC datetime in the organisation's zone."""
    if value is None:
        return "—"
    return value.astimezone(organisation_zone()).strftime(fmt)


def safe_url(value: str | None) -> str | None:
    """Return the URL only if it is an http(s) link; citizen data never reaches href otherwise."""
    if not value:
        return None
    parts = urlsplit(value.strip())
    return value.strip() if parts.scheme in ("http", "https") and parts.netloc else None


CHANGED_LABELS = {
    "number": "номер", "remote_created_at": "дата создания", "detected_at": "дата обнаружения",
    "text": "текст", "author_name": "автор", "author_url": "ссылка на автора",
    "platform": "площадка", "post_url": "ссылка на публикацию", "municipality": "муниципалитет",
    "topic_group": "группа тем", "topic": "тема", "importance": "важность",
    "attachments": "вложения",
}  # fmt: skip


def changed_label(field: str) -> str:
    """A changed card field, as the history names it."""
    return CHANGED_LABELS.get(field, field)


def _label(enum_type: type) -> object:
    def convert(value: str | None) -> str:
        if value is None:
            return "—"
        try:
            return str(enum_type(value).label)
        except ValueError:
            return value

    return convert


def register_filters(app: Flask) -> None:
    """Install the bridge's filters and globals on ``app``'s Jinja environment."""
    app.jinja_env.filters.update(
        local_time=local_time,
        safe_url=safe_url,
        changed_label=changed_label,
        refusal=refusal,
        status_label=_label(Status),
        role_label=_label(Role),
        platform_label=_label(Platform),
        importance_label=_label(Importance),
        draft_kind_label=_label(DraftKind),
        feedback_label=_label(Feedback),
        draft_state_label=_label(DraftState),
        outbox_state_label=_label(OutboxState),
        outbound_label=_label(OutboundKind),
        event_label=_label(EventKind),
    )
    app.jinja_env.globals.update(
        now_utc=lambda: datetime.now(UTC),
        csrf_token=generate_csrf,
        organisation_name=organisation_name,
        bridge_alerts=bridge_alerts,
        unread_notifications=unread_notifications,
        Status=Status,
        DraftState=DraftState,
        OutboxState=OutboxState,
    )
