"""The periodic deadlines job reads only what may be stale, in batches; a full run reads everything."""

from __future__ import annotations

from datetime import datetime, timedelta

from incident_bridge.domain.model import IncidentPage
from incident_bridge.services import deadlines, ingest
from incident_bridge.services.context import Context
from tests.fakes import make_card
from tests.unit.services.fakes import FakeUnitOfWork


def _arrive(uow: FakeUnitOfWork, ctx: Context, now: datetime, count: int) -> None:
    cards = tuple(make_card(created_at=now, detected_at=now) for _ in range(count))
    with uow:
        ingest.ingest_page(uow, ctx, IncidentPage(cards, (), None, False), now)


def test_a_full_run_recomputes_every_incident_in_batches_and_writes_only_what_moved(
    uow: FakeUnitOfWork, ctx: Context, now: datetime
) -> None:
    _arrive(uow, ctx, now, 5)
    right = {i.id: i.due_at for i in uow.incidents.rows}
    stale = uow.incidents.rows[0]
    stale.due_at = now + timedelta(days=30)  # e.g. a profile changed since
    committed = uow.committed
    assert deadlines.refresh_open(uow, ctx, now, window=None, batch=2) == 5
    assert {i.id: i.due_at for i in uow.incidents.rows} == right
    assert uow.committed - committed == 1 + 3  # the ids, then three batches of at most two


def test_the_periodic_run_reads_only_deadlines_near_or_missing(
    uow: FakeUnitOfWork, ctx: Context, now: datetime
) -> None:
    _arrive(uow, ctx, now, 3)
    far, missing, near = uow.incidents.rows
    far.due_at = now + timedelta(days=10)
    missing.due_at = None
    near.due_at = now + timedelta(minutes=30)
    assert deadlines.refresh_open(uow, ctx, now, window=timedelta(hours=2)) == 2
    assert far.due_at == now + timedelta(days=10)  # not read: nothing can have moved it
    assert missing.due_at is not None
