"""Sync: the pure ``decide``, the ``ingest_page`` shell that applies it, and the poller's cursor.

All on an in-memory unit of work; the same paths run against databases in
tests/integration/test_lifecycle.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from incident_bridge.domain.errors import TransientDeliveryError
from incident_bridge.domain.model import (
    AuthorMessage,
    Delivery,
    DraftKind,
    Feedback,
    IncidentCard,
    IncidentPage,
    Outbound,
    RejectedRecord,
)
from incident_bridge.domain.workflow import Status
from incident_bridge.persistence.models import Incident, SyncState
from incident_bridge.services import ingest, outbox, polling, workflow
from incident_bridge.services.actors import actor_for
from incident_bridge.services.context import Context
from incident_bridge.services.ingest import Decision, Verdict
from tests.fakes import FakeIncidentSystem, make_card
from tests.unit.services.fakes import Cast, FakeUnitOfWork

T = datetime(2025, 10, 30, 8, 30, tzinfo=UTC)
HOUSE = AuthorMessage("c1", "Дом 12.", T)
ENTRANCE = AuthorMessage("c2", "Подъезд 3.", T)


def card(revision: int, **fields: object) -> IncidentCard:
    return make_card(external_id="INC-7", revision=revision, **fields)


# (what is stored: revision, follow-up ids, feedback), the incoming card, the decision.
DECISIONS = {
    "a new card is created with its follow-ups": (
        (None, set(), None),
        card(3, follow_ups=(HOUSE,)),
        Decision(Verdict.CREATE, ("c1",), feedback_changed=False),
    ),
    "a new card that already has feedback": (
        (None, set(), None),
        card(3, feedback=Feedback.SATISFIED),
        Decision(Verdict.CREATE, (), feedback_changed=True),
    ),
    "the same revision is stale, whatever it says": (
        (3, set(), None),
        card(3, text="Другой текст", follow_ups=(HOUSE,)),
        Decision(Verdict.SKIP_STALE),
    ),
    "an older revision is stale": (
        (5, {"c1"}, None),
        card(4, follow_ups=(HOUSE, ENTRANCE), feedback=Feedback.NEUTRAL),
        Decision(Verdict.SKIP_STALE),
    ),
    "a newer revision updates, with only the new follow-ups": (
        (3, {"c1"}, None),
        card(4, follow_ups=(HOUSE, ENTRANCE)),
        Decision(Verdict.UPDATE, ("c2",), feedback_changed=False),
    ),
    "feedback that appears is a change": (
        (3, set(), None),
        card(4, feedback=Feedback.SATISFIED),
        Decision(Verdict.UPDATE, (), feedback_changed=True),
    ),
    "feedback that changes is a change": (
        (3, set(), "satisfied"),
        card(4, feedback=Feedback.DISSATISFIED),
        Decision(Verdict.UPDATE, (), feedback_changed=True),
    ),
    "unchanged feedback is not": (
        (3, set(), "satisfied"),
        card(4, feedback=Feedback.SATISFIED),
        Decision(Verdict.UPDATE, (), feedback_changed=False),
    ),
}


@pytest.mark.parametrize(("stored", "incoming", "expected"), DECISIONS.values(), ids=DECISIONS)
def test_decide(
    stored: tuple[int | None, set[str], str | None], incoming: IncidentCard, expected: Decision
) -> None:
    assert ingest.decide(*stored, incoming) == expected


def store(
    uow: FakeUnitOfWork,
    ctx: Context,
    now: datetime,
    *cards: IncidentCard,
    rejected: tuple[RejectedRecord, ...] = (),
    page_cursor: str | None = None,
) -> ingest.PageResult:
    with uow:
        return ingest.ingest_page(
            uow, ctx, IncidentPage(cards, rejected, None, False), now, page_cursor=page_cursor
        )


def stored(uow: FakeUnitOfWork, external_id: str) -> Incident:
    incident = uow.incidents.by_external_ids([external_id]).get(external_id)
    assert incident is not None
    return incident


def test_a_stale_revision_never_overwrites_newer_text(
    uow: FakeUnitOfWork, ctx: Context, now: datetime
) -> None:
    store(uow, ctx, now, card(5, text="Новая версия"))
    incident = stored(uow, "INC-7")

    result = store(uow, ctx, now + timedelta(minutes=5), card(3, text="Старая версия"))

    assert (result.stale, result.created, result.updated) == (1, 0, 0)
    assert (incident.text, incident.remote_revision) == ("Новая версия", 5)
    assert [e.kind for e in incident.events] == ["arrived"]

    result = store(uow, ctx, now + timedelta(minutes=10), card(6, text="Исправленная версия"))
    assert result.updated == 1 and incident.text == "Исправленная версия"
    assert incident.events[-1].kind == "updated"
    assert incident.events[-1].data["previous_revision"] == 5
    assert len(uow.incidents.rows) == 1


def test_a_follow_up_to_a_message_awaiting_its_author_sends_it_back_to_the_executor(
    uow: FakeUnitOfWork, ctx: Context, people: Cast, now: datetime
) -> None:
    operator = actor_for(people.operator)
    store(uow, ctx, now, card(1))
    incident = stored(uow, "INC-7")
    workflow.route(uow, ctx, incident.id, operator, people.roads.id, now=now)
    workflow.submit_draft(
        uow, ctx, incident.id, actor_for(people.roads_executor), DraftKind.CLARIFICATION,
        "Здравствуйте, Иван! Уточните, пожалуйста, номер дома.", now=now,
    )  # fmt: skip
    workflow.approve(uow, ctx, incident.id, operator, now=now)
    outbox.push(uow, ctx, FakeIncidentSystem(), now)
    assert (incident.status, incident.events[-1].kind) == (Status.AWAITING_AUTHOR, "delivered")

    later = now + timedelta(hours=2)
    store(uow, ctx, later, card(2, follow_ups=(HOUSE,)))

    assert incident.status is Status.ROUTED
    assert [e.kind for e in incident.events][-2:] == ["updated", "author_replied"]
    assert incident.events[-1].data == {"follow_up": "c1", "text": "Дом 12."}
    assert [(m.text, m.incident_id) for m in incident.follow_ups] == [("Дом 12.", incident.id)]
    assert incident.follow_ups[0].id is not None

    # The same follow-up seen again (a later revision) is not added twice.
    store(uow, ctx, later, card(3, follow_ups=(HOUSE,)))
    assert len(incident.follow_ups) == 1 and incident.status is Status.ROUTED


def test_a_follow_up_to_a_message_not_awaiting_its_author_is_kept_without_moving_it(
    uow: FakeUnitOfWork, ctx: Context, now: datetime
) -> None:
    store(uow, ctx, now, card(1))
    store(uow, ctx, now, card(2, follow_ups=(HOUSE,)))
    incident = stored(uow, "INC-7")
    assert incident.status is Status.NEW
    assert [m.text for m in incident.follow_ups] == ["Дом 12."]
    assert "author_replied" not in [e.kind for e in incident.events]


def test_a_rejected_record_is_quarantined_once_and_settled_by_a_valid_card(
    uow: FakeUnitOfWork, ctx: Context, now: datetime
) -> None:
    first = RejectedRecord("INC-7", '{"id": "INC-7"}', "нет поля text")
    result = store(uow, ctx, now, rejected=(first,))
    assert result.quarantined == 1
    [record] = uow.quarantine.rows
    assert (record.external_id, record.reason, record.resolved_at) == (
        "INC-7",
        "нет поля text",
        None,
    )

    again = RejectedRecord("INC-7", '{"id": "INC-7", "text": null}', "поле text пусто")
    store(uow, ctx, now + timedelta(minutes=5), rejected=(again,))
    assert uow.quarantine.rows == [record]
    assert (record.raw, record.reason) == (again.raw, "поле text пусто")

    settled_at = now + timedelta(minutes=10)
    store(uow, ctx, settled_at, card(2))
    assert record.resolved_at == settled_at
    assert stored(uow, "INC-7").status is Status.NEW
    assert uow.quarantine.waiting_for_incident("fetch", "INC-7") is None


def test_an_unreadable_record_waits_once_per_page(
    uow: FakeUnitOfWork, ctx: Context, now: datetime
) -> None:
    unreadable = RejectedRecord(None, "{oops", "не JSON")
    store(uow, ctx, now, make_card(), rejected=(unreadable,), page_cursor="p-1")
    store(uow, ctx, now, rejected=(unreadable,), page_cursor="p-1")
    [record] = uow.quarantine.rows
    assert (record.page_cursor, record.page_span) == ("p-1", 2)


def test_the_same_garbage_on_two_pages_waits_for_each_page(
    uow: FakeUnitOfWork, ctx: Context, now: datetime
) -> None:
    """Unreadable records carry no id, and garbage repeats («42», null): a record of page
    p-2 that looks like one of p-1 is still its own page's, or p-2 is never read again."""
    garbage = RejectedRecord(None, "42", "record is not a JSON object")
    store(uow, ctx, now, make_card(), rejected=(garbage,), page_cursor="p-1")
    store(uow, ctx, now, make_card(), rejected=(garbage,), page_cursor="p-2")
    waiting = sorted((r.page_cursor, r.page_span) for r in uow.quarantine.rows)
    assert waiting == [("p-1", 2), ("p-2", 2)]
    # Read again from p-1 and settled, that page's record leaves p-2's waiting.
    first = next(r for r in uow.quarantine.rows if r.page_cursor == "p-1")
    first.resolved_at, first.resolution = now, "settled"
    store(uow, ctx, now, rejected=(garbage,), page_cursor="p-3")
    assert {r.page_cursor for r in uow.quarantine.rows if r.resolved_at is None} == {"p-2", "p-3"}


