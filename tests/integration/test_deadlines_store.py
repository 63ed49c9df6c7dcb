"""The deadlines job's reads and writes on SQLite and PostgreSQL: the stored nearest due
time is the one the clocks show, whatever was stored before; what the periodic run reads."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from incident_bridge.domain.deadlines import next_due
from incident_bridge.domain.model import IncidentPage
from incident_bridge.services import deadlines, ingest, workflow
from incident_bridge.services.actors import actor_for
from tests.fakes import make_card


@pytest.mark.parametrize("side_writer", [False, True], ids=["one-connection", "side-writer"])
def test_a_full_run_stores_what_the_clocks_show_and_the_periodic_run_reads_the_near_ones(
    app: Any,
    db_session: Any,
    uow: Any,
    ctx: Any,
    now: Any,
    people: dict[str, Any],
    side_writer: bool,
) -> None:
    """As the job runs it: on PostgreSQL with its writes from a second thread (``side-writer``;
    SQLite has none and runs on one connection either way)."""
    state = app.extensions["incident_bridge"]
    with state.side_unit_of_work() as writer:
        _full_run_then_periodic(db_session, uow, ctx, now, people, writer if side_writer else None)


def _full_run_then_periodic(
    db_session: Any, uow: Any, ctx: Any, now: Any, people: dict[str, Any], writer: Any
) -> None:
    cards = [
        make_card(number=f"DL-{n}", created_at=at, detected_at=at)
        for n, at in enumerate(now - timedelta(minutes=10 * n) for n in range(6))
    ]
    with uow:
        ids = ingest.ingest_page(
            uow, ctx, IncidentPage(tuple(cards), (), None, False), now
        ).incident_ids
    operator = actor_for(people["operator"])
    workflow.route(uow, ctx, ids[0], operator, people["roads"].id, now=now)
    workflow.route(uow, ctx, ids[1], operator, people["roads"].id, now=now)
    shown = {}
    with uow:
        overrides = uow.calendar.overrides()
        for incident_id in ids:
            incident = uow.incidents.get(incident_id)
            shown[incident_id] = next_due(deadlines.clocks(ctx, incident, now, overrides))
        # Stored values gone wrong: far off, missing, in the past.
        uow.incidents.set_due(
            {ids[0]: now + timedelta(days=40), ids[1]: None, ids[2]: now - timedelta(days=3)}
        )
    with uow:
        stored = {t.incident_id: t.due_at for t in uow.incidents.timelines(ids)}
    assert stored[ids[0]] == now + timedelta(days=40) and stored[ids[1]] is None

    assert deadlines.refresh_open(uow, ctx, now, window=None, batch=2, writer=writer) == len(ids)
    with uow:
        stored = {t.incident_id: t.due_at for t in uow.incidents.timelines(ids)}
        versions = {i: uow.incidents.get(i).version_id for i in ids}
    assert stored == shown and all(due is not None for due in stored.values())
    # The periodic run, a minute after the first deadline: the missing one and those due in
    # the next two hours are read; the one just passed is not (time alone does not move it).
    later = min(shown.values()) + timedelta(minutes=1)
    with uow:
        uow.incidents.set_due({ids[4]: None})
    near = {i for i in ids if later <= shown[i] < later + timedelta(hours=2)}
    assert len(near - {ids[4]}) >= 2
    assert deadlines.refresh_open(uow, ctx, later, window=timedelta(hours=2), writer=writer) == len(
        near | {ids[4]}
    )
    with uow:
        assert {t.incident_id: t.due_at for t in uow.incidents.timelines(ids)} == shown
        # A computed value: writing it is not a new version of the message.
        assert {i: uow.incidents.get(i).version_id for i in ids} == versions


def test_a_due_time_computed_before_a_change_is_not_written_over_it(
    db_session: Any, uow: Any, ctx: Any, now: Any, people: dict[str, Any]
) -> None:
    """The job reads a batch, a person routes one of its messages, the job writes: the
    routing's own deadline stays (the job's was computed from the older history)."""
    with uow:
        page = IncidentPage((make_card(created_at=now, detected_at=now),), (), None, False)
        (incident_id,) = ingest.ingest_page(uow, ctx, page, now).incident_ids
    with uow:
        (read,) = uow.incidents.timelines([incident_id])
    stale = now + timedelta(days=9)
    workflow.route(
        uow, ctx, incident_id, actor_for(people["operator"]), people["roads"].id, now=now
    )
    with uow:
        routed = uow.incidents.get(incident_id).due_at
        assert uow.incidents.set_due({incident_id: stale}, {incident_id: read.version}) == 0
    with uow:
        assert uow.incidents.get(incident_id).due_at == routed != stale
        (current,) = uow.incidents.timelines([incident_id])
        assert uow.incidents.set_due({incident_id: stale}, {incident_id: current.version}) == 1
