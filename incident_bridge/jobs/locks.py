"""One poller (and one pusher) at a time per incident system, across workers and hosts."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

from redis import Redis
from redis.exceptions import LockNotOwnedError

# Longer than a job may run (rq kills it at JOB_TIMEOUT), so a killed worker's lock expires.
LOCK_TIMEOUT = 330

_local_locks: dict[str, threading.Lock] = {}
_guard = threading.Lock()


@contextmanager
def exclusive(settings: Any, name: str) -> Iterator[bool]:
    """Yield True if this process holds the lock ``name``; False if another one does."""
    if settings.redis_url:
        lock = Redis.from_url(settings.redis_url).lock(
            f"{settings.queue_name}-lock-{name}", timeout=LOCK_TIMEOUT, blocking=False
        )
        if not lock.acquire(blocking=False):
            yield False
            return
        try:
            yield True
        finally:
            # The lock may have expired while we ran (someone else may hold it now).
            with suppress(LockNotOwnedError):
                lock.release()
        return
    with _guard:
        local = _local_locks.setdefault(name, threading.Lock())
    if not local.acquire(blocking=False):
        yield False
        return
    try:
        yield True
    finally:
        local.release()
