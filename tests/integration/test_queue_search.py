"""The queue's read side on SQLite and PostgreSQL: search, sort, pages, counts, query counts,
the full-text index, and the routing suggestion's history query."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event, text

from incident_bridge.domain.model import Author, IncidentPage
from incident_bridge.domain.workflow import Status
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


def test_postgresql_search_follows_the_text_and_not_other_writes(
    backend, db_session, uow, ctx, now
):
    """The search document is kept by the database: a new revision of the text is searched
    at once, the old words no longer; writing the deadline leaves the document alone."""
    if not backend.startswith("postgresql"):
        pytest.skip("the search document is PostgreSQL's")
    card = make_card(number="S-1", text="Во дворе огромная яма.")
    (incident,) = _arrive(uow, ctx, now, card)
    assert _search(db_session, "ямы") == ["S-1"]
    _arrive(uow, ctx, now, replace(card, revision=2, text="Не горят фонари у школы."))
    assert _search(db_session, "ямы") == [] and _search(db_session, "фонарь") == ["S-1"]
    document = "SELECT search_document::text FROM ib_incident WHERE id = :id"
    before = db_session.execute(text(document), {"id": incident.id}).scalar_one()
    with uow:
        uow.incidents.set_due({incident.id: now + timedelta(hours=3)})
    assert db_session.execute(text(document), {"id": incident.id}).scalar_one() == before
    _arrive(
        uow,
        ctx,
        now,
        replace(card, revision=3, text="Фонари горят.", author=Author("Пётр Ямщиков", None)),
    )
    assert _search(db_session, "ямщиков") == ["S-1"]


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
    if session.get_bind().dialect.name == "postgresql":
        # What autovacuum does in a while: the new rows' index entries out of the pending list.
        session.execute(text("SELECT gin_clean_pending_list('ix_ib_incident_search')"))
    session.execute(text("ANALYZE ib_incident"))


@pytest.mark.parametrize("q", ["яма", "B-000123"])
def test_postgresql_search_uses_the_full_text_index(backend, db_session, q):
    if not backend.startswith("postgresql"):
        pytest.skip("the full-text index is PostgreSQL's")
    _bulk(db_session, 5000)
    with _statements(db_session) as seen:
        page = queries.queue(db_session, OPERATOR, QueueFilter(q=q))
    assert page.total == (10 if q == "яма" else 1)
    searching = [(s, p) for s, p in seen if queries.SEARCH_DOCUMENT in s]
    assert len(searching) == 2  # the counts and the rows
    connection = db_session.connection()
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    for statement, parameters in searching:
        assert queries.SEARCH_DOCUMENT + " @@ websearch_to_tsquery('russian', " in statement
        plan = "\n".join(
            row[0] for row in connection.exec_driver_sql("EXPLAIN " + statement, parameters)
        )
        assert "ix_ib_incident_search" in plan, plan
        # The document is looked up in the index, never read row by row.
        assert "Seq Scan on ib_incident" not in plan, plan
    db_session.rollback()


@pytest.mark.parametrize(
    ("flt", "index"),
    [
        (QueueFilter(), "ix_ib_incident_due_at"),
        (QueueFilter(descending=True), "ix_ib_incident_due_at"),
        (QueueFilter(sort=Sort.NUMBER), "ix_ib_incident_number"),
        (QueueFilter(sort=Sort.CREATED, descending=True), "ix_ib_incident_remote_created_at"),
        (QueueFilter(status="new"), "ix_ib_incident_status_due"),
        (QueueFilter(status=None, page=40), "ix_ib_incident_due_at"),
    ],
    ids=["open-by-due", "open-by-due-desc", "by-number", "by-created-desc", "new", "all-page-40"],
)
def test_postgresql_queue_pages_are_read_in_index_order(backend, db_session, flt, index):
    """A page of the queue is the first rows of an index, never a sort of the whole table."""
    if not backend.startswith("postgresql"):
        pytest.skip("the plans checked are PostgreSQL's")
    _bulk(db_session, 20_000)
    db_session.execute(
        text(
            "UPDATE ib_incident SET due_at = now() + (id % 997) * interval '1 minute',"
            " remote_created_at = now() - id * interval '1 minute',"
            " status = CASE WHEN id % 3 = 0 THEN 'closed' ELSE status END"
            " WHERE id % 50 <> 0"
        )
    )
    db_session.execute(text("ANALYZE ib_incident"))
    with _statements(db_session) as seen:
        page = queries.queue(db_session, OPERATOR, flt)
    assert len(page.incidents) == queries.PAGE_SIZE
    statement, parameters = next((s, p) for s, p in seen if "LIMIT" in s and "ORDER BY" in s)
    plan = "\n".join(
        row[0]
        for row in db_session.connection().exec_driver_sql("EXPLAIN " + statement, parameters)
    )
    assert index in plan, plan
    # The rows come in the index's order: no full scan and no sort of the table; at most
    # an incremental sort of the ties on the indexed column (the id), which stops at the limit.
    assert "Seq Scan on ib_incident" not in plan, plan
    sorts = [
        line for line in plan.splitlines() if line.strip().startswith("->  ") and "Sort" in line
    ]
    assert all("Incremental Sort" in line for line in sorts), plan
    assert plan.count("Presorted Key") == len(sorts), plan
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


def test_the_counts_kept_by_the_database_are_the_rows_counted(db_session, uow, ctx, now, people):
    """The queue's counts come from the triggers' tally: after arrivals (a bulk page),
    routing, redirects, exclusions, a change of platform and a deleted row, and after
    folding, they are what counting the rows gives, for every filter of the queue."""
    from incident_bridge.domain.model import Platform
    from incident_bridge.persistence.models import IncidentTally

    platforms = [Platform.VK, Platform.OK, Platform.TELEGRAM]
    cards = [make_card(number=f"T-{n:02d}", platform=platforms[n % 3]) for n in range(30)]
    incidents = _arrive(uow, ctx, now, *cards)
    operator = actor_for(people["operator"])
    for n, incident in enumerate(incidents[:18]):
        subdivision = people["roads" if n % 2 else "housing"]
        workflow.route(uow, ctx, incident.id, operator, subdivision.id, now=now)
    workflow.redirect(uow, ctx, incidents[20].id, operator, "Не в компетенции района", now=now)
    workflow.exclude(uow, ctx, incidents[21].id, operator, "Реклама", now=now)
    with uow:
        uow.incidents.get(incidents[22].id).platform = Platform.VK
    for table, column in (("ib_incident_event", "incident_id"), ("ib_incident", "id")):
        db_session.execute(
            text(f"DELETE FROM {table} WHERE {column} = :id"), {"id": incidents[23].id}
        )
    db_session.commit()

    def counted(**where: Any) -> dict[Status, int]:
        rows = db_session.execute(
            text(
                "SELECT status, count(*) FROM ib_incident WHERE "
                + " AND ".join([f"{k} = :{k}" for k in where] or ["true"])
                + " GROUP BY status"
            ),
            where,
        )
        return {Status(status): n for status, n in rows}

    def shown(actor: Actor = OPERATOR, **flt: Any) -> dict[Status, int]:
        return queries.queue(db_session, actor, QueueFilter(**flt)).counts.by_status

    def every_view() -> None:
        assert shown() == counted()
        assert shown(platform="ok") == counted(platform="ok")
        assert shown(subdivision_id=people["roads"].id) == counted(
            subdivision_id=people["roads"].id
        )
        housing = actor_for(people["housing_executor"])
        assert shown(housing) == counted(subdivision_id=people["housing"].id)
        roads = actor_for(people["roads_executor"])
        assert shown(roads, platform="vk") == counted(
            subdivision_id=people["roads"].id, platform="vk"
        )

    assert counted()[Status.ROUTED] == 18 and sum(counted().values()) == 29
    every_view()
    with uow:
        folded = uow.incidents.compact_tally()
    assert folded > 0
    every_view()
    keys = db_session.execute(
        text("SELECT count(DISTINCT (status, subdivision_id, platform)) FROM ib_incident")
        if db_session.get_bind().dialect.name == "postgresql"
        else text(
            "SELECT count(*) FROM (SELECT DISTINCT status, subdivision_id, platform FROM ib_incident)"
        )
    ).scalar_one()
    assert db_session.query(IncidentTally).count() == keys
    with uow:
        assert uow.incidents.compact_tally() == keys  # folding again changes nothing
    every_view()


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
    assert (
        len(seen) == 3
    )  # the message's own history (who declined it), the topic rule, one aggregate

    with uow:
        uow.people.subdivision(people["roads"].id).active = False
    suggestion = routing.suggest(uow, fresh)
    assert suggestion is not None and suggestion.subdivision_id == people["housing"].id

    routing.add_topic_route(
        uow, topic="ОТОПЛЕНИЕ", subdivision_id=people["housing"].id, by="Админ", now=now
    )
    suggestion = routing.suggest(uow, fresh)
    assert suggestion is not None and suggestion.basis is routing.Basis.TOPIC_RULE


def test_mine_is_in_the_executors_charge_or_their_current_draft(
    db_session, uow, ctx, now, people
):
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
    incidents = _arrive(uow, ctx, now, *(make_card(number=f"M-{n}") for n in range(4)))
    operator, me = actor_for(people["operator"]), actor_for(people["roads_executor"])
    # The colleague is in charge of the first three; the fourth is in my charge.
    for incident in incidents[:3]:
        workflow.route(
            uow, ctx, incident.id, operator, people["roads"].id, now=now, assignee_id=colleague.id
        )
    workflow.route(
        uow, ctx, incidents[3].id, operator, people["roads"].id, now=now, assignee_id=me.user_id
    )
    workflow.save_draft(uow, ctx, incidents[0].id, me, DraftKind.ANSWER, "Мой.", now=now)
    workflow.save_draft(uow, ctx, incidents[1].id, me, DraftKind.ANSWER, "Мой.", now=now)
    workflow.save_draft(
        uow, ctx, incidents[1].id, actor_for(colleague), DraftKind.ANSWER, "Теперь её.", now=now
    )
    page = queries.queue(db_session, me, QueueFilter(mine=True))
    assert sorted(_numbers(page)) == ["M-0", "M-3"]
    # The colleague's: all three in their charge, though M-0's current draft is mine.
    theirs = queries.queue(db_session, actor_for(colleague), QueueFilter(mine=True))
    assert sorted(_numbers(theirs)) == ["M-0", "M-1", "M-2"]
