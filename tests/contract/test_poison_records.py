"""Poison records among good ones never halt the sync (real mock over loopback, SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from adapters import HttpIncidentSystem
from incident_bridge.jobs.tasks import poll_incidents, screen_messages
from incident_bridge.persistence.models import Incident, JobHealth, QuarantinedRecord, SyncState

# (what, fields injected through the mock's control API, the field the reason names)
POISON = [
    ("post link of 1,001+ characters", {"post_url": "https://vk.com/wall-1_1?" + "x" * 1000}, "post_url"),
    ("topic of 400 characters", {"topic": "Т" * 400}, "topic"),
    ("NUL in the text", {"text": "Яма\x00 у дома 5"}, "text"),
    ("a bell in the author's name", {"author": {"name": "Иван\x07", "profile_url": None}}, "author"),
    ("created in the year 2999", {"created_at": "2999-01-01T09:00:00+00:00"}, "created_at"),
]  # fmt: skip
UNICODE = "Яма 🕳️ у дома\u200f — «ул. Ленина» ✅ \u200e№ 5"


@pytest.fixture
def bridge(app: Any, mock: Any) -> Any:
    """The bridge app wired to the mock with the real HTTP adapter."""
    state = app.extensions["incident_bridge"]
    state.system_factory = lambda settings: HttpIncidentSystem(
        mock.url, client_id="bridge", client_secret="secret", timeout=(2, 5)
    )
    state._system = None
    return app


def _run(app: Any) -> dict[str, Any]:
    with app.app_context():
        return poll_incidents()


def _rows(app: Any, model: Any) -> list[Any]:
    with app.app_context():
        session = app.extensions["incident_bridge"].session()
        rows = list(session.scalars(select(model)))
        for row in rows:
            session.expunge(row)
        return rows


def test_poison_records_are_quarantined_and_the_rest_goes_on(bridge: Any, mock: Any) -> None:
    bad_ids = [mock.post("/incidents", {"id": f"POISON-{n}", **fields})["id"]
               for n, (_, fields, _) in enumerate(POISON)]  # fmt: skip
    fine = mock.post("/incidents", {"id": "UNICODE-1", "text": UNICODE})["id"]
    first = _run(bridge)
    assert first["quarantined"] == len(POISON)
    stored = {i.external_id: i for i in _rows(bridge, Incident)}
    assert len(stored) == 30 + 1  # every good one, the emoji and RTL marks included
    assert stored[fine].text == UNICODE
    reasons = {q.external_id: q.reason for q in _rows(bridge, QuarantinedRecord)}
    for ident, (what, _, field) in zip(bad_ids, POISON, strict=True):
        assert field in reasons[ident], what
        assert len(reasons[ident]) < 500
    [state] = _rows(bridge, SyncState)
    assert state.last_error is None and state.cursor

    # The cursor moved on: an incident created later arrives with the next poll.
    later = mock.post("/incidents", {"id": "LATER-1"})["id"]
    second = _run(bridge)
    assert second["created"] == 1
    assert later in {i.external_id for i in _rows(bridge, Incident)}
    health = {h.job: h for h in _rows(bridge, JobHealth)}["poll"]
    assert (health.job, health.consecutive_failures, health.failing_since) == ("poll", 0, None)


def test_emoji_and_rtl_marks_survive_a_round_trip_of_the_page(bridge: Any, mock: Any) -> None:
    mock.post("/incidents", {"id": "U-2", "text": UNICODE, "author": {"name": "Аня 🌸"}})
    _run(bridge)
    with bridge.app_context():
        session = bridge.extensions["incident_bridge"].session()
        row = session.scalar(select(Incident).where(Incident.external_id == "U-2"))
        assert (row.text, row.author_name) == (UNICODE, "Аня 🌸")


def test_the_job_stays_healthy_and_time_is_recorded(bridge: Any, mock: Any) -> None:
    before = datetime.now(UTC)
    _run(bridge)
    jobs = {h.job: h for h in _rows(bridge, JobHealth)}
    assert set(jobs) == {"poll"}  # screening is the checks queue's task, not the poll's
    health = jobs["poll"]
    assert health.last_success_at is not None and health.last_success_at >= before


def test_the_screen_task_reads_what_the_poll_stored_and_is_recorded(bridge: Any, mock: Any) -> None:
    mock.post("/incidents", {"id": "SCR-1", "text": "Я тебя убью, если яму не заделают."})
    stored = _run(bridge)["created"]
    assert all(i.screening is None for i in _rows(bridge, Incident))  # stored, not yet read
    with bridge.app_context():
        assert screen_messages() == {"screened": stored}
        assert screen_messages() == {"screened": 0}  # nothing read twice
    rows = {i.external_id: i for i in _rows(bridge, Incident)}
    assert all(i.screening is not None for i in rows.values())
    assert rows["SCR-1"].screening["excluded"] is True
    screen = {h.job: h for h in _rows(bridge, JobHealth)}["screen"]
    assert screen.consecutive_failures == 0 and screen.last_success_at is not None
