"""What the benchmarks share: a fresh PostgreSQL database, the mock, the bridge's app, people, bulk data.

Not a benchmark itself. Every benchmark creates its own database (dropped at the
end, even after an error), starts the real mock incident system as a subprocess
on loopback when it needs one, and builds the reference app on that database
with the bridge's own migrations.

``bulk_open_incidents`` fills a database with many open incidents quickly and
still exactly as the bridge stores them: a few hundred template incidents go
through the real use cases (ingest, route, submit a draft), then their rows —
incident, history, drafts — are copied with fresh ids, numbers and times by
PostgreSQL's COPY.
"""

from __future__ import annotations

import json
import os
import random
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import requests
from sqlalchemy import JSON, Table, create_engine, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PG_ADMIN = os.environ.get("BENCH_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
#: The mock's credentials for the bridge.
CLIENT = "bench"
#: Passes the password policy (12+ characters, zxcvbn score 3+).
PASSWORD = "Proverka-Elets-2026"
OPERATOR = "operator"
#: One executor per subdivision, in the order of ``SUBDIVISIONS``.
EXECUTORS = ("zhkh", "dorogi", "transport", "obrazovanie")
SUBDIVISIONS = (
    "Управление ЖКХ",
    "Управление дорожного хозяйства и благоустройства",
    "Отдел транспорта и связи",
    "Управление образования",
)
DRAFTS = (
    "Здравствуйте! По Вашему обращению № {number} сообщаем: специалисты выедут на место "
    "до конца недели, работы будут выполнены до 30 ноября.",
    "Добрый день! Ваше обращение № {number} рассмотрено. Ремонт включён в план работ "
    "текущего месяца, о выполнении сообщим дополнительно.",
    "Здравствуйте! Благодарим за обращение № {number}. Управляющей организации поручено "
    "устранить нарушение в течение трёх рабочих дней.",
)


def log(message: str) -> None:
    """A progress line with the time, flushed at once."""
    print(f"[{datetime.now():%H:%M:%S}] {message}", flush=True)


@dataclass
class Phases:
    """Wall time of each phase of a run, printed as it ends."""

    seconds: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        log(f"{name} …")
        try:
            yield
        finally:
            self.seconds[name] = time.perf_counter() - started
            log(f"{name}: {self.seconds[name]:.1f} s")

    def summary(self) -> str:
        """One line: every phase and its seconds."""
        return "phases: " + ", ".join(f"{k} {v:.1f} s" for k, v in self.seconds.items())


def free_port() -> int:
    """A TCP port free on loopback right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def unreachable(*, redis: bool = False) -> str | None:
    """Why the services a benchmark needs do not answer, or None when they do."""
    try:
        create_engine(PG_ADMIN).connect().close()
        if redis:
            from redis import Redis

            Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except Exception as exc:  # a benchmark that cannot run says why and stops
        return f"PostgreSQL{' and Redis' if redis else ''} needed ({PG_ADMIN}, {REDIS_URL}): {exc}"
    return None


@contextmanager
def fresh_database(prefix: str, *, copy_of: str | None = None) -> Iterator[str]:
    """Create a PostgreSQL database; yield its SQLAlchemy URL; drop it afterwards.

    Empty, or with ``copy_of`` (a URL) an exact copy of that database, which must
    have no open connections at that moment.
    """
    name = f"ib_{prefix}_{uuid.uuid4().hex[:8]}"
    template = f' TEMPLATE "{copy_of.rsplit("/", 1)[1]}"' if copy_of else ""
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"{template}'))
    try:
        yield PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


class Mock:
    """The real mock incident system, a subprocess serving on loopback."""

    def __init__(self, url: str, process: subprocess.Popen[bytes]) -> None:
        self.url = url
        self.process = process

    def control(self, method: str, path: str, **kwargs: Any) -> Any:
        """Call the control API (``/_control…``) and return its JSON."""
        response = requests.request(method, f"{self.url}/_control{path}", timeout=120, **kwargs)
        response.raise_for_status()
        return response.json()

    def system(self) -> Any:
        """A fresh HTTP adapter on the mock, as the bridge builds it."""
        from adapters import HttpIncidentSystem

        return HttpIncidentSystem(self.url, client_id=CLIENT, client_secret=CLIENT, timeout=(3, 60))


@contextmanager
def mock_server(count: int, *, seed: int = 1) -> Iterator[Mock]:
    """Start ``python -m mocks`` with ``count`` generated incidents; stop it afterwards."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "mocks", "--port", str(port), "--count", str(count),
         "--seed", str(seed), "--client-id", CLIENT, "--client-secret", CLIENT],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    mock = Mock(f"http://127.0.0.1:{port}", process)
    try:
        deadline = time.monotonic() + 300
        while True:
            try:
                mock.control("GET", "/stats")
                break
            except requests.RequestException:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the mock incident system did not start") from None
                time.sleep(0.2)
        yield mock
    finally:
        process.terminate()
        process.wait(timeout=20)


