"""A real rq worker SIGKILLed in the middle of delivering a reply: nothing lost, nothing doubled."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests
from redis import Redis
from sqlalchemy import select
from werkzeug.serving import make_server

from incident_bridge.domain.model import DraftKind
from incident_bridge.jobs import runner
from incident_bridge.persistence.models import Incident, OutboxMessage
from incident_bridge.services import polling, workflow
from incident_bridge.services.actors import actor_for
from mocks import create_app as create_mock
from tests.conftest import (
    REDIS_URL,
    clean,
    make_app,
    make_people,
    migrate,
    redis_available,
    require,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def mock_server() -> Any:
    app = create_mock(
        {"MOCK_COUNT": 3, "MOCK_SEED": 4, "MOCK_CLIENT_ID": "k", "MOCK_CLIENT_SECRET": "k"}
    )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)
    server.server_close()


def _worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "bridge", "worker"],
                            cwd=ROOT, env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip


def _wait(predicate: Any, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_worker_killed_mid_delivery_loses_and_doubles_nothing(postgres_url, mock_server, tmp_path):
    require("Redis", redis_available(), REDIS_URL)
    Redis.from_url(REDIS_URL).flushdb()
    config = {
        "INCIDENT_BRIDGE_REDIS_URL": REDIS_URL, "INCIDENT_BRIDGE_INCIDENT_API_URL": mock_server,
        "INCIDENT_BRIDGE_INCIDENT_CLIENT_ID": "k", "INCIDENT_BRIDGE_INCIDENT_CLIENT_SECRET": "k",
        "INCIDENT_BRIDGE_INCIDENT_TIMEOUT": [2.0, 10.0], "INCIDENT_BRIDGE_LOCK_TIMEOUT": 3,
        "INCIDENT_BRIDGE_PUSH_INTERVAL": 1, "INCIDENT_BRIDGE_QUEUE_NAME": "ib-sigkill",
    }  # fmt: skip
    app = make_app(postgres_url, tmp_path, **config)
    migrate(app)
    clean(app)
    people = make_people(app, datetime.now(UTC))
    with app.app_context():
        state = app.extensions["incident_bridge"]
        session, uow, ctx = state.session(), state.unit_of_work(), state.context
        system = state.incident_system()
        now = datetime.now(UTC)
        polling.poll(uow, ctx, system, now)
        incident = session.scalars(select(Incident)).first()
        operator, executor = actor_for(people["operator"]), actor_for(people["roads_executor"])
        workflow.route(uow, ctx, incident.id, operator, people["roads"].id, now=now)
        workflow.submit_draft(
            uow, ctx, incident.id, executor, DraftKind.ANSWER, "Здравствуйте! Сделаем.", now=now
        )
        workflow.approve(uow, ctx, incident.id, operator, now=now, override_reason="тест")
        session.remove()
    # The mock stores the reply, then hangs for 6 s before answering: the worker dies in between.
    requests.put(
        f"{mock_server}/_control/faults",
        json={
            "replies": {
                "timeout_rate": 1.0,
                "timeout_seconds": 6.0,
                "after_effect": True,
                "limit": 1,
            }
        },
        timeout=5,
    )
    env = {
        **os.environ,
        "DATABASE_URL": postgres_url,
        "SECRET_KEY": "t",
        **{
            k: str(v) if not isinstance(v, list) else str(v).replace("'", '"')
            for k, v in config.items()
        },
    }
    worker = _worker(env)
    try:
        runner.enqueue(app.extensions["incident_bridge"].settings, "push")
        assert _wait(
            lambda: (
                len(requests.get(f"{mock_server}/_control/pushed", timeout=5).json()["replies"])
                == 1
            ),
            60,
        )
        os.killpg(
            worker.pid, signal.SIGKILL
        )  # mid-job: the effect is stored, our row is not yet "sent"
        worker.wait()
        with app.app_context():
            session = app.extensions["incident_bridge"].session()
            assert session.scalars(select(OutboxMessage)).one().state == "pending"
            session.remove()
        worker = _worker(env)

        def delivered() -> bool:
            runner.enqueue(app.extensions["incident_bridge"].settings, "push")
            with app.app_context():
                session = app.extensions["incident_bridge"].session()
                state = session.scalars(select(OutboxMessage)).one().state
                session.remove()
            return state == "sent"

        assert _wait(delivered, 60)
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()
        Redis.from_url(REDIS_URL).flushdb()
        with app.app_context():
            app.extensions["incident_bridge"].db.engine.dispose()
    stats = requests.get(f"{mock_server}/_control/stats", timeout=5).json()
    assert len(requests.get(f"{mock_server}/_control/pushed", timeout=5).json()["replies"]) == 1
    assert stats["duplicate_effects"] == 0
