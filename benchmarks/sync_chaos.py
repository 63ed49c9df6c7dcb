"""Chaos benchmark of the sync: nothing lost, nothing doubled, under faults and killed workers.

The real mock incident system (a subprocess) holds N incidents and injects
faults of every kind on about 30 % of calls; two real rq workers (`flask bridge
worker`) on real Redis write to a fresh PostgreSQL database; one worker's
whole process group is SIGKILLed twice (once while incidents come in, once
while replies go out) and restarted. The driver approves replies for R
incidents through the same use cases the pages call.

It prints incidents in the mock, stored, lost, duplicated, replies approved
and delivered, duplicate effects (the mock's count of an idempotency key
applied twice, or the same reply text posted twice), the time to catch up
(ingest and delivery apart),
and ingest throughput as a ratio to a plain bulk insert of the same rows into
the same PostgreSQL. Last line: JSON.

    .venv/bin/python benchmarks/sync_chaos.py [--incidents 10000] [--replies 2000]

Needs PostgreSQL (CHAOS_PG_ADMIN_URL, default postgres@127.0.0.1:5432/test)
and Redis (CHAOS_REDIS_URL, default redis://127.0.0.1:6379/13).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests
from _common import free_port
from redis import Redis
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PG_ADMIN = os.environ.get("CHAOS_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("CHAOS_REDIS_URL", "redis://127.0.0.1:6379/13")
CLIENT = "chaos"

# About 30 % of calls to each endpoint go wrong, spread over every kind of fault.
FAULTS = {
    "seed": 7,
    "token": {"error_rate": 0.2, "error_statuses": [500, 503]},
    "fetch": {
        "error_rate": 0.08, "error_statuses": [500, 502, 503], "rate_limit_rate": 0.05, "retry_after": 1,
        "timeout_rate": 0.04, "timeout_seconds": 3.0, "token_expired_rate": 0.05, "latency": 0.01,
        "malformed_rate": 0.03, "duplicate_rate": 0.03, "stale_rate": 0.03, "repeat_page_rate": 0.03,
        "shuffle": True,
    },
    "replies": {
        "error_rate": 0.12, "error_statuses": [500, 502, 503], "rate_limit_rate": 0.06, "retry_after": 1,
        "timeout_rate": 0.06, "timeout_seconds": 3.0, "token_expired_rate": 0.06, "after_effect": True,
    },
}  # fmt: skip


def log(message: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {message}", flush=True)


class Run:
    """The processes and connections of one benchmark run."""

    def __init__(self, incidents: int, page_size: int) -> None:
        self.incidents = incidents
        self.db_name = f"ib_chaos_{uuid.uuid4().hex[:8]}"
        self.db_url = PG_ADMIN.rsplit("/", 1)[0] + f"/{self.db_name}"
        self.mock_port = free_port()
        self.mock_url = f"http://127.0.0.1:{self.mock_port}"
        self.env = {
            **os.environ,
            "DATABASE_URL": self.db_url,
            "INCIDENT_BRIDGE_REDIS_URL": REDIS_URL,
            "INCIDENT_BRIDGE_INCIDENT_API_URL": self.mock_url,
            "INCIDENT_BRIDGE_INCIDENT_CLIENT_ID": CLIENT,
            "INCIDENT_BRIDGE_INCIDENT_CLIENT_SECRET": CLIENT,
            "INCIDENT_BRIDGE_INCIDENT_TIMEOUT": "[1.0, 2.0]",
            "INCIDENT_BRIDGE_POLL_INTERVAL": "1",
            "INCIDENT_BRIDGE_PUSH_INTERVAL": "1",
            "INCIDENT_BRIDGE_POLL_PAGE_SIZE": str(page_size),
            "INCIDENT_BRIDGE_QUEUE_NAME": f"chaos-{self.db_name}",
            "SECRET_KEY": "chaos",
        }
        self.workers: list[subprocess.Popen[bytes] | None] = [None, None]
        self.mock: subprocess.Popen[bytes] | None = None
        self.admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        self.engine: Any = None

    # -- set-up and tear-down ------------------------------------------------------------

    def start(self) -> None:
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{self.db_name}"'))
        Redis.from_url(REDIS_URL).flushdb()
        self.flask("bridge", "migrate")
        self.flask("bridge", "seed-demo")
        self.engine = create_engine(self.db_url.replace("postgresql://", "postgresql+psycopg://"))
        self.mock = subprocess.Popen(
            [sys.executable, "-m", "mocks", "--port", str(self.mock_port), "--count", str(self.incidents),
             "--seed", "1", "--client-id", CLIENT, "--client-secret", CLIENT, "--fault-seed", "7"],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        for _ in range(600):
            try:
                requests.get(f"{self.mock_url}/_control/stats", timeout=2).raise_for_status()
                break
            except requests.RequestException:
                time.sleep(0.2)
        requests.put(f"{self.mock_url}/_control/faults", json=FAULTS, timeout=10).raise_for_status()
        for i in range(2):
            self.start_worker(i)

    def flask(self, *args: str) -> None:
        subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=self.env,
                       check=True, stdout=subprocess.DEVNULL)  # fmt: skip

    def start_worker(self, i: int) -> None:
        self.workers[i] = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", "bridge", "worker"],
            cwd=ROOT, env=self.env, start_new_session=True,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip

    def kill_worker(self, i: int) -> None:
        """SIGKILL the worker and the job it may be running (its whole process group), then restart it."""
        worker = self.workers[i]
        assert worker is not None
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()
        log(f"worker {i} killed with SIGKILL; restarting it")
        self.start_worker(i)

    def stop(self) -> None:
        for worker in self.workers:
            if worker is not None and worker.poll() is None:
                os.killpg(worker.pid, signal.SIGTERM)
                try:
                    worker.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(worker.pid, signal.SIGKILL)
        if self.mock is not None:
            self.mock.terminate()
            self.mock.wait(timeout=10)
        if self.engine is not None:
            self.engine.dispose()
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)'))
        Redis.from_url(REDIS_URL).flushdb()

    # -- observation -----------------------------------------------------------------------

    def scalar(self, sql: str) -> Any:
        with self.engine.connect() as conn:
            return conn.execute(text(sql)).scalar()

    def mock_get(self, path: str) -> Any:
        response = requests.get(f"{self.mock_url}/_control{path}", timeout=60)
        response.raise_for_status()
        return response.json()


def drive(app: Any, names: tuple[str, ...]) -> None:
    """Enqueue the tasks once (one job per task and second: workers pick them up)."""
    from incident_bridge.jobs.runner import enqueue

    settings = app.extensions["incident_bridge"].settings
    for name in names:
        enqueue(settings, name)


def wait_for(
    run: Run, app: Any, names: tuple[str, ...], done: Any, kill_at: float | None, timeout: float
) -> float:
    """Drive the tasks until ``done()``; SIGKILL worker 0 once ``done`` reports ``kill_at`` progress."""
    started = time.monotonic()
    killed = False
    while time.monotonic() - started < timeout:
        progress = done()
        if progress >= 1.0:
            return time.monotonic() - started
        if kill_at is not None and not killed and progress >= kill_at:
            run.kill_worker(0)
            killed = True
        drive(app, names)
        time.sleep(1.0)
    log(f"timed out after {timeout:.0f} s")
    return time.monotonic() - started


def approve(app: Any, count: int) -> list[str]:
    """Route, draft and approve a reply for ``count`` incidents, as the pages would."""
    from sqlalchemy import select

    from incident_bridge.domain.model import DraftKind
    from incident_bridge.persistence.models import Incident, Subdivision, User
    from incident_bridge.services import workflow
    from incident_bridge.services.actors import actor_for

    with app.app_context():
        state = app.extensions["incident_bridge"]
        session, uow, ctx = state.session(), state.unit_of_work(), state.context
        operator = actor_for(session.scalar(select(User).where(User.login == "operator")))
        executor_user = session.scalar(select(User).where(User.login == "zhkh"))
        executor = actor_for(executor_user)
        sub = session.get(Subdivision, executor_user.subdivision_id)
        ids = list(
            session.scalars(
                select(Incident.id)
                .where(Incident.status == "new")
                .order_by(Incident.id)
                .limit(count)
            )
        )
        externals = []
        for n, incident_id in enumerate(ids, 1):
            now = datetime.now(UTC)
            workflow.route(uow, ctx, incident_id, operator, sub.id, now=now)
            incident = session.get(Incident, incident_id)
            text_ = f"Здравствуйте! По обращению № {incident.number}: работы выполним до 30 ноября."
            workflow.submit_draft(uow, ctx, incident_id, executor, DraftKind.ANSWER, text_, now=now)
            workflow.approve(
                uow, ctx, incident_id, operator, now=now, override_reason="Нагрузочный прогон"
            )
            externals.append(incident.external_id)
            if n % 500 == 0:
                log(f"approved {n}/{len(ids)}")
        session.remove()
        return externals


def ingest_ratio(run: Run, rows: int) -> tuple[float, float, float]:
    """Ingest throughput of the bridge vs a plain bulk insert of the same rows (same PostgreSQL)."""
    from adapters import HttpIncidentSystem
    from incident_bridge.host import create_app
    from incident_bridge.services import ingest

    requests.put(f"{run.mock_url}/_control/faults", json={}, timeout=10).raise_for_status()
    system = HttpIncidentSystem(
        run.mock_url, client_id=CLIENT, client_secret=CLIENT, timeout=(2, 30)
    )
    pages, cursor = [], None
    while sum(len(p.cards) for p in pages) < rows:
        page = system.fetch_changes(cursor, 500)
        pages.append(page)
        cursor = page.next_cursor
        if not page.has_more:
            break
    cards = [c for p in pages for c in p.cards][:rows]
    scratch = f"{run.db_name}_ingest"
    scratch_url = PG_ADMIN.rsplit("/", 1)[0] + f"/{scratch}"
    with run.admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{scratch}"'))
    try:
        env_backup = os.environ.get("DATABASE_URL")
        app = create_app({"SQLALCHEMY_DATABASE_URI": scratch_url, "SECRET_KEY": "x"})
        import flask_migrate

        from incident_bridge.domain.model import IncidentPage
        from incident_bridge.extension import MIGRATIONS_DIR

        with app.app_context():
            flask_migrate.upgrade(directory=MIGRATIONS_DIR)
            state = app.extensions["incident_bridge"]
            uow, ctx = state.unit_of_work(), state.context
            started = time.perf_counter()
            for i in range(0, len(cards), 200):
                with uow:
                    ingest.ingest_page(
                        uow,
                        ctx,
                        IncidentPage(tuple(cards[i : i + 200]), (), None, False),
                        datetime.now(UTC),
                    )
            ours = time.perf_counter() - started
            engine = app.extensions["incident_bridge"].db.engine
            with engine.begin() as conn:
                conn.execute(
                    text(
                        "CREATE TABLE bulk_copy (external_id text, number text, text text, "
                        "author text, platform text, municipality text, topic_group text, topic text, "
                        "importance text, revision bigint, created_at timestamptz)"
                    )
                )
            values = [{"e": c.external_id, "n": c.number, "t": c.text, "a": c.author.name, "p": c.platform.value,
                       "m": c.municipality, "g": c.topic_group, "o": c.topic, "i": c.importance.value,
                       "r": c.revision, "c": c.created_at} for c in cards]  # fmt: skip
            started = time.perf_counter()
            with engine.begin() as conn:
                conn.execute(
                    text(
                        "INSERT INTO bulk_copy VALUES (:e, :n, :t, :a, :p, :m, :g, :o, :i, :r, :c)"
                    ),
                    values,
                )
            bulk = time.perf_counter() - started
            engine.dispose()
        if env_backup is not None:
            os.environ["DATABASE_URL"] = env_backup
    finally:
        with run.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)'))
    return len(cards) / ours, len(cards) / bulk, (len(cards) / ours) / (len(cards) / bulk)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--incidents", type=int, default=10_000)
    parser.add_argument("--replies", type=int, default=2_000)
    parser.add_argument("--page-size", type=int, default=200)
    parser.add_argument("--timeout", type=float, default=1800.0, help="per phase, seconds")
    args = parser.parse_args()
    try:
        Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
        create_engine(PG_ADMIN).connect().close()
    except Exception as exc:  # a benchmark that cannot run says why and stops
        print(f"PostgreSQL and Redis are needed: {exc}", file=sys.stderr)
        return 2

    run = Run(args.incidents, args.page_size)
    for key, value in run.env.items():
        if key.startswith(("INCIDENT_BRIDGE_", "DATABASE_URL", "SECRET_KEY")):
            os.environ[key] = value
    from incident_bridge.host import create_app

    try:
        log(
            f"mock with {args.incidents} incidents, ~30 % faults; two workers; PostgreSQL {run.db_name}"
        )
        run.start()
        app = create_app()
        total = args.incidents

        def stored() -> float:
            return run.scalar("SELECT count(DISTINCT external_id) FROM ib_incident") / total

        ingest_s = wait_for(run, app, ("poll",), stored, kill_at=0.4, timeout=args.timeout)
        log(f"ingest: {run.scalar('SELECT count(*) FROM ib_incident')} stored in {ingest_s:.0f} s")
        externals = approve(app, args.replies)
        log(f"approved {len(externals)} replies")

        def delivered() -> float:
            pending = run.scalar("SELECT count(*) FROM ib_outbox WHERE state = 'pending'")
            return 1.0 - pending / max(1, len(externals))

        push_s = wait_for(run, app, ("push", "poll"), delivered, kill_at=0.5, timeout=args.timeout)
        log(f"delivery finished in {push_s:.0f} s")

        listing = run.mock_get("/incidents")
        mock_ids = {x["id"] for x in listing}
        with run.engine.connect() as conn:
            stored_rows = conn.execute(text("SELECT external_id FROM ib_incident")).scalars().all()
        stored_ids = set(stored_rows)
        pushed = run.mock_get("/pushed")["replies"]
        replied = {r["incident_id"] for r in pushed}
        stats = run.mock_get("/stats")
        ours, bulk, ratio = ingest_ratio(run, min(2000, args.incidents))
        result = {
            "incidents_in_mock": len(mock_ids),
            "stored": len(stored_rows),
            "lost": len(mock_ids - stored_ids),
            "duplicated": len(stored_rows) - len(stored_ids),
            "replies_approved": len(externals),
            "replies_delivered": len(replied & set(externals)),
            "duplicate_effects": stats.get("duplicate_effects", 0),
            "ingest_s": round(ingest_s, 1),
            "delivery_s": round(push_s, 1),
            "catch_up_s": round(ingest_s + push_s, 1),
            "ingest_ratio_vs_bulk_insert": round(ratio, 4),
        }
        needs = run.scalar("SELECT count(*) FROM ib_outbox WHERE state = 'needs_attention'")
        quarantined = run.scalar("SELECT count(*) FROM ib_quarantine WHERE resolved_at IS NULL")
        print(
            f"incidents in mock: {result['incidents_in_mock']}; stored: {result['stored']}; "
            f"lost: {result['lost']}; duplicated: {result['duplicated']}"
        )
        print(
            f"replies approved: {result['replies_approved']}; delivered: {result['replies_delivered']}; "
            f"needing attention: {needs}; duplicate effects: {result['duplicate_effects']}"
        )
        print(f"still quarantined: {quarantined}; faults injected: {stats.get('faults_injected')}")
        with run.engine.connect() as conn:
            for row in conn.execute(
                text(
                    "SELECT last_error, count(*) FROM ib_outbox WHERE state = 'needs_attention' GROUP BY 1"
                )
            ):
                print(f"  needs attention: {row[1]} × {row[0]}")
            for row in conn.execute(
                text(
                    "SELECT external_id IS NULL, attempts, left(reason, 80), count(*) FROM ib_quarantine "
                    "WHERE resolved_at IS NULL GROUP BY 1, 2, 3"
                )
            ):
                print(f"  quarantined: no id={row[0]} attempts={row[1]} × {row[3]}: {row[2]}")
        print(
            f"catch-up: ingest {ingest_s:.1f} s + delivery {push_s:.1f} s (two workers, SIGKILLed twice)"
        )
        print(
            f"ingest: {ours:.0f} incidents/s vs bulk insert {bulk:.0f} rows/s -> ratio {ratio:.4f}"
        )
        print(json.dumps(result))
        return 0
    finally:
        run.stop()


if __name__ == "__main__":
    raise SystemExit(main())
