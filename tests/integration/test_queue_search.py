"""The queue's read side on SQLite and PostgreSQL: search, sort, pages, counts, query counts,
the full-text index, and the routing suggestion's history query."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text

from incident_bridge.domain.model import Author, IncidentPage
from incident_bridge.domain.workflow import Status
from incident_bridge.extension import MIGRATIONS_DIR
from incident_bridge.persistence.models import Incident
from incident_bridge.services import directory, ingest, queries, routing, workflow
from incident_bridge.services.actors import Actor, actor_for
from incident_bridge.services.queries import QueueFilter, Sort
from tests.fakes import make_card

OPERATOR = Actor(user_id=None, role="operator", name="Оператор")


def _arrive(uow: Any, ctx: Any, now: Any, *cards: Any) -> list[Incident]:
    with uow:
        result = ingest.ingest_page(uow, ctx, IncidentPage(tuple(cards), (), None, False), now)
    return [uow.incidents.get(i) for i in result.incident_ids]


def _numbers(page: queries.QueuePage) -> list[str]:
    return [i.number for i in page.incidents]


@contextmanager
def _statements(session: Any) -> Iterator[list[tuple[str, Any]]]:
    """Every SQL statement the session's engine runs inside the block, with its parameters."""
    engine = session.get_bind()
    seen: list[tuple[str, Any]] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _search(session: Any, q: str, **flt: Any) -> list[str]:
    return sorted(_numbers(queries.queue(session, OPERATOR, QueueFilter(status=None, q=q, **flt))))


def test_the_search_expression_is_exactly_the_indexed_one() -> None:
    path = Path(MIGRATIONS_DIR) / "versions" / "a3b4c5d6e7f8_trust_on_real_inputs.py"
    spec = importlib.util.spec_from_file_location("trust_on_real_inputs", path)
    assert spec and spec.loader
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    assert queries.SEARCH_DOCUMENT == migration.SEARCH_DOCUMENT


def test_search_matches_number_author_and_text_in_any_case_cyrillic_included(
    db_session, uow, ctx, now
):
    _arrive(
        uow,
        ctx,
        now,
        make_card(number="2025-000123", text="Во дворе ЯМА у подъезда."),
        make_card(
            number="2025-001230", text="Не вывозят мусор.", author=Author("Ёлкина Мария", None)
        ),
        make_card(
            number="2025-000999", text="Скидка 100% на всё_подряд", author=Author("Пётр", None)
        ),
        make_card(number="2025-000500", text="Тишина и покой."),
    )
    assert _search(db_session, "яма") == ["2025-000123"]
    assert _search(db_session, "ЯМА") == ["2025-000123"]
    assert _search(db_session, "Яма подъезда") == ["2025-000123"]
    assert _search(db_session, "елкина") == ["2025-001230"]
    assert _search(db_session, "ЁЛКИНА мария") == ["2025-001230"]
    # A number typed exactly, and its beginning.
    assert _search(db_session, "2025-000123") == ["2025-000123"]
    assert _search(db_session, "2025-0012") == ["2025-001230"]
    # Wildcards of LIKE are plain characters: they match nothing here.
    assert "2025-000500" not in _search(db_session, "%")
    assert "2025-000500" not in _search(db_session, "_")
    assert "2025-000500" not in _search(db_session, "\\")
    assert _search(db_session, "пожар") == []


def test_postgresql_search_matches_russian_word_forms(backend, db_session, uow, ctx, now):
    if not backend.startswith("postgresql"):
        pytest.skip("SQLite has no Russian stemmer: its search is by substring")
    _arrive(
        uow,
        ctx,
        now,
        make_card(number="F-1", text="На дороге две огромные ямы."),
        make_card(number="F-2", text="Когда заделают яму у школы?"),
        make_card(number="F-3", text="Не горят фонари."),
    )
    assert _search(db_session, "яма") == ["F-1", "F-2"]
    assert _search(db_session, "фонарь") == ["F-3"]
    assert _search(db_session, "заделать ямы") == ["F-2"]


def _bulk(session: Any, rows: int) -> None:
    """``rows`` plain messages straight into the table (a region's month, without the ingest)."""
    session.execute(
        text(
            """
            INSERT INTO ib_incident (external_id, number, remote_created_at, detected_at, text,
                author_name, platform, municipality, topic_group, topic, importance, attachments,
                remote_revision, extra, status, arrived_at, updated_at, version_id)
            SELECT 'BULK-' || n, 'B-' || lpad(n::text, 6, '0'), now(), now(),
                CASE WHEN n % 500 = 0 THEN 'Яма у дома ' || n ELSE 'Не горит фонарь у дома ' || n END,
                'Житель ' || n, 'vk', 'Елец', 'ЖКХ', 'Освещение', 'normal', '[]', 1, '{}',
                'new', now(), now(), 1
            FROM generate_series(1, :rows) AS n
            """
        ),
        {"rows": rows},
    )
    session.commit()
    session.execute(text("ANALYZE ib_incident"))


