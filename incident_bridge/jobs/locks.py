"""One poller (and one pusher) at a time per incident system, across workers, processes and hosts.

With Redis: a Redis lock. Without: a lease row in the bridge's own database
(``persistence.leases``), so two web processes on one database never poll at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress

from redis.exceptions import LockNotOwnedError

from incident_bridge.persistence.leases import DatabaseLease
from incident_bridge.redis_url import connect
from incident_bridge.state import BridgeState


@contextmanager
def exclusive(
    state: BridgeState, name: str, *, shared: bool = False
) -> Iterator[Callable[[], object] | None]:
    """Yield a renew function if this process holds the lock ``name``; None if another one does.

    The holder renews it after every page or delivery (each bounded by the HTTP
    timeout); a killed worker's lock expires after ``settings.lock_timeout`` seconds.
    ``shared``: the work coordinates itself (rows claimed one by one), no lock is taken.
    """
    if shared:
        yield lambda: None
        return
    settings = state.settings
    key = f"{settings.queue_name}-lock-{name}"
    if settings.redis_url:
        lock = connect(settings.redis_url).lock(key, timeout=settings.lock_timeout, blocking=False)
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
    lease = DatabaseLease(state.db.engine, key, settings.lock_timeout)
    if not lease.acquire():
        yield None
        return
    try:
        yield lease.renew
    finally:
        lease.release()
