"""Running the tasks: on rq when Redis is configured, else in a thread of the web process."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from flask import Flask
from rq import Queue, Retry
from rq.exceptions import DuplicateJobError

from incident_bridge.jobs.context import bind_app
from incident_bridge.jobs.tasks import TASKS
from incident_bridge.redis_url import connect

log = logging.getLogger(__name__)

JOB_TIMEOUT = 300
RETRY = Retry(max=3, interval=[10, 30, 60])


#: Tasks that read citizens' text (CPU-bound): on a queue of their own, so that workers
#: can be given to them alone (``bridge worker --queue checks``).
CHECK_TASKS = frozenset({"screen"})


def intervals(settings: Any) -> dict[str, int]:
    """Seconds between runs of each task."""
    return {
        "poll": settings.poll_interval,
        "screen": settings.screen_interval,
        "push": settings.push_interval,
        "deadlines": settings.deadline_interval,
        "notify": settings.notify_interval,
        "webhooks": settings.webhook_interval,
    }


def queue_name(settings: Any, task: str | None = None) -> str:
    """The rq queue of ``task``: the checks queue for the text checks, else the main one."""
    return settings.checks_queue_name if task in CHECK_TASKS else settings.queue_name


def queue(settings: Any, name: str | None = None) -> Queue:
    """An rq queue of the bridge's on the configured Redis (the main one by default)."""
    return Queue(name or settings.queue_name, connection=connect(settings.redis_url))


def enqueue(settings: Any, name: str, *, now: float | None = None) -> str | None:
    """Enqueue task ``name`` once per interval bucket (a deterministic id), return the job id."""
    bucket = int((now or time.time()) // max(1, intervals(settings)[name]))
    job_id = f"incident-bridge-{name}-{bucket}"
    try:
        queue(settings, queue_name(settings, name)).enqueue(
            TASKS[name],
            job_id=job_id,
            unique=True,
            job_timeout=JOB_TIMEOUT,
            retry=RETRY,
            result_ttl=3600,
            failure_ttl=7 * 24 * 3600,
        )
    except DuplicateJobError:
        return None
    return job_id


class InProcessScheduler:
    """Runs the tasks periodically in one daemon thread: the embedded mode with no Redis."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._stop = threading.Event()
        self._kick = threading.Event()
        self._thread: threading.Thread | None = None
        self._last: dict[str, float] = {}
        self.errors: list[str] = []

    def start(self) -> None:
        """Start the thread (once)."""
        if self._thread is not None:
            return
        bind_app(self.app)
        self._thread = threading.Thread(target=self._loop, name="incident-bridge-jobs", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Ask the thread to stop and wait for it."""
        self._stop.set()
        self._kick.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def kick(self) -> None:
        """Run the push, poll and screen tasks soon (after a reply is approved, say)."""
        for name in ("push", "poll", "screen"):
            self._last.pop(name, None)
        self._kick.set()

    def run_due(self) -> None:
        """Run each task whose interval has elapsed."""
        settings = self.app.extensions["incident_bridge"].settings
        for name, every in intervals(settings).items():
            if time.monotonic() - self._last.get(name, -1e9) < every:
                continue
            self._last[name] = time.monotonic()
            try:
                with self.app.app_context():
                    TASKS[name]()
            except Exception as exc:  # the loop must survive; rq's registry has no place here
                log.exception("in-process task %s failed", name)
                self.errors.append(f"{name}: {exc}")
                del self.errors[:-20]

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.run_due()
            self._kick.wait(timeout=1.0)
            self._kick.clear()


def queue_health(settings: Any) -> dict[str, Any]:
    """Probe the job queue: in-process needs nothing; rq needs Redis to answer."""
    if not settings.redis_url:
        return {"mode": "in-process"}
    connection = connect(settings.redis_url, socket_connect_timeout=2)
    connection.ping()
    q = Queue(settings.queue_name, connection=connection)
    return {"mode": "rq", "queued": q.count, "failed": q.failed_job_registry.count}