@pytest.mark.parametrize("q", ["яма", "B-000123"])
def test_postgresql_search_uses_the_full_text_index(backend, db_session, q):
    if not backend.startswith("postgresql"):
        pytest.skip("the full-text index is PostgreSQL's")
    _bulk(db_session, 5000)
    with _statements(db_session) as seen:
        page = queries.queue(db_session, OPERATOR, QueueFilter(q=q))
    assert page.total == (10 if q == "яма" else 1)
    searching = [(s, p) for s, p in seen if "to_tsvector" in s]
    assert len(searching) == 2  # the counts and the rows
    connection = db_session.connection()
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    for statement, parameters in searching:
        assert queries.SEARCH_DOCUMENT + " @@ websearch_to_tsquery('russian', " in statement
        plan = "\n".join(
            row[0] for row in connection.exec_driver_sql("EXPLAIN " + statement, parameters)
        )
        assert "ix_ib_incident_search" in plan, plan
        # The document is looked up in the index, never computed row by row.
        assert "Filter: (to_tsvector" not in plan, plan
    db_session.rollback()


def test_due_sort_nearest_first_no_deadline_last_and_reversed(db_session, uow, ctx, now):
    incidents = _arrive(uow, ctx, now, *(make_card(number=f"D-{n}") for n in range(4)))
    with uow:
        for offset, incident in zip((3, 1, None, 2), incidents, strict=True):
            incident.due_at = None if offset is None else now + timedelta(hours=offset)
    with _statements(db_session) as seen:
        page = queries.queue(db_session, OPERATOR, QueueFilter())
    assert _numbers(page) == ["D-1", "D-3", "D-0", "D-2"]
    rows_sql = next(s for s, _ in seen if "ORDER BY" in s).split("ORDER BY")[1]
    assert "IS NULL" not in rows_sql and "NULLS LAST" in rows_sql
    reverse = queries.queue(db_session, OPERATOR, QueueFilter(descending=True))
    assert _numbers(reverse) == ["D-2", "D-0", "D-3", "D-1"]


def test_sort_by_number_and_arrival(db_session, uow, ctx, now):
    _arrive(uow, ctx, now, make_card(number="N-2"))
    _arrive(uow, ctx, now + timedelta(minutes=1), make_card(number="N-3"))
    _arrive(uow, ctx, now + timedelta(minutes=2), make_card(number="N-1"))
    by = {
        flt: _numbers(
            queries.queue(db_session, OPERATOR, QueueFilter(sort=flt[0], descending=flt[1]))
        )
        for flt in [
            (Sort.NUMBER, False),
            (Sort.NUMBER, True),
            (Sort.CREATED, True),
            (Sort.CREATED, False),
        ]
    }
    assert by[(Sort.NUMBER, False)] == ["N-1", "N-2", "N-3"]
    assert by[(Sort.NUMBER, True)] == ["N-3", "N-2", "N-1"]
    assert by[(Sort.CREATED, True)] == ["N-1", "N-3", "N-2"]
    assert by[(Sort.CREATED, False)] == ["N-2", "N-3", "N-1"]


def test_pages_cover_every_row_once_even_with_equal_deadlines(db_session, uow, ctx, now):
    incidents = _arrive(uow, ctx, now, *(make_card(number=f"P-{n:03d}") for n in range(23)))
    with uow:
        for incident in incidents:
            incident.due_at = now  # one due time for all: the id must break the ties
    seen: list[str] = []
    for number in (1, 2, 3):
        page = queries.queue(db_session, OPERATOR, QueueFilter(page=number), page_size=10)
        assert (page.page, page.pages, page.total) == (number, 3, 23)
        seen += _numbers(page)
    assert sorted(seen) == sorted(i.number for i in incidents)
    last = queries.queue(db_session, OPERATOR, QueueFilter(page=3), page_size=10)
    assert (last.first, last.last) == (21, 23)
    beyond = queries.queue(db_session, OPERATOR, QueueFilter(page=10**9), page_size=10)
    assert beyond.page == 3