@dataclass
class ScriptedSystem:
    """An incident system that serves a fixed script of pages and failures, recording cursors."""

    script: list[IncidentPage | Exception]
    asked: list[str | None] = field(default_factory=list)

    def fetch_changes(self, cursor: str | None, limit: int = 100) -> IncidentPage:
        self.asked.append(cursor)
        step = self.script.pop(0)
        if isinstance(step, Exception):
            raise step
        return step

    def fetch_incident(self, external_id: str) -> IncidentPage:
        raise AssertionError("the poller does not fetch single incidents")

    def deliver(self, outbound: Outbound) -> Delivery:
        raise AssertionError("the poller does not deliver")

    def ping(self) -> bool:
        return True


def page(*cards: IncidentCard, next_cursor: str | None, has_more: bool) -> IncidentPage:
    return IncidentPage(cards, (), next_cursor, has_more)


def sync_state(uow: FakeUnitOfWork) -> SyncState:
    state = uow.sync_states.get(polling.DEFAULT_SYSTEM)
    assert state is not None
    return state


def test_the_cursor_advances_with_each_stored_page_and_not_past_a_failure(
    uow: FakeUnitOfWork, ctx: Context, now: datetime
) -> None:
    a, b = make_card(), make_card()
    system = ScriptedSystem(
        [page(a, next_cursor="c1", has_more=True), TransientDeliveryError("timeout")]
    )
    with pytest.raises(TransientDeliveryError):
        polling.poll(uow, ctx, system, now)

    state = sync_state(uow)
    assert (state.cursor, state.overlap_cursor) == ("c1", "")
    assert set(uow.incidents.by_external_ids([a.external_id, b.external_id])) == {a.external_id}


