"""One poller (and one pusher) at a time per incident system, across workers and hosts."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Any

from redis import Redis
from redis.exceptions import LockNotOwnedError

_local_locks: dict[str, threading.Lock] = {}
_guard = threading.Lock()


@contextmanager
def exclusive(settings: Any, name: str) -> Iterator[Callable[[], object] | None]:
    """Yield a renew function if this process holds the lock ``name``; None if another one does.

    The holder renews it after every page or delivery (each bounded by the HTTP
    timeout); a killed worker's lock expires after ``settings.lock_timeout`` seconds.
    """
    if settings.redis_url:
        lock = Redis.from_url(settings.redis_url).lock(
            f"{settings.queue_name}-lock-{name}", timeout=settings.lock_timeout, blocking=False
        )
        if not lock.acquire(blocking=False):
            yield None
            return
        try:
            yield lock.reacquire
        finally:
            # The lock may have expired while we ran (someone else may hold it now).
            with suppress(LockNotOwnedError):
                lock.release()
        return
    with _guard:
        local = _local_locks.setdefault(name, threading.Lock())
    if not local.acquire(blocking=False):
        yield None
        return
    try:
        yield lambda: None
    finally:
        local.release()