def test_counts_per_state_follow_the_other_filters_and_who_is_looking(
    db_session, uow, ctx, now, people
):
    from incident_bridge.domain.model import Platform

    incidents = _arrive(
        uow,
        ctx,
        now,
        *(make_card(number=f"C-{n}", platform=Platform.VK) for n in range(4)),
        make_card(number="C-OK", platform=Platform.OK),
    )
    operator = actor_for(people["operator"])
    for incident in incidents[:2]:
        workflow.route(uow, ctx, incident.id, operator, people["roads"].id, now=now)
    workflow.route(uow, ctx, incidents[4].id, operator, people["housing"].id, now=now)

    with _statements(db_session) as seen:
        page = queries.queue(db_session, OPERATOR, QueueFilter())
    assert sum("GROUP BY" in s for s, _ in seen) == 1
    assert page.counts.by_status == {Status.NEW: 2, Status.ROUTED: 3}
    assert (page.counts.open, page.counts.all, page.total) == (5, 5, 5)

    vk = queries.queue(db_session, OPERATOR, QueueFilter(platform="vk", status="routed"))
    assert vk.counts.by_status == {Status.NEW: 2, Status.ROUTED: 2} and vk.total == 2

    roads = queries.queue(db_session, actor_for(people["roads_executor"]), QueueFilter())
    assert roads.counts.by_status == {Status.ROUTED: 2}
    assert sorted(_numbers(roads)) == ["C-0", "C-1"]
    # An executor cannot look at another subdivision by asking for it.
    asked = queries.parse_filter(
        {"subdivision": str(people["housing"].id)}, actor_for(people["roads_executor"])
    )
    assert asked.filter.subdivision_id is None


@pytest.mark.parametrize("rows", [5, 50])
def test_queries_per_page_do_not_grow_with_the_rows(db_session, uow, ctx, now, people, rows):
    """5 rows or 50: the same statements (counts, rows, their history, the overrides)."""
    incidents = _arrive(uow, ctx, now, *(make_card(number=f"R-{n:03d}") for n in range(rows)))
    operator = actor_for(people["operator"])
    for incident in incidents[: rows // 2]:
        workflow.route(uow, ctx, incident.id, operator, people["roads"].id, now=now)
    db_session.expire_all()
    with _statements(db_session) as seen:
        page = queries.queue(db_session, OPERATOR, QueueFilter(status=None))
        shown = queries.with_headline_clock(db_session, ctx, page.incidents, now)
        names = [i.subdivision.name if i.subdivision else None for i, _ in shown]
    assert len(shown) == rows and names.count("Управление дорожного хозяйства") == rows // 2
    assert len(seen) == 4, [s for s, _ in seen]


def test_the_history_query_picks_the_active_subdivision_most_often_chosen(
    db_session, uow, ctx, now, people
):
    operator = actor_for(people["operator"])
    earlier = _arrive(uow, ctx, now, *(make_card(topic="Отопление") for _ in range(5)))
    for incident, subdivision in zip(
        earlier, ("housing", "housing", "roads", "roads", "roads"), strict=True
    ):
        workflow.route(uow, ctx, incident.id, operator, people[subdivision].id, now=now)
    (fresh,) = _arrive(uow, ctx, now, make_card(topic="Отопление"))

    with _statements(db_session) as seen:
        suggestion = routing.suggest(uow, fresh)
    assert suggestion is not None
    assert (suggestion.subdivision_id, suggestion.basis) == (
        people["roads"].id,
        routing.Basis.HISTORY,
    )
    assert len(seen) == 3  # the message's own history (who declined it), the topic rule, one aggregate

    with uow:
        uow.people.subdivision(people["roads"].id).active = False
    suggestion = routing.suggest(uow, fresh)
    assert suggestion is not None and suggestion.subdivision_id == people["housing"].id

    routing.add_topic_route(
        uow, topic="ОТОПЛЕНИЕ", subdivision_id=people["housing"].id, by="Админ", now=now
    )
    suggestion = routing.suggest(uow, fresh)
    assert suggestion is not None and suggestion.basis is routing.Basis.TOPIC_RULE


def test_mine_is_the_executors_current_drafts(db_session, uow, ctx, now, people):
    from incident_bridge.domain.model import DraftKind

    colleague = directory.create_user(
        uow,
        login="roads2",
        full_name="Коллега",
        password="Proverka-Elets-2026",
        role="executor",
        subdivision_id=people["roads"].id,
        now=now,
    )
    incidents = _arrive(uow, ctx, now, *(make_card(number=f"M-{n}") for n in range(3)))
    operator, me = actor_for(people["operator"]), actor_for(people["roads_executor"])
    for incident in incidents:
        workflow.route(uow, ctx, incident.id, operator, people["roads"].id, now=now)
    workflow.save_draft(uow, ctx, incidents[0].id, me, DraftKind.ANSWER, "Мой.", now=now)
    workflow.save_draft(uow, ctx, incidents[1].id, me, DraftKind.ANSWER, "Мой.", now=now)
    workflow.save_draft(
        uow, ctx, incidents[1].id, actor_for(colleague), DraftKind.ANSWER, "Теперь её.", now=now
    )
    page = queries.queue(db_session, me, QueueFilter(mine=True))
    assert _numbers(page) == ["M-0"]
    assert queries.queue(db_session, actor_for(colleague), QueueFilter(mine=True)).total == 1
