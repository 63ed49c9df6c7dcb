"""Delivery of approved replies by one rq worker against two in parallel, with 50 ms per reply call.

The real mock incident system (a subprocess on loopback) holds R incidents and
answers every reply call after 50 ms of added latency (``PUT /_control/faults``).
The bridge polls them into a fresh PostgreSQL database, and R replies are
approved through the real use cases (route, submit a draft, approve: an outbox
row each, as the pages do; in two processes, to save time). The database is then
copied, so that both rounds deliver the very same rows:

1. one worker: ``flask --app wsgi bridge worker`` on Redis db 14, on the original;
2. two workers in parallel, on the copy, the mock re-seeded with the same incidents.

In each round the workers are started and registered first; the clock starts
when push jobs are enqueued (several distinct job ids, one per interval bucket,
as the cron would) and stops when no outbox row is pending (more jobs are
enqueued whenever the queue runs dry before that). The workers are not burst
workers: a burst worker leaves when the queue is empty, so its start-up (seconds)
would be in the figure. Without a global pusher lock two workers should take
about half the time.

    .venv/bin/python benchmarks/delivery.py [--replies 2000] [--latency 0.05]

Prints each round's outbox states, the replies the mock stored and duplicate
effects (must be 0). Last line: JSON ``{"replies", "one_worker_s",
"two_workers_s", "speedup"}``, speedup = one_worker_s / two_workers_s. Needs
PostgreSQL (BENCH_PG_ADMIN_URL) and Redis (BENCH_REDIS_URL, default
redis://127.0.0.1:6379/14, flushed).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from contextlib import ExitStack
from datetime import timedelta
from typing import Any

from _common import (
    CLIENT,
    REDIS_URL,
    ROOT,
    Mock,
    Phases,
    add_people,
    bridge_app,
    engine_of,
    fresh_database,
    log,
    mock_server,
    process_in_parallel,
    unreachable,
    utc_now,
)
from redis import Redis
from sqlalchemy import create_engine, text

#: Rows one push run delivers at most (``services.outbox.push``'s ``limit``).
PUSH_LIMIT = 500


class Workers:
    """W ``flask bridge worker`` processes on the benchmark's queue."""

    def __init__(self, env: dict[str, str], count: int) -> None:
        self.env = env
        self.processes = [
            subprocess.Popen(
                [sys.executable, "-m", "flask", "--app", "wsgi", "bridge", "worker"],
                cwd=ROOT,
                env=env,
                start_new_session=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )  # fmt: skip
            for _ in range(count)
        ]

    def wait_registered(self, redis: Redis, timeout: float = 120.0) -> None:
        """Wait until every worker has registered with rq (started and listening)."""
        from rq import Worker

        deadline = time.monotonic() + timeout
        while len(Worker.all(connection=redis)) < len(self.processes):
            if any(p.poll() is not None for p in self.processes):
                raise RuntimeError("a worker exited while starting")
            if time.monotonic() > deadline:
                raise RuntimeError("the workers did not start")
            time.sleep(0.2)

    def stop(self) -> None:
        """Stop each worker (a warm shutdown lets a running job finish)."""
        for worker in self.processes:
            if worker.poll() is None:
                os.killpg(worker.pid, signal.SIGTERM)
        for worker in self.processes:
            try:
                worker.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait()


def pending(engine: Any, ids: list[int]) -> int:
    """How many of the round's outbox rows are not delivered yet."""
    with engine.connect() as conn:
        return int(
            conn.execute(
                text("SELECT count(*) FROM ib_outbox WHERE state = 'pending' "
                     "AND incident_id = ANY(:ids)"),
                {"ids": ids},
            ).scalar_one()
        )  # fmt: skip


