"""Importing parsed rows and dismissing quarantined ones, on an in-memory unit of work.

An export never overwrites a newer state: an undated row may only create; a dated
one updates only what is older; a time in the future is not believed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest

from incident_bridge.domain.errors import InvalidInput, NotFound
from incident_bridge.domain.model import IncidentCard, RejectedRecord
from incident_bridge.services import imports, quarantine
from incident_bridge.services.actors import actor_for
from incident_bridge.services.context import Context
from tests.fakes import make_card
from tests.unit.services.fakes import Cast, FakeUnitOfWork


@dataclass(frozen=True)
class Row:
    """A parsed row as the file adapter gives it."""

    row: int
    card: IncidentCard | None = None
    error: str | None = None
    dated: bool = True


def micros(moment: datetime) -> int:
    return int(moment.timestamp() * 1_000_000)


def run(uow: FakeUnitOfWork, ctx: Context, now: datetime, *rows: Row) -> list[str]:
    outcomes = imports.import_rows(uow, ctx, list(rows), now, source="export.xlsx")
    return [f"{o.status}: {o.reason}" if o.reason else o.status for o in outcomes]


def stored_text(uow: FakeUnitOfWork, external_id: str) -> str:
    return uow.incidents.by_external_ids([external_id])[external_id].text


def test_an_undated_row_creates_but_never_updates(
    uow: FakeUnitOfWork, ctx: Context, now: datetime
) -> None:
    first = make_card(external_id="I-1", revision=0, text="Первая версия")
    assert run(uow, ctx, now, Row(2, first, dated=False)) == ["created"]
    assert run(uow, ctx, now, Row(2, first, dated=False)) == ["unchanged"]  # idempotent
    edited = make_card(external_id="I-1", revision=0, text="Старая выгрузка")
    (outcome,) = run(uow, ctx, now, Row(2, edited, dated=False))
    assert outcome == f"unchanged: {imports.UNDATED}"
    assert stored_text(uow, "I-1") == "Первая версия"
    dated = make_card(external_id="I-1", revision=micros(now), text="Выгрузка с временем")
    assert run(uow, ctx, now, Row(2, dated)) == ["updated"]
    assert stored_text(uow, "I-1") == "Выгрузка с временем"


def test_an_older_dated_row_loses_to_a_newer_state(
    uow: FakeUnitOfWork, ctx: Context, now: datetime
) -> None:
    newer = make_card(external_id="I-2", revision=micros(now), text="Новее")
    older = make_card(external_id="I-2", revision=micros(now - timedelta(days=1)), text="Старее")
    run(uow, ctx, now, Row(2, newer))
    assert run(uow, ctx, now, Row(2, older)) == ["unchanged: в системе уже более новая версия"]
    assert stored_text(uow, "I-2") == "Новее"


def test_a_time_in_the_future_is_not_believed(
    uow: FakeUnitOfWork, ctx: Context, now: datetime
) -> None:
    future = make_card(external_id="I-3", revision=micros(now + timedelta(days=30)))
    assert run(uow, ctx, now, Row(2, future)) == [f"created: {imports.FUTURE}"]
    # Stored as undated, so the real, later export still wins.
    assert uow.incidents.by_external_ids(["I-3"])["I-3"].remote_revision == 0
    with pytest.raises(InvalidInput, match="позже текущего"):
        imports.check_export_time(now + timedelta(hours=1), now)
    imports.check_export_time(now + timedelta(minutes=1), now)  # a little clock drift is fine


def test_a_rejected_row_is_quarantined_with_a_bounded_reason(
    uow: FakeUnitOfWork, ctx: Context, now: datetime
) -> None:
    (outcome,) = run(uow, ctx, now, Row(7, error="«Дата создания»: " + "ж" * 100_000))
    assert outcome.startswith("rejected: «Дата создания»") and len(outcome) < 520
    (record,) = uow.quarantine.rows
    assert record.source == "import" and record.raw == "export.xlsx, строка 7"
    assert len(record.reason) <= imports.MAX_REASON


def test_a_person_dismisses_a_quarantined_record_attributed(
    uow: FakeUnitOfWork, people: Cast, now: datetime
) -> None:
    with uow:
        quarantine.quarantine(uow, RejectedRecord(None, "файл, строка 3", "пустой «Номер»"), now,
                              source="import")  # fmt: skip
        uow.flush()
    (record,) = uow.quarantine.rows
    committed = uow.committed
    later = now + timedelta(hours=1)
    quarantine.dismiss(uow, record.id, by=actor_for(people.admin), now=later)
    assert uow.committed == committed + 1
    assert (record.resolved_at, record.resolution, record.resolved_by) == (
        later, "dismissed", people.admin.full_name,
    )  # fmt: skip
    with pytest.raises(InvalidInput, match="уже убрана"):
        quarantine.dismiss(uow, record.id, by="Кто-то", now=later)
    assert record.resolved_by == people.admin.full_name
    with pytest.raises(NotFound):
        quarantine.dismiss(uow, 999, by="Кто-то", now=later)
