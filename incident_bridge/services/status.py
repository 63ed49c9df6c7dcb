"""Health of the bridge: the database, the job queue, the incident system and the sync."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any, NamedTuple, Protocol

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from incident_bridge.domain.ports import IncidentSystem
from incident_bridge.domain.workflow import OutboxState
from incident_bridge.persistence.models import (
    Incident,
    JobHealth,
    OutboxMessage,
    QuarantinedRecord,
    SyncState,
)
from incident_bridge.persistence.repositories import SqlAlchemyJobs
from incident_bridge.services import job_health


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


def health(
    session: Session, state: Probes, *, job_failures: int = 3, zone: tzinfo = UTC
) -> dict[str, Any]:
    """Probe each dependency; ``status`` is ``ok`` only if the database and queue answer.

    ``jobs`` tells how each background job has been doing; a job failing
    ``job_failures`` runs in a row is listed in ``alerts`` (the web process itself
    is still healthy, so it does not turn the status).
    """

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
    rows = SqlAlchemyJobs(session).all() if database["ok"] else []
    return {
        "status": "ok" if ok else "degraded",
        "database": database,
        "queue": queue,
        "incident_system": incident_system,
        "jobs": {row.job: _job(row, job_failures) for row in rows},
        "alerts": job_health.alerts(rows, after_failures=job_failures, zone=zone),
    }


def _job(row: JobHealth, job_failures: int) -> dict[str, Any]:
    return {
        "ok": row.consecutive_failures < job_failures,
        "last_success_at": _iso(row.last_success_at),
        "failing_since": _iso(row.failing_since),
        "consecutive_failures": row.consecutive_failures,
        "last_error": row.last_error,
        "last_error_at": _iso(row.last_error_at),
    }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


class AttentionRow(NamedTuple):
    """A delivery that needs a person, and the number of its message."""

    outbox: OutboxMessage
    number: str


class QuarantineRow(NamedTuple):
    """A quarantined record, with its message's number and id when known."""

    record: QuarantinedRecord
    number: str | None
    incident_id: int | None


def _raw_number(raw: str) -> str | None:
    """The number a rejected card gives itself, if it is readable JSON (shown as text only)."""
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    number = data.get("number") if isinstance(data, dict) else None
    return number if isinstance(number, str) and number.strip() else None


def overview(
    session: Session, now: datetime | None = None, alert_after_minutes: int = 15
) -> dict[str, Any]:
    """Figures for the admin page: cursor, last fetch, outbox backlog, quarantine, the alert."""
    sync = session.scalar(select(SyncState).order_by(SyncState.id))
    backlog = dict(session.execute(
        select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state)
    ).all())  # fmt: skip
    is_open = QuarantinedRecord.resolved_at.is_(None)
    # Each record with the number and id of the message it is about, when the bridge has it.
    records = [
        QuarantineRow(record, number or _raw_number(record.raw), incident_id)
        for record, number, incident_id in session.execute(
            select(QuarantinedRecord, Incident.number, Incident.id)
            .outerjoin(Incident, Incident.external_id == QuarantinedRecord.external_id)
            .where(is_open)
            .order_by(QuarantinedRecord.id.desc())
            .limit(100)
        )
    ]
    waiting = session.scalar(select(func.count()).select_from(QuarantinedRecord).where(is_open))
    # Each failed delivery with its message's number, in the same query (no query per row).
    attention = [
        AttentionRow(row, number)
        for row, number in session.execute(
            select(OutboxMessage, Incident.number)
            .join(Incident, Incident.id == OutboxMessage.incident_id)
            .where(OutboxMessage.state == OutboxState.NEEDS_ATTENTION)
            .order_by(OutboxMessage.id)
        )
    ]
    return {
        "sync": sync,
        "outbox": backlog,
        "quarantined": waiting or 0,  # all of them; the page lists the latest 100
        "quarantine": records,
        "needs_attention": attention,
        "alert": unreachable_alert(sync, now, alert_after_minutes),
    }


def unreachable_alert(
    sync: SyncState | None, now: datetime | None, minutes: int, zone: tzinfo = UTC
) -> str | None:
    """A Russian alert when the incident system has been unreachable longer than ``minutes``."""
    if sync is None or sync.unreachable_since is None or now is None:
        return None
    if now - sync.unreachable_since < timedelta(minutes=minutes):
        return None
    return (
        f"Система Инцидент недоступна более {minutes} мин "
        f"(с {sync.unreachable_since.astimezone(zone):%d.%m.%Y %H:%M}): "
        "ответы не уходят, новые сообщения не поступают."
    )


def current_alert(session: Session, now: datetime, minutes: int, zone: tzinfo = UTC) -> str | None:
    """The unreachable-system alert, if any (for every page's header)."""
    sync = session.scalar(select(SyncState).order_by(SyncState.id))
    return unreachable_alert(sync, now, minutes, zone)


def alerts(
    session: Session, now: datetime, *, minutes: int, job_failures: int, zone: tzinfo = UTC
) -> list[str]:
    """Every alert for the people who run the department: the system unreachable, jobs failing."""
    found = [current_alert(session, now, minutes, zone)]
    rows = SqlAlchemyJobs(session).all()
    found += job_health.alerts(rows, after_failures=job_failures, zone=zone)
    return [a for a in found if a]
