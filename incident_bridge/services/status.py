"""Health of the bridge: the database, the job queue, the incident system and the sync."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from incident_bridge.domain.ports import IncidentSystem
from incident_bridge.domain.workflow import OutboxState
from incident_bridge.persistence.models import OutboxMessage, QuarantinedRecord, SyncState


class Probes(Protocol):
    """What the health check asks of the running application."""

    def queue_health(self) -> Mapping[str, Any]: ...

    def incident_system(self) -> IncidentSystem | None: ...


def _check(probe: Callable[[], Mapping[str, Any] | None]) -> dict[str, Any]:
    try:
        detail = probe()
    except Exception as exc:  # a health probe reports failures, it must not raise
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
    return {"ok": True, **(detail or {})}


def health(session: Session, state: Probes) -> dict[str, Any]:
    """Probe each dependency; ``status`` is ``ok`` only if the database and queue answer."""

    def ping_database() -> None:
        session.execute(text("SELECT 1"))

    database = _check(ping_database)
    if not database["ok"]:
        session.rollback()
    queue = _check(state.queue_health)
    system = state.incident_system()
    if system is None:
        incident_system: dict[str, Any] = {"ok": False, "configured": False}
    else:
        incident_system = _check(lambda: {"reachable": bool(system.ping())})
        incident_system["ok"] = incident_system.get("reachable", False)
    ok = database["ok"] and queue["ok"]
    return {
        "status": "ok" if ok else "degraded",
        "database": database,
        "queue": queue,
        "incident_system": incident_system,
    }


def overview(
    session: Session, now: datetime | None = None, alert_after_minutes: int = 15
) -> dict[str, Any]:
    """Figures for the admin page: cursor, last fetch, outbox backlog, quarantine, the alert."""
    sync = session.scalar(select(SyncState).order_by(SyncState.id))
    backlog = dict(session.execute(
        select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state)
    ).all())  # fmt: skip
    open_quarantine = select(QuarantinedRecord).where(QuarantinedRecord.resolved_at.is_(None))
    records = list(
        session.scalars(open_quarantine.order_by(QuarantinedRecord.id.desc()).limit(100))
    )
    waiting = session.scalar(select(func.count()).select_from(open_quarantine.subquery()))
    attention = list(session.scalars(
        select(OutboxMessage).where(OutboxMessage.state == OutboxState.NEEDS_ATTENTION).order_by(OutboxMessage.id)
    ))  # fmt: skip
    return {
        "sync": sync,
        "outbox": backlog,
        "quarantined": waiting or 0,  # all of them; the page lists the latest 100
        "quarantine": records,
        "needs_attention": attention,
        "alert": unreachable_alert(sync, now, alert_after_minutes),
    }


def unreachable_alert(sync: SyncState | None, now: datetime | None, minutes: int) -> str | None:
    """A Russian alert when the incident system has been unreachable longer than ``minutes``."""
    if sync is None or sync.unreachable_since is None or now is None:
        return None
    if now - sync.unreachable_since < timedelta(minutes=minutes):
        return None
    return (
        f"Система Инцидент недоступна более {minutes} мин "
        f"(с {sync.unreachable_since:%d.%m.%Y %H:%M} UTC): ответы не уходят, новые сообщения не поступают."
    )


def current_alert(session: Session, now: datetime, minutes: int) -> str | None:
    """The unreachable-system alert, if any (for every page's header)."""
    return unreachable_alert(session.scalar(select(SyncState).order_by(SyncState.id)), now, minutes)
