"""A named lock with an expiry in the bridge's own database: one holder across processes.

Used when there is no Redis (the embedded mode, or several web processes on one
SQLite or PostgreSQL database): the same table and the same three statements on
every backend. A holder that dies stops renewing; its lease expires.
"""

from __future__ import annotations

import os
import socket
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from incident_bridge.persistence.models import Lease


class LeaseLost(RuntimeError):
    """The lease expired and another process holds it now: stop the work that needed it."""


class DatabaseLease:
    """One acquisition of the lease ``name`` for ``seconds``, renewed while the work goes on."""

    def __init__(self, engine: Engine, name: str, seconds: float) -> None:
        self.engine = engine
        self.name = name
        self.seconds = seconds
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:12]}"

    def _until(self) -> tuple[datetime, datetime]:
        now = datetime.now(UTC)
        return now, now + timedelta(seconds=self.seconds)

    def acquire(self) -> bool:
        """Take the lease if nobody holds it (or its holder let it expire); never waits."""
        now, until = self._until()
        free = or_(Lease.holder.is_(None), Lease.expires_at < now)
        with self.engine.begin() as conn:
            taken = conn.execute(
                update(Lease)
                .where(Lease.name == self.name, free)
                .values(holder=self.holder, expires_at=until)
            )
            if taken.rowcount == 1:
                return True
            if conn.execute(select(Lease.name).where(Lease.name == self.name)).first():
                return False
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    insert(Lease).values(name=self.name, holder=self.holder, expires_at=until)
                )
        except IntegrityError:
            return False  # another process created it first
        return True

    def renew(self) -> None:
        """Push the expiry forward; ``LeaseLost`` if another process took the lease meanwhile."""
        _, until = self._until()
        with self.engine.begin() as conn:
            kept = conn.execute(
                update(Lease)
                .where(Lease.name == self.name, Lease.holder == self.holder)
                .values(expires_at=until)
            )
        if kept.rowcount != 1:
            raise LeaseLost(f"The lease «{self.name}» expired and was taken by another process.")

    def release(self) -> None:
        """Give the lease up (only if still ours)."""
        with self.engine.begin() as conn:
            conn.execute(
                update(Lease)
                .where(Lease.name == self.name, Lease.holder == self.holder)
                .values(holder=None, expires_at=None)
            )