class _BrokenCalendars:
    """Calendars that fail: storing any new card (its deadlines) raises."""

    def known_at(self, rows: object, known_at: object) -> object:
        raise RuntimeError("календарь не загрузился")


def test_a_page_that_fails_to_store_does_not_move_the_cursor(
    uow: FakeUnitOfWork, ctx: Context, now: datetime
) -> None:
    a = make_card()
    broken = Context(ctx.profile, _BrokenCalendars(), ctx.checker)  # type: ignore[arg-type]
    with pytest.raises(RuntimeError, match="календарь"):
        polling.poll(uow, broken, ScriptedSystem([page(a, next_cursor="c1", has_more=False)]), now)
    assert sync_state(uow).cursor is None and uow.incidents.rows == []

    system = ScriptedSystem([page(a, next_cursor="c1", has_more=False)])
    polling.poll(uow, ctx, system, now)
    assert system.asked == [None]  # read again from where the stored pages ended
    assert sync_state(uow).cursor == "c1" and len(uow.incidents.rows) == 1


def test_a_failing_fetch_is_recorded_committed_and_raised(
    uow: FakeUnitOfWork, ctx: Context, now: datetime
) -> None:
    system = ScriptedSystem([TransientDeliveryError("503 Service Unavailable")])
    with pytest.raises(TransientDeliveryError, match="503"):
        polling.poll(uow, ctx, system, now)
    state = sync_state(uow)

    # Committed: a later transaction that rolls back leaves it in place.
    with pytest.raises(RuntimeError), uow:
        state.last_error = "overwritten"
        raise RuntimeError
    assert (state.last_error, state.last_error_at, state.unreachable_since) == (
        "503 Service Unavailable",
        now,
        now,
    )

    an_hour_later = now + timedelta(hours=1)
    system.script.append(TransientDeliveryError("connection refused"))
    with pytest.raises(TransientDeliveryError):
        polling.poll(uow, ctx, system, an_hour_later)
    assert (state.last_error, state.last_error_at, state.unreachable_since) == (
        "connection refused",
        an_hour_later,
        now,  # unreachable since the first failure
    )

    system.script.append(page(next_cursor="c1", has_more=False))
    polling.poll(uow, ctx, system, an_hour_later)
    assert (state.unreachable_since, state.last_success_at) == (None, an_hour_later)