def deliver(settings: Any, engine: Any, redis: Redis, ids: list[int], workers: int,
            env: dict[str, str], timeout: float) -> float:  # fmt: skip
    """Start ``workers`` workers, enqueue push jobs, time until the round's rows are delivered."""
    from incident_bridge.jobs.runner import enqueue, queue

    team = Workers(env, workers)
    try:
        team.wait_registered(redis)
        q = queue(settings)
        # Distinct job ids (one per interval bucket) so several pushes can run at once.
        bucket = time.time()
        jobs = workers * (-(-len(ids) // PUSH_LIMIT) + 1)
        started = time.perf_counter()
        for _ in range(jobs):
            bucket += settings.push_interval
            enqueue(settings, "push", now=bucket)
        reported = started
        while (left := pending(engine, ids)) > 0:
            elapsed = time.perf_counter() - started
            if elapsed > timeout:
                raise RuntimeError(f"{left} replies still pending after {timeout:.0f} s")
            if time.perf_counter() - reported >= 15:
                reported = time.perf_counter()
                done = len(ids) - left
                log(f"  {done}/{len(ids)} delivered in {elapsed:.0f} s ({done / elapsed:.1f}/s)")
            if q.count == 0 and len(q.started_job_registry) < workers:
                bucket += settings.push_interval
                enqueue(settings, "push", now=bucket)  # the queue ran dry: keep them busy
            time.sleep(0.05)
        return time.perf_counter() - started
    finally:
        team.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--replies", type=int, default=2_000)
    parser.add_argument("--latency", type=float, default=0.05, help="seconds per reply call")
    parser.add_argument("--timeout", type=float, default=900.0, help="per round, seconds")
    args = parser.parse_args()
    if problem := unreachable(redis=True):
        print(problem, file=sys.stderr)
        return 2
    redis = Redis.from_url(REDIS_URL)
    redis.flushdb()
    phases = Phases()
    results: dict[int, float] = {}
    checks: dict[int, tuple[Any, ...]] = {}
    with ExitStack() as stack:
        stack.callback(redis.flushdb)
        with phases(f"mock with {args.replies} incidents"):
            mock: Mock = stack.enter_context(mock_server(args.replies))
        url = stack.enter_context(fresh_database("delivery"))
        worker_config = {
            "INCIDENT_BRIDGE_REDIS_URL": REDIS_URL,
            "INCIDENT_BRIDGE_QUEUE_NAME": f"bench-delivery-{url.rsplit('_', 1)[1]}",
            "INCIDENT_BRIDGE_INCIDENT_API_URL": mock.url,
            "INCIDENT_BRIDGE_INCIDENT_CLIENT_ID": CLIENT,
            "INCIDENT_BRIDGE_INCIDENT_CLIENT_SECRET": CLIENT,
            "INCIDENT_BRIDGE_LOG_FORMAT": "text",
        }
        # The workers' settings, to enqueue their jobs (this app itself runs nothing).
        settings = (
            bridge_app(url, migrate=False, **worker_config).extensions["incident_bridge"].settings
        )
        with phases("migrate, people, poll the incidents in"):
            # The driver's app has no Redis, so approving kicks no push of its own.
            app = bridge_app(url)
            add_people(app, utc_now())
            with app.app_context():
                from incident_bridge.services.polling import poll

                state = app.extensions["incident_bridge"]
                poll(state.unit_of_work(), state.context, mock.system(), utc_now(),
                     page_size=500, max_pages=args.replies // 500 + 10)  # fmt: skip
                state.session().remove()
            engine = engine_of(app)
            with engine.connect() as conn:
                ids = list(conn.execute(text("SELECT id FROM ib_incident ORDER BY id")).scalars())
            engine.dispose()
        if len(ids) != args.replies:
            raise RuntimeError(f"{len(ids)} incidents polled, {args.replies} expected")
        with phases(f"approve {args.replies} replies (use cases, two processes)"):
            now = utc_now()
            counts = process_in_parallel(url, ids, route_at=now - timedelta(minutes=20),
                                         draft_at=now - timedelta(minutes=10), approve_at=now)  # fmt: skip
            if counts["approved"] != args.replies:
                raise RuntimeError(f"approved {counts}, {args.replies} expected")
        # Both rounds deliver the very same rows: round 2 runs on a copy taken now.
        second = stack.enter_context(fresh_database("delivery_copy", copy_of=url))
        mock.control("PUT", "/faults", json={"replies": {"latency": args.latency}})
        for workers, db_url in ((1, url), (2, second)):
            name = f"deliver with {workers} worker{'s' if workers > 1 else ''}"
            if workers > 1:  # a fresh mock with the same incidents, and an empty queue
                mock.control("POST", "/seed", json={"count": args.replies, "seed": 1})
                redis.flushdb()
            env = {**os.environ, **worker_config, "DATABASE_URL": db_url,
                   "SECRET_KEY": "benchmark", "INCIDENT_BRIDGE_RUN_JOBS_IN_PROCESS": "false"}  # fmt: skip
            engine = create_engine(db_url)
            with phases(name):
                results[workers] = deliver(settings, engine, redis, ids, workers, env,
                                           args.timeout)  # fmt: skip
            log(f"{name}: {results[workers]:.1f} s from the first push job")
            with engine.connect() as conn:
                states: dict[str, int] = dict(
                    conn.execute(text("SELECT state, count(*) FROM ib_outbox GROUP BY 1")).all()
                )
                statuses: dict[str, int] = dict(
                    conn.execute(text("SELECT status, count(*) FROM ib_incident GROUP BY 1")).all()
                )
            engine.dispose()
            stats = mock.control("GET", "/stats")
            checks[workers] = (states, statuses, stats.get("effects"), stats.get("replies_received"),
                               stats.get("duplicate_effects"))  # fmt: skip

    one, two = results[1], results[2]
    print(
        f"replies: {args.replies} per round (the same rows); latency {args.latency * 1000:.0f} ms a call"
    )
    ok = True
    for workers, (states, statuses, effects, calls, duplicates) in checks.items():
        print(f"  {workers} worker(s): outbox {states}; incidents {statuses}; replies stored by "
              f"the mock {effects} of {calls} calls; duplicate effects {duplicates}")  # fmt: skip
        ok &= states.get("sent") == args.replies and effects == args.replies and not duplicates
    print(f"one worker: {one:.1f} s ({args.replies / one:.1f} replies/s); two workers: "
          f"{two:.1f} s ({args.replies / two:.1f} replies/s); speedup {one / two:.2f} (goal ≥ 1.7)")  # fmt: skip
    print(f"latency alone: {args.replies * args.latency:.0f} s for one sequential pusher")
    print(phases.summary())
    print(json.dumps({"replies": args.replies, "one_worker_s": round(one, 2),
                      "two_workers_s": round(two, 2), "speedup": round(one / two, 3)}))  # fmt: skip
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
