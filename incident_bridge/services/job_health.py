"""How the background jobs are doing: each run's success or failure is kept, so failures show.

A job that keeps failing (the poll stuck on one record, the database refusing a
page) shows on the admin page, in the queue's alert and in ``/healthz``: its last
error, since when it fails and how many runs in a row.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, tzinfo

from incident_bridge.domain.errors import BridgeError
from incident_bridge.persistence.models import JobHealth
from incident_bridge.services.unit_of_work import UnitOfWork

JOB_LABELS = {
    "poll": "Получение сообщений из системы Инцидент",
    "push": "Отправка ответов в систему Инцидент",
    "deadlines": "Пересчёт сроков",
    "screen": "Проверка новых сообщений на брань и угрозы",
    "notify": "Уведомления: сроки, нарушения, доклады руководству",
    "webhooks": "Отправка событий подписанным системам (вебхуки)",
}
#: The longest error text kept (the first line of a database error is what matters).
MAX_ERROR = 2000


def _row(uow: UnitOfWork, job: str) -> JobHealth:
    row = uow.jobs.get(job)
    if row is None:
        row = JobHealth(job=job, consecutive_failures=0)
        uow.add(row)
    return row


def succeeded(uow: UnitOfWork, job: str, now: datetime) -> None:
    """Record a successful run: the failure streak ends."""
    with uow:
        row = _row(uow, job)
        row.last_success_at = now
        row.failing_since = None
        row.consecutive_failures = 0


def failed(uow: UnitOfWork, job: str, error: BaseException, now: datetime) -> JobHealth:
    """Record a failed run with its error, in a transaction of its own."""
    # The bridge's own errors are written for people; anything else keeps its class for admins.
    text = (
        error.user_message if isinstance(error, BridgeError) else f"{type(error).__name__}: {error}"
    )
    with uow:
        row = _row(uow, job)
        row.last_error = text if len(text) <= MAX_ERROR else text[: MAX_ERROR - 1] + "…"
        row.last_error_at = now
        row.failing_since = row.failing_since or now
        row.consecutive_failures = (row.consecutive_failures or 0) + 1
    return row


def alerts(rows: Iterable[JobHealth], *, after_failures: int, zone: tzinfo = UTC) -> list[str]:
    """A Russian alert for every job that failed ``after_failures`` runs in a row or more.

    Times are shown in ``zone``, the organisation's, like every other time on the pages.
    """
    out = []
    for row in rows:
        if row.failing_since is None or row.consecutive_failures < after_failures:
            continue
        label = JOB_LABELS.get(row.job, row.job)
        out.append(
            f"Задача «{label}» не выполняется с {row.failing_since.astimezone(zone):%d.%m.%Y %H:%M} "
            f"({row.consecutive_failures} попыток подряд). Последняя ошибка: {row.last_error}"
        )
    return out