def test_each_poll_starts_again_from_the_last_stored_pages_cursor(
    uow: FakeUnitOfWork, ctx: Context, now: datetime
) -> None:
    a, b = make_card(), make_card()
    system = ScriptedSystem(
        [page(a, next_cursor="c1", has_more=True), page(b, next_cursor="c2", has_more=False)]
    )
    first = polling.poll(uow, ctx, system, now)
    state = sync_state(uow)
    assert system.asked == [None, "c1"] and first.created == 2
    assert (state.cursor, state.overlap_cursor) == ("c2", "c1")

    # The system serves the last page again (it recorded a change late): nothing is stored twice.
    system.script.append(page(b, next_cursor="c2", has_more=False))
    second = polling.poll(uow, ctx, system, now + timedelta(minutes=1))
    assert system.asked[-1] == "c1"
    assert (second.created, second.stale) == (0, 1)
    assert len(uow.incidents.rows) == 2


def same(revision: int, **fields: object) -> IncidentCard:
    """Revisions of one card (``make_card`` numbers each new card anew)."""
    return card(revision, number="2025-000007", **fields)


def _ingest(uow: FakeUnitOfWork, ctx: Context, *cards: IncidentCard) -> None:
    with uow:
        ingest.ingest_page(uow, ctx, IncidentPage(cards, (), None, False), T)


def _kinds(uow: FakeUnitOfWork) -> list[str]:
    [incident] = uow.incidents.rows
    return [e.kind for e in incident.events]


def test_a_new_revision_with_nothing_visible_changed_writes_no_history(
    uow: FakeUnitOfWork, ctx: Context
) -> None:
    _ingest(uow, ctx, same(1))
    _ingest(uow, ctx, same(2, step="answered", extra={"Метка": "x"}))
    [incident] = uow.incidents.rows
    assert _kinds(uow) == ["arrived"] and incident.remote_revision == 2
    assert incident.remote_step == "answered"  # stored all the same


def test_a_visible_change_says_what_changed(uow: FakeUnitOfWork, ctx: Context) -> None:
    _ingest(uow, ctx, same(1))
    _ingest(uow, ctx, same(2, text="Новый текст", topic="Освещение"))
    [incident] = uow.incidents.rows
    entry = incident.events[-1]
    assert entry.kind == "updated" and entry.data["changed"] == ["text", "topic"]


def test_a_follow_up_without_a_clarification_request_is_its_own_entry(
    uow: FakeUnitOfWork, ctx: Context
) -> None:
    _ingest(uow, ctx, same(1))
    _ingest(uow, ctx, same(2, follow_ups=(HOUSE,)))
    [incident] = uow.incidents.rows
    assert _kinds(uow) == ["arrived", "follow_up"]
    assert incident.events[-1].comment == "Дом 12."


def test_a_record_a_person_dismissed_does_not_come_back_unless_it_changed(
    uow: FakeUnitOfWork,
) -> None:
    from incident_bridge.services import quarantine

    bad = RejectedRecord("INC-9", '{"id": "INC-9", "text": 5}', "text: должно быть строкой")
    with uow:
        quarantine.quarantine(uow, bad, T, source="fetch")
    [record] = uow.quarantine.rows
    quarantine.dismiss(uow, record.id, by="Админ", now=T)
    with uow:  # the overlap window reads the same bad record again
        quarantine.quarantine(uow, bad, T, source="fetch")
    assert len(uow.quarantine.rows) == 1
    changed = RejectedRecord("INC-9", '{"id": "INC-9", "text": 6}', "text: должно быть строкой")
    with uow:
        quarantine.quarantine(uow, changed, T, source="fetch")
    assert len(uow.quarantine.rows) == 2


def test_an_unreadable_row_imported_twice_waits_once(uow: FakeUnitOfWork) -> None:
    from incident_bridge.services import quarantine

    row = RejectedRecord(None, "export.csv, строка 7", "Дата создания: не дата")
    for _ in range(3):
        with uow:
            quarantine.quarantine(uow, row, T, source="import")
    assert len(uow.quarantine.rows) == 1