def config(db_url: str, **extra: Any) -> dict[str, Any]:
    """The reference app's settings for a benchmark: its database, no jobs of its own."""
    return {
        "SQLALCHEMY_DATABASE_URI": db_url,
        "SECRET_KEY": "benchmark",
        "INCIDENT_BRIDGE_RUN_JOBS_IN_PROCESS": False,
        **extra,
    }


def bridge_app(db_url: str, *, migrate: bool = True, **extra: Any) -> Any:
    """The reference app on ``db_url``, migrated; its per-card log lines go to /dev/null.

    The logs are still formatted (their cost is the product's), only not printed.
    """
    import logging

    import flask_migrate

    from incident_bridge.extension import MIGRATIONS_DIR
    from incident_bridge.host import create_app

    app = create_app(config(db_url, **extra))
    for handler in logging.getLogger("incident_bridge").handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(open(os.devnull, "w"))  # noqa: SIM115 - lives as long as the app
    if migrate:
        with app.app_context():
            flask_migrate.upgrade(directory=MIGRATIONS_DIR)
    return app


def engine_of(app: Any) -> Any:
    """The app's SQLAlchemy engine (usable outside an app context)."""
    with app.app_context():
        return app.extensions["incident_bridge"].db.engine


def add_people(app: Any, now: datetime) -> None:
    """Subdivisions, one operator and one executor per subdivision, all with ``PASSWORD``."""
    from incident_bridge.domain.workflow import Role
    from incident_bridge.services import directory

    with app.app_context():
        uow = app.extensions["incident_bridge"].unit_of_work()
        directory.create_user(uow, login=OPERATOR, full_name="Никитина Елена Станиславовна",
                              password=PASSWORD, role=Role.OPERATOR, subdivision_id=None, now=now)  # fmt: skip
        for login, name in zip(EXECUTORS, SUBDIVISIONS, strict=True):
            sub = directory.create_subdivision(uow, name)
            directory.create_user(uow, login=login, full_name=f"Исполнитель {login}",
                                  password=PASSWORD, role=Role.EXECUTOR, subdivision_id=sub.id,
                                  now=now)  # fmt: skip
        app.extensions["incident_bridge"].session().remove()


def actors(app: Any) -> tuple[Any, dict[int, Any]]:
    """The operator's actor and each subdivision's executor actor (by subdivision id)."""
    from sqlalchemy import select

    from incident_bridge.persistence.models import User
    from incident_bridge.services.actors import actor_for

    session = app.extensions["incident_bridge"].session()
    operator = actor_for(session.scalar(select(User).where(User.login == OPERATOR)))
    executors = {}
    for user in session.scalars(select(User).where(User.login.in_(EXECUTORS))):
        executors[user.subdivision_id] = actor_for(user)
    return operator, executors


def mock_cards(count: int, now: datetime, *, seed: int = 1) -> list[Any]:
    """``count`` cards of the mock's generator as the adapter parses them (no HTTP)."""
    from adapters.wire import parse_record
    from incident_bridge.domain.model import IncidentCard
    from mocks.state import MockState

    state = MockState(seed=seed, clock=lambda: now)
    cards = [parse_record(data) for data in state.seed(count, seed)]
    return [c for c in cards if isinstance(c, IncidentCard)]


