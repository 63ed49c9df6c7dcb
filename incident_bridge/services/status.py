"""Health of the bridge: the database, the job queue, the incident system and the sync."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from incident_bridge.persistence.models import OutboxMessage, QuarantinedRecord, SyncState


def _check(probe: Any) -> dict[str, Any]:
    try:
        detail = probe()
    except Exception as exc:  # a health probe reports failures, it must not raise
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
    return {"ok": True, **(detail or {})}


def health(session: Session, state: Any) -> dict[str, Any]:
    """Probe each dependency; ``status`` is ``ok`` only if the database and queue answer."""
    database = _check(lambda: session.execute(text("SELECT 1")) and None)
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


def overview(session: Session) -> dict[str, Any]:
    """Figures for the admin page: cursor, last fetch, outbox backlog, quarantined records."""
    sync = session.scalar(select(SyncState).order_by(SyncState.id))
    backlog = dict(
        session.execute(
            select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state)
        ).all()
    )
    quarantined = session.scalar(
        select(func.count())
        .select_from(QuarantinedRecord)
        .where(QuarantinedRecord.resolved_at.is_(None))
    )
    return {"sync": sync, "outbox": backlog, "quarantined": quarantined or 0}
