"""Recomputing the stored deadline of every open incident: 100,000 of them, with realistic histories.

A fresh PostgreSQL database gets N open incidents (``_common.bulk_open_incidents``:
templates taken through the bridge's real ingest, routing and draft submission,
copied in bulk with their histories and drafts — 60 % new, 20 % at an executor,
20 % with a draft on review, arrived over the last three weeks). Then the
deadlines job's service, ``services.deadlines.refresh_open``, as the job calls it
(its writes from a second thread on a connection of their own), recomputes every
open incident's clocks from its history and stores the nearest due time: first
all of them (``window=None``, what a changed profile needs; the figure), then the
periodic run as the job calls it (only those without a deadline or due soon).

    .venv/bin/python benchmarks/deadlines.py [--incidents 100000]

Prints the set-up, the history rows, the time of each run and incidents per
second. Last line: JSON ``{"open_incidents", "full_refresh_s"}``. Needs
PostgreSQL (BENCH_PG_ADMIN_URL, default postgres@127.0.0.1:5432/test).
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from _common import (
    Phases,
    add_people,
    bridge_app,
    bulk_open_incidents,
    engine_of,
    fresh_database,
    log,
    unreachable,
    utc_now,
)
from sqlalchemy import text


@contextmanager
def heartbeat(what: str, every: float = 15.0) -> Iterator[None]:
    """Say every ``every`` seconds that ``what`` still runs (the service reports no progress)."""
    done = threading.Event()
    started = time.monotonic()

    def beat() -> None:
        while not done.wait(every):
            log(f"  {what}: {time.monotonic() - started:.0f} s so far")

    thread = threading.Thread(target=beat, daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()


def refresh(app: Any, now: Any, *, full: bool) -> int:
    """One run of ``refresh_open`` as the deadlines job runs it (its writes from a second
    thread on a connection of their own); how many incidents it read."""
    from incident_bridge.services.deadlines import refresh_open

    with app.app_context():
        state = app.extensions["incident_bridge"]
        window: dict[str, Any] = {"window": None} if full else {}  # None: every one in work
        with state.side_unit_of_work() as writer:
            read = refresh_open(state.unit_of_work(), state.context, now, writer=writer, **window)
        state.session().remove()
        return int(read)


def moved(engine: Any) -> int:
    """Deadlines that differ from the ones last seen; remembers the current ones."""
    with engine.begin() as conn:
        count = conn.execute(text(
            "SELECT count(*) FROM ib_incident i JOIN bench_due b USING (id) "
            "WHERE i.due_at IS DISTINCT FROM b.due_at"
        )).scalar_one()  # fmt: skip
        conn.execute(text("UPDATE bench_due b SET due_at = i.due_at FROM ib_incident i "
                          "WHERE i.id = b.id AND i.due_at IS DISTINCT FROM b.due_at"))  # fmt: skip
    return int(count)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--incidents", type=int, default=100_000)
    args = parser.parse_args()
    if problem := unreachable():
        print(problem, file=sys.stderr)
        return 2
    phases = Phases()
    now = utc_now()
    with fresh_database("deadlines") as url:
        with phases("set-up: migrate, people, bulk open incidents"):
            app = bridge_app(url)
            add_people(app, now)
            statuses = bulk_open_incidents(app, args.incidents, now)
        engine = engine_of(app)
        with engine.connect() as conn:
            events = conn.execute(text("SELECT count(*) FROM ib_incident_event")).scalar_one()
            due_before = conn.execute(text("SELECT count(*) FROM ib_incident WHERE due_at IS NOT NULL"
                                           " AND due_at < now()")).scalar_one()  # fmt: skip
            # What was stored before, to count the deadlines each run moves (not timed).
            conn.execute(text("CREATE TABLE bench_due AS SELECT id, due_at FROM ib_incident"))
            conn.commit()
        open_incidents = sum(statuses.values())
        log(f"{open_incidents} open incidents {statuses}, {events} history entries, "
            f"{due_before} overdue as stored")  # fmt: skip

        with phases("full refresh (every open incident)"), heartbeat("full refresh"):
            read_full = refresh(app, now, full=True)
        full_s = phases.seconds["full refresh (every open incident)"]
        moved_full = moved(engine)
        with phases("periodic refresh (as the job runs it)"), heartbeat("periodic refresh"):
            read_periodic = refresh(app, now, full=False)
        moved_periodic = moved(engine)
        periodic_s = phases.seconds["periodic refresh (as the job runs it)"]
        with engine.connect() as conn:
            missing = conn.execute(text("SELECT count(*) FROM ib_incident WHERE due_at IS NULL"))
            without_deadline = missing.scalar_one()
        engine.dispose()

    print(f"open incidents: {open_incidents}; history entries: {events}")
    print(f"full refresh: {read_full} read, {moved_full} deadlines moved, in {full_s:.1f} s "
          f"({read_full / max(full_s, 1e-9):.0f} incidents/s)")  # fmt: skip
    print(f"periodic refresh: {read_periodic} read, {moved_periodic} moved, in {periodic_s:.1f} s; "
          f"without a deadline afterwards: {without_deadline}")  # fmt: skip
    print(phases.summary())
    print(json.dumps({"open_incidents": open_incidents, "full_refresh_s": round(full_s, 2)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
