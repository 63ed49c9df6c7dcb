"""The rq tasks. Each takes ids or nothing, calls one service, and lets failures propagate.

No broad ``except`` that swallows: rq's timeouts are ordinary exceptions, and a
failure must reach rq's failed registry (and its ``Retry``), not a log line.
Every run is recorded (``services.job_health``) before the failure goes on, so a
job that keeps failing shows on the admin page and in ``/healthz``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from incident_bridge.jobs.context import task_context
from incident_bridge.jobs.locks import exclusive
from incident_bridge.services import deadlines as deadline_service
from incident_bridge.services import (
    job_health,
    notifications,
    outbox,
    people,
    polling,
    screening,
    webhooks,
)
from incident_bridge.state import BridgeState

log = logging.getLogger(__name__)


def _now() -> datetime:
    return datetime.now(UTC)


@contextmanager
def _recorded(state: BridgeState, job: str) -> Iterator[None]:
    """Record the run's success or failure; a failure is re-raised as it was."""
    try:
        yield
    except Exception as error:
        state.session().rollback()
        try:
            job_health.failed(state.unit_of_work(), job, error, _now())
        except Exception:  # the database may be what fails: keep the job's own error
            log.exception("could not record the failure of job %s", job)
        raise
    job_health.succeeded(state.unit_of_work(), job, _now())


def poll_incidents() -> dict[str, Any]:
    """Fetch new and changed incidents from the incident system."""
    with task_context() as state:
        system = state.incident_system()
        if system is None:
            return {"skipped": "no incident system configured"}
        with exclusive(state, "poll") as renew:
            if renew is None:
                return {"skipped": "another poller is running"}
            with _recorded(state, "poll"):
                result = polling.poll(
                    state.unit_of_work(),
                    state.context,
                    system,
                    _now(),
                    page_size=state.settings.poll_page_size,
                    heartbeat=renew,
                )
                settled = polling.retry_quarantine(
                    state.unit_of_work(), state.context, system, _now()
                )
        return {
            "quarantine_settled": settled,
            "created": result.created,
            "updated": result.updated,
            "stale": result.stale,
            "quarantined": result.quarantined,
        }


def screen_messages() -> dict[str, Any]:
    """Screen the stored messages not screened yet (the checks queue's task)."""
    with task_context() as state:
        # On PostgreSQL each batch is claimed SKIP LOCKED: screeners run side by side.
        with exclusive(state, "screen", shared=state.concurrent_writers) as renew:
            if renew is None:
                return {"skipped": "another screener is running"}
            with _recorded(state, "screen"):
                screened = screening.screen_pending(
                    state.unit_of_work(), state.context, _now(), heartbeat=renew
                )
        return {"screened": screened}


def push_outbox() -> dict[str, Any]:
    """Deliver due outbox rows to the incident system."""
    with task_context() as state:
        system = state.incident_system()
        if system is None:
            return {"skipped": "no incident system configured"}
        # On PostgreSQL rows are claimed FOR UPDATE SKIP LOCKED: pushers run side by side.
        # SQLite cannot skip locked rows, so there one pusher runs at a time.
        with exclusive(state, "push", shared=state.concurrent_writers) as renew:
            if renew is None:
                return {"skipped": "another pusher is running"}
            with _recorded(state, "push"):
                result = outbox.push(
                    state.unit_of_work(),
                    state.context,
                    system,
                    _now(),
                    max_attempts=state.settings.outbox_max_attempts,
                    heartbeat=renew,
                )
        return {
            "sent": result.sent,
            "retried": result.retried,
            "needs_attention": result.needs_attention,
        }


def evaluate_deadlines() -> dict[str, Any]:
    """Recompute the stored deadlines of open incidents; fold the queue's counts.

    Absences whose day has come (or gone) hand messages over (or back) first, and the
    bodies' staffing gaps are brought up to date.
    """
    with task_context() as state, _recorded(state, "deadlines"):
        uow = state.unit_of_work()
        absences = people.apply_absences(uow, state.context, _now())
        with state.side_unit_of_work() as writer:
            count = deadline_service.refresh_open(uow, state.context, _now(), writer=writer)
        with uow:
            folded = uow.incidents.compact_tally()
        return {"refreshed": count, "tally_rows_folded": folded, "absences_applied": absences}


def notify() -> dict[str, Any]:
    """Make the notifications due now (warnings, breaches, escalations); mail the pending ones."""
    with task_context() as state:
        with exclusive(state, "notify") as renew:
            if renew is None:
                return {"skipped": "another notifier is running"}
            with _recorded(state, "notify"):
                mailer = state.mailer()
                made = notifications.scan(
                    state.unit_of_work(), state.context, _now(), mail=mailer is not None
                )
                mailed = (
                    notifications.deliver_mail(
                        state.unit_of_work(), mailer, _now(), public_url=state.settings.public_url
                    )
                    if mailer is not None
                    else {"skipped": "no SMTP server configured"}
                )
        return {"made": made.made, "mail": mailed}


def deliver_webhooks() -> dict[str, Any]:
    """Post the due webhook deliveries to the host systems that subscribed."""
    with task_context() as state:
        # On PostgreSQL deliveries are claimed FOR UPDATE SKIP LOCKED: senders run side by side.
        with exclusive(state, "webhooks", shared=state.concurrent_writers) as renew:
            if renew is None:
                return {"skipped": "another webhook sender is running"}
            with _recorded(state, "webhooks"):
                result = webhooks.deliver_due(
                    state.unit_of_work(),
                    state.webhook_poster(),
                    _now(),
                    max_attempts=state.settings.webhook_max_attempts,
                    public_url=state.settings.public_url,
                    heartbeat=renew,
                )
        return {"delivered": result.delivered, "retried": result.retried, "failed": result.failed}


TASKS = {
    "poll": poll_incidents,
    "screen": screen_messages,
    "push": push_outbox,
    "deadlines": evaluate_deadlines,
    "notify": notify,
    "webhooks": deliver_webhooks,
}
