"""Screeners side by side on PostgreSQL: each batch is claimed SKIP LOCKED, nothing is read twice."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from incident_bridge.domain.events import EventKind
from incident_bridge.domain.model import IncidentPage
from incident_bridge.persistence.models import Incident, IncidentEvent
from incident_bridge.persistence.uow import SqlAlchemyUnitOfWork
from incident_bridge.services import ingest, screening
from tests.fakes import make_card


def test_two_screeners_share_the_messages_and_screen_each_once(
    backend: str, app: Any, uow: Any, ctx: Any, now: Any
) -> None:
    if not backend.startswith("postgresql"):
        pytest.skip("SQLite has one writer at a time: one screener runs there")
    texts = ["Я тебя убью, если яму не заделают.", "Когда заделают яму у дома 12?"]
    cards = tuple(make_card(text=texts[n % 2]) for n in range(240))
    with uow:
        ingest.ingest_page(uow, ctx, IncidentPage(cards, (), None, False), now)
    with app.app_context():
        engine = app.extensions["incident_bridge"].db.engine
    counts: list[int] = []
    start = threading.Barrier(2)

    def screener() -> None:
        session = Session(engine)
        try:
            start.wait()
            counts.append(
                screening.screen_pending(SqlAlchemyUnitOfWork(session), ctx, now, batch=20)
            )
        finally:
            session.close()

    threads = [threading.Thread(target=screener) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sum(counts) == 240 and all(n > 0 for n in counts), counts  # both took a share
    with Session(engine) as session:
        assert session.scalar(select(func.count()).where(Incident.screening.is_(None))) == 0
        proposals = session.scalar(
            select(func.count()).where(IncidentEvent.kind == EventKind.SCREENING)
        )
    assert proposals == 120  # one proposal per threatening message, none doubled