def process(
    app: Any,
    incident_ids: list[int],
    *,
    rng: random.Random,
    route_at: datetime,
    draft_at: datetime,
    approve_at: datetime | None = None,
    routed_share: float = 1.0,
    drafted_share: float = 1.0,
) -> dict[str, int]:
    """Take incidents through the real use cases, as the pages do: route, submit a draft, approve.

    ``routed_share`` of them are routed, ``drafted_share`` of those get a submitted
    draft, and with ``approve_at`` the drafts are approved (a reply goes to the outbox).
    """
    from incident_bridge.domain.model import DraftKind
    from incident_bridge.persistence.models import Incident
    from incident_bridge.services import workflow

    counts = {"routed": 0, "drafted": 0, "approved": 0}
    with app.app_context():
        state = app.extensions["incident_bridge"]
        session, uow, ctx = state.session(), state.unit_of_work(), state.context
        operator, executors = actors(app)
        subdivisions = sorted(executors)
        for n, incident_id in enumerate(incident_ids, 1):
            if n % 500 == 0:
                log(f"  {n}/{len(incident_ids)} taken through the use cases")
            if rng.random() >= routed_share:
                continue
            sub = subdivisions[incident_id % len(subdivisions)]
            workflow.route(uow, ctx, incident_id, operator, sub, now=route_at)
            counts["routed"] += 1
            if rng.random() >= drafted_share:
                continue
            number = session.get(Incident, incident_id).number
            reply = rng.choice(DRAFTS).format(number=number)
            workflow.submit_draft(uow, ctx, incident_id, executors[sub], DraftKind.ANSWER, reply,
                                  now=draft_at)  # fmt: skip
            counts["drafted"] += 1
            if approve_at is not None:
                workflow.approve(uow, ctx, incident_id, operator, now=approve_at,
                                 override_reason="Нагрузочный прогон")  # fmt: skip
                counts["approved"] += 1
        session.remove()
    return counts


def _process_chunk(
    db_url: str, incident_ids: list[int], seed: int, kwargs: dict[str, Any]
) -> dict[str, int]:
    app = bridge_app(db_url, migrate=False)
    return process(app, incident_ids, rng=random.Random(seed), **kwargs)


def process_in_parallel(
    db_url: str, incident_ids: list[int], *, processes: int = 2, seed: int = 1, **kwargs: Any
) -> dict[str, int]:
    """``process`` split over ``processes`` processes of their own (the use cases are CPU-bound)."""
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    chunks = [incident_ids[i::processes] for i in range(processes)]
    with ProcessPoolExecutor(processes, mp_context=get_context("spawn")) as pool:
        futures = [pool.submit(_process_chunk, db_url, chunk, seed + i, kwargs)
                   for i, chunk in enumerate(chunks)]  # fmt: skip
        total: dict[str, int] = {}
        for future in futures:
            for key, value in future.result().items():
                total[key] = total.get(key, 0) + value
    return total


def ingest_cards(app: Any, cards: list[Any], now: datetime) -> list[int]:
    """Store cards as the poll task does (ingest, 500 a transaction, then screening); their ids."""
    from incident_bridge.domain.model import IncidentPage
    from incident_bridge.services import ingest

    ids: list[int] = []
    with app.app_context():
        state = app.extensions["incident_bridge"]
        uow, ctx = state.unit_of_work(), state.context
        for start in range(0, len(cards), 500):
            page = IncidentPage(tuple(cards[start : start + 500]), (), None, False)
            with uow:
                ids += ingest.ingest_page(uow, ctx, page, now).incident_ids
        try:
            from incident_bridge.services.screening import screen_pending
        except ImportError:  # screening still inside the ingest
            pass
        else:  # the poll task screens the new messages right after storing them
            screen_pending(uow, ctx, now)
        state.session().remove()
    return ids


# -- many open incidents, fast -------------------------------------------------------------

#: Template incidents taken through the real use cases before they are copied.
TEMPLATES = 400


def bulk_open_incidents(
    app: Any, count: int, now: datetime, *, seed: int = 5, templates: int = TEMPLATES
) -> dict[str, int]:
    """Fill the app's (empty, migrated, with people) database with ``count`` open incidents.

    Templates: ``templates`` of the mock's cards arrive through the bridge's ingest
    3 h before ``now``; 40 % are routed 2.5 h before, half of those get a submitted
    draft 40 min before (history, drafts, check reports and stored deadlines are the
    bridge's own). Each copy takes a template's rows with a new id, number and
    external id, every time moved back by 0–3 weeks and up to 2 hours (the stored
    deadline with them, so some are stale and the next refresh moves them).
    Returns the number of incidents per status.
    """
    rng = random.Random(seed)
    start = now - timedelta(hours=3)
    templates = min(templates, count)
    cards = mock_cards(templates, start - timedelta(minutes=5), seed=seed)
    ids = ingest_cards(app, cards, start)
    routed = process(app, ids, rng=rng, route_at=now - timedelta(minutes=150),
                     draft_at=now - timedelta(minutes=40), routed_share=0.4, drafted_share=0.5)  # fmt: skip
    log(f"  {len(ids)} templates: {routed['routed']} routed, {routed['drafted']} with a draft")
    with engine_of(app).begin() as conn:
        copy_templates(conn.connection.driver_connection, count - len(ids), rng)
    with engine_of(app).begin() as conn:
        conn.execute(text("ANALYZE"))  # as autovacuum would, before anyone reads the tables
        rows = conn.execute(text("SELECT status, count(*) FROM ib_incident GROUP BY 1 ORDER BY 1"))
        return {status: n for status, n in rows}


def _json_columns(table: Any) -> set[str]:
    return {c.name for c in table.columns if isinstance(c.type, JSON)}


def _read(cursor: Any, table: Any) -> tuple[list[str], list[dict[str, Any]]]:
    columns = [c.name for c in table.columns]
    cursor.execute(f"SELECT {', '.join(columns)} FROM {table.name} ORDER BY id")
    return columns, [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def _copy(cursor: Any, table: Any, columns: list[str], rows: Iterator[dict[str, Any]]) -> int:
    """COPY rows into ``table``; JSON columns as JSON text, everything else as psycopg adapts it."""
    json_columns = _json_columns(table)
    n = 0
    with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(
                [json.dumps(row[c]) if c in json_columns and row[c] is not None else row[c]
                 for c in columns]
            )  # fmt: skip
            n += 1
    return n


def copy_templates(connection: Any, copies: int, rng: random.Random) -> None:
    """Append ``copies`` incidents copied from those stored (with their history and drafts)."""
    from incident_bridge.persistence.models import Draft, Incident, IncidentEvent

    tables = tuple(cast(Table, m.__table__) for m in (Incident, IncidentEvent, Draft))
    with connection.cursor() as cursor:
        (inc_cols, incidents), (ev_cols, events), (dr_cols, drafts) = (
            _read(cursor, t) for t in tables
        )
        events_of: dict[int, list[dict[str, Any]]] = {}
        for event in events:
            events_of.setdefault(event["incident_id"], []).append(event)
        drafts_of: dict[int, list[dict[str, Any]]] = {}
        for draft in drafts:
            drafts_of.setdefault(draft["incident_id"], []).append(draft)
        next_id = {t.name: _max_id(cursor, t.name) + 1 for t in tables}
        number = max(int(i["number"]) for i in incidents) + 1
        new_events: list[dict[str, Any]] = []
        new_drafts: list[dict[str, Any]] = []
        new_incidents: list[dict[str, Any]] = []
        for n in range(copies):
            template = incidents[n % len(incidents)]
            back = timedelta(weeks=rng.randint(0, 3), minutes=rng.randint(0, 120))
            number += rng.randint(1, 5)
            incident = _moved(template, back)
            incident["id"] = next_id["ib_incident"]
            next_id["ib_incident"] += 1
            incident["number"] = incident["external_id"] = str(number)
            new_incidents.append(incident)
            draft_ids: dict[int, int] = {}
            for draft in drafts_of.get(template["id"], ()):
                copy = _moved(draft, back)
                copy["id"] = draft_ids[draft["id"]] = next_id["ib_draft"]
                next_id["ib_draft"] += 1
                copy["incident_id"] = incident["id"]
                copy["text"] = draft["text"].replace(template["number"], incident["number"])
                if copy.get("check_report"):
                    copy["check_report"] = {**copy["check_report"], "id": copy["id"]}
                new_drafts.append(copy)
            for event in events_of.get(template["id"], ()):
                copy = _moved(event, back)
                copy["id"] = next_id["ib_incident_event"]
                next_id["ib_incident_event"] += 1
                copy["incident_id"] = incident["id"]
                data = dict(copy["data"] or {})
                if data.get("draft_id") in draft_ids:
                    data["draft_id"] = draft_ids[data["draft_id"]]
                if isinstance(data.get("text"), str):
                    data["text"] = data["text"].replace(template["number"], incident["number"])
                copy["data"] = data
                new_events.append(copy)
            if (n + 1) % 20_000 == 0 or n + 1 == copies:
                _copy(cursor, tables[0], inc_cols, iter(new_incidents))
                _copy(cursor, tables[2], dr_cols, iter(new_drafts))
                _copy(cursor, tables[1], ev_cols, iter(new_events))
                new_incidents, new_drafts, new_events = [], [], []
                log(f"  {n + 1}/{copies} incidents copied")
        for table in tables:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f"(SELECT max(id) FROM {table.name}))"
            )


def _max_id(cursor: Any, table: str) -> int:
    cursor.execute(f"SELECT coalesce(max(id), 0) FROM {table}")
    return int(cursor.fetchone()[0])


def _moved(row: dict[str, Any], back: timedelta) -> dict[str, Any]:
    """A copy of the row with every moment moved ``back`` in time."""
    return {k: v - back if isinstance(v, datetime) else v for k, v in row.items()}


def utc_now() -> datetime:
    """Now, aware, UTC (the benchmarks pass time explicitly like the product)."""
    return datetime.now(UTC)
