"""The queue an operator can work, over HTTP: pages, counts per state, sorting, search, «Мои»,
the route form's suggestion and the admin's topic rules."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event, select

from incident_bridge.domain.model import DraftKind
from incident_bridge.domain.workflow import Status
from incident_bridge.persistence.models import Incident, TopicRoute
from incident_bridge.services import directory, polling, workflow
from incident_bridge.services.actors import actor_for
from tests.fakes import make_card

NBSP = "\u00a0"


def _arrive(app: Any, fake_system: Any, *cards: Any) -> list[Incident]:
    """Bring ``cards`` in through the poller; the stored incidents, detached, in card order."""
    for card in cards:
        fake_system.add(card)
    with app.app_context():
        state = app.extensions["incident_bridge"]
        session = state.session()
        polling.poll(state.unit_of_work(), state.context, fake_system, datetime.now(UTC))
        numbers = [card.number for card in cards]
        found = {
            i.number: i
            for i in session.scalars(select(Incident).where(Incident.number.in_(numbers)))
        }
        session.expunge_all()
        return [found[n] for n in numbers]


def _route(
    app: Any, incidents: list[Incident], subdivision: Any, operator: Any, assignee: Any = None
) -> None:
    with app.app_context():
        state = app.extensions["incident_bridge"]
        for incident in incidents:
            workflow.route(
                state.unit_of_work(),
                state.context,
                incident.id,
                actor_for(operator),
                subdivision.id,
                now=datetime.now(UTC),
                assignee_id=assignee.id if assignee is not None else None,
            )
        state.db.session.remove()


def _save_draft(app: Any, incident: Incident, executor: Any, text: str = "Черновик.") -> None:
    with app.app_context():
        state = app.extensions["incident_bridge"]
        workflow.save_draft(
            state.unit_of_work(),
            state.context,
            incident.id,
            actor_for(executor),
            DraftKind.ANSWER,
            text,
            now=datetime.now(UTC),
        )
        state.db.session.remove()


def _numbers(page: str) -> list[str]:
    """The incident numbers of the queue's rows, top to bottom."""
    return re.findall(r'<tr data-incident="\d+" data-number="([^"]+)"', page)


def _link(page: str, rel: str) -> str:
    match = re.search(rf'<a rel="{rel}" href="([^"]+)"', page)
    assert match, f"no {rel} link"
    return match.group(1).replace("&amp;", "&")


def _sort_link(page: str, column: str) -> str:
    match = re.search(rf'data-sort="{column}" href="([^"]+)"', page)
    assert match
    return match.group(1).replace("&amp;", "&")


def test_a_new_yelets_message_is_headlined_with_its_routing_clock(
    browser, people, app, fake_system
):
    _arrive(app, fake_system, make_card(number="HEAD-1"))
    browser.login("operator")
    page = browser.get("/").get_data(as_text=True)
    row = page[page.index('data-number="HEAD-1"') :].split("</tr>")[0]
    due = row[row.index('class="due"') :].split("</td>")[0]
    # The current step of a new message is routing (1 wh), not the redirect decision (30 wmin),
    # even though the redirect clock is due sooner.
    assert "Направление исполнителю — до" in due
    assert "Перенаправление" not in due


def test_pages_of_fifty_with_the_total_and_links_that_keep_the_filters(
    browser, people, app, fake_system
):
    cards = [make_card(number=f"2025-{n:06d}", text=f"Яма номер {n}") for n in range(1, 56)]
    _arrive(app, fake_system, *cards)
    browser.login("operator")

    page = browser.get("/?q=Яма&sort=number").get_data(as_text=True)
    assert "Показаны 1–50 из 55" in page
    assert _numbers(page)[:2] == ["2025-000001", "2025-000002"]
    assert len(_numbers(page)) == 50
    next_url = _link(page, "next")
    assert "page=2" in next_url and "sort=number" in next_url and "q=" in next_url

    page = browser.get(next_url).get_data(as_text=True)
    assert "Показаны 51–55 из 55" in page
    assert _numbers(page) == [f"2025-{n:06d}" for n in range(51, 56)]
    assert "Страница 2 из 2" in page
    previous = _link(page, "prev")
    assert "page=2" not in previous and "sort=number" in previous

    # Past the last page: the last page, not an empty one or an error.
    page = browser.get("/?q=Яма&sort=number&page=9").get_data(as_text=True)
    assert "Показаны 51–55 из 55" in page


def test_thousands_are_grouped_in_the_russian_way(browser, people, app):
    from incident_bridge.web.queue import _thousands

    assert _thousands(1234) == f"1{NBSP}234"
    assert _thousands(100000) == f"100{NBSP}000"


def test_state_tabs_count_the_messages_under_the_other_filters(browser, people, app, fake_system):
    from incident_bridge.domain.model import Platform

    incidents = _arrive(
        app,
        fake_system,
        *(make_card(number=f"T-{n}", platform=Platform.VK) for n in range(5)),
        make_card(number="T-OK", platform=Platform.OK),
    )
    _route(app, incidents[:2], people["roads"], people["operator"])
    browser.login("operator")
    page = browser.get("/").get_data(as_text=True)
    assert "Новые (4)" in page
    assert "У исполнителя (2)" in page
    assert "Все в работе (6)" in page
    assert "Закрытые (0)" in page

    page = browser.get("/?platform=vk").get_data(as_text=True)
    assert "Новые (3)" in page and "Все в работе (5)" in page

    # A tab keeps the other filters and shows its state only.
    tab = re.search(r'href="([^"]+)"\s+class="[^"]*"\s+data-status="routed"', page)
    assert tab
    url = tab.group(1).replace("&amp;", "&")
    assert "platform=vk" in url and "status=routed" in url
    page = browser.get(url).get_data(as_text=True)
    assert sorted(_numbers(page)) == ["T-0", "T-1"]
    assert 'aria-current="page"' in page


def test_sorting_by_number_and_arrival_toggles_and_keeps_the_filters(
    browser, people, app, fake_system
):
    _arrive(app, fake_system, make_card(number="2025-000002"))
    _arrive(app, fake_system, make_card(number="2025-000003"))
    _arrive(app, fake_system, make_card(number="2025-000001"))
    browser.login("operator")

    page = browser.get("/?platform=vk").get_data(as_text=True)
    by_number = _sort_link(page, "number")
    assert "sort=number" in by_number and "platform=vk" in by_number
    page = browser.get(by_number).get_data(as_text=True)
    assert _numbers(page) == ["2025-000001", "2025-000002", "2025-000003"]

    page = browser.get(_sort_link(page, "number")).get_data(as_text=True)  # toggled
    assert _numbers(page) == ["2025-000003", "2025-000002", "2025-000001"]
    assert 'aria-sort="descending"' in page

    page = browser.get("/?sort=created").get_data(as_text=True)  # newest arrival first
    assert _numbers(page) == ["2025-000001", "2025-000003", "2025-000002"]


def test_search_by_text_author_and_number_in_any_case(browser, people, app, fake_system):
    from incident_bridge.domain.model import Author

    _arrive(
        app,
        fake_system,
        make_card(number="2025-000777", text="Во дворе ЯМА, машины ломаются."),
        make_card(
            number="2025-000778", text="Не горит фонарь.", author=Author("Ёлкина Мария", None)
        ),
        make_card(number="2025-000779", text="Скидка 100% на всё_подряд"),
    )
    browser.login("operator")
    assert _numbers(browser.get("/?q=яма").get_data(as_text=True)) == ["2025-000777"]
    assert _numbers(browser.get("/?q=елкина").get_data(as_text=True)) == ["2025-000778"]
    assert _numbers(browser.get("/?q=2025-000778").get_data(as_text=True)) == ["2025-000778"]
    page = browser.get("/?q=пожар").get_data(as_text=True)
    assert _numbers(page) == [] and "Ничего не найдено по запросу «пожар»" in page


def test_like_wildcards_in_the_query_are_plain_characters(browser, people, app, fake_system):
    _arrive(app, fake_system, make_card(number="W-1", text="Скидка 100% на всё_подряд"))
    _arrive(app, fake_system, make_card(number="W-2", text="Обычный текст"))
    browser.login("operator")
    # On SQLite "%" and "_" would match anything unescaped; on PostgreSQL they are no words.
    assert "W-2" not in _numbers(browser.get("/?q=%25").get_data(as_text=True))
    assert "W-2" not in _numbers(browser.get("/?q=_").get_data(as_text=True))


def test_the_query_is_shown_back_escaped(browser, people, app, fake_system):
    browser.login("operator")
    page = browser.get("/?q=<script>alert(1)</script>").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page


def test_bad_parameters_are_ignored_with_a_russian_note_never_an_error(
    browser, people, app, fake_system
):
    _arrive(app, fake_system, make_card(number="OK-1"))
    browser.login("operator")
    for query, note in [
        ("status=sleeping", "Неизвестное состояние"),
        ("subdivision=abc", "Неизвестное подразделение"),
        ("subdivision=99999999999999999999", "Неизвестное подразделение"),
        ("platform=myspace", "Неизвестная площадка"),
        ("sort=evil()", "Неизвестная сортировка"),
        ("dir=sideways", "Неизвестное направление"),
        ("page=-3", "Неверный номер страницы"),
        ("page=abc", "Неверный номер страницы"),
        ("q=ok-1" + " я" * 300, "сокращён"),
    ]:
        response = browser.get(f"/?{query}")
        assert response.status_code == 200, query
        page = response.get_data(as_text=True)
        assert note in page, query
        assert "OK-1" in _numbers(page), query
    for query in ("page=" + "9" * 40, "q=%00", "q=%00яма", "mine=yes", "subdivision=0"):
        assert browser.get(f"/?{query}").status_code == 200, query


def test_executors_mine_is_the_messages_in_their_charge_or_whose_current_draft_they_wrote(
    browser, people, app, fake_system, now
):
    with app.app_context():
        state = app.extensions["incident_bridge"]
        colleague = directory.create_user(
            state.unit_of_work(),
            login="roads2",
            full_name="Коллега",
            password="Proverka-Elets-2026",
            role="executor",
            subdivision_id=people["roads"].id,
            now=now,
        )
        state.db.session.refresh(colleague)
        state.db.session.expunge(colleague)
    mine, theirs, nobodys, charged = _arrive(
        app,
        fake_system,
        *(make_card(number=f"M-{n}") for n in range(1, 5)),
    )
    # The colleague is in charge of the first three; the fourth is in roads's charge.
    _route(app, [mine, theirs, nobodys], people["roads"], people["operator"], colleague)
    _route(app, [charged], people["roads"], people["operator"], people["roads_executor"])
    _save_draft(app, mine, people["roads_executor"])
    _save_draft(app, theirs, people["roads_executor"])
    _save_draft(app, theirs, colleague)  # the colleague took the draft over

    browser.login("roads")
    page = browser.get("/").get_data(as_text=True)
    assert sorted(_numbers(page)) == ["M-1", "M-2", "M-3", "M-4"]
    assert "текущий проект ответа пишете вы" in page
    page = browser.get("/?mine=1").get_data(as_text=True)
    assert sorted(_numbers(page)) == ["M-1", "M-4"]
    assert "У исполнителя (2)" in page


def test_queries_per_page_do_not_grow_with_the_rows(browser, people, app, fake_system):
    def page_queries() -> int:
        with app.app_context():
            engine = app.extensions["incident_bridge"].db.engine
        statements: list[str] = []

        def count(conn, cursor, statement, parameters, context, executemany):
            statements.append(statement)

        event.listen(engine, "before_cursor_execute", count)
        try:
            response = browser.get("/?status=")
        finally:
            event.remove(engine, "before_cursor_execute", count)
        assert response.status_code == 200
        return len(statements)

    browser.login("operator")
    first = _arrive(app, fake_system, *(make_card(number=f"Q-{n:03d}") for n in range(5)))
    _route(app, first[:2], people["roads"], people["operator"])
    _save_draft(app, first[0], people["roads_executor"])
    with_five = page_queries()
    assert len(_numbers(browser.last_page)) == 5
    more = _arrive(app, fake_system, *(make_card(number=f"Q-{n:03d}") for n in range(5, 60)))
    _route(app, more[:20], people["housing"], people["operator"])
    with_fifty = page_queries()
    assert len(_numbers(browser.last_page)) == 50
    assert with_fifty == with_five, (with_five, with_fifty)
    print(f"queries per queue page: {with_five} with 5 rows, {with_fifty} with 50")


# -- the route form's suggestion ----------------------------------------------------------------


def _add_rule(app: Any, topic: str, subdivision: Any) -> None:
    with app.app_context():
        session = app.extensions["incident_bridge"].session()
        session.add(
            TopicRoute(
                topic=topic,
                subdivision_id=subdivision.id,
                added_by="Тест",
                added_at=datetime.now(UTC),
            )
        )
        session.commit()
        session.close()


def _selected(page: str) -> str | None:
    form = page[page.index('id="form-route"') :].split("</form>")[0]
    match = re.search(r'<option selected value="([^"]*)"|<option value="([^"]*)" selected', form)
    return (match.group(1) or match.group(2) or None) if match else None


def test_route_form_preselects_the_topic_rules_subdivision_and_says_why(
    browser, people, app, fake_system
):
    _add_rule(app, "ямы на дорогах", people["roads"])
    (incident,) = _arrive(app, fake_system, make_card(topic="Ямы на Дорогах"))
    browser.login("operator")
    page = browser.get(f"/incidents/{incident.id}").get_data(as_text=True)
    assert _selected(page) == str(people["roads"].id)
    assert "Предложено: по правилу для темы «Ямы на Дорогах»" in page


def test_route_form_suggests_the_subdivision_most_often_chosen_for_the_topic(
    browser, people, app, fake_system
):
    earlier = _arrive(
        app, fake_system, *(make_card(topic="Отопление", number=f"H-{n}") for n in range(3))
    )
    _route(app, earlier[:2], people["housing"], people["operator"])
    _route(app, earlier[2:], people["roads"], people["operator"])
    (incident,) = _arrive(app, fake_system, make_card(topic="Отопление"))
    browser.login("operator")
    page = browser.get(f"/incidents/{incident.id}").get_data(as_text=True)
    assert _selected(page) == str(people["housing"].id)
    assert "это подразделение чаще всего выбирали для этой темы" in page


def test_without_a_reason_nothing_is_preselected_and_an_empty_choice_is_refused(
    browser, people, app, fake_system
):
    (incident,) = _arrive(app, fake_system, make_card(topic="Совсем новая тема"))
    page_url = f"/incidents/{incident.id}"
    browser.login("operator")
    page = browser.get(page_url).get_data(as_text=True)
    assert _selected(page) is None
    assert 'value="">— выберите подразделение —</option>' in page
    assert re.search(r'<select[^>]*name="subdivision"[^>]*required', page)
    version = re.search(r'name="version"[^>]*value="(\d+)"', page) or re.search(
        r'value="(\d+)"[^>]*name="version"', page
    )
    assert version
    response = browser.submit(
        page_url, f"{page_url}/route", {"subdivision": "", "version": version.group(1)}
    )
    assert "Выберите подразделение-исполнителя из списка" in response.get_data(as_text=True)
    with app.app_context():
        session = app.extensions["incident_bridge"].session()
        assert session.get(Incident, incident.id).status is Status.NEW
        session.close()


# -- the admin's topic rules --------------------------------------------------------------------


@contextmanager
def _admin(app: Any) -> Iterator[Any]:
    from tests.functional.conftest import Browser

    admin = Browser(app.test_client())
    admin.login("admin")
    yield admin


def test_topic_rules_page_is_for_admins_only(browser, people, app):
    browser.login("operator")
    assert browser.get("/admin/topics/").status_code == 403
    with _admin(app) as admin:
        assert 'href="/admin/topics/"' in admin.get("/admin/").get_data(as_text=True)
        assert admin.get("/admin/topics/").status_code == 200


def test_admin_adds_and_removes_a_topic_rule_attributed(browser, people, app, fake_system):
    _arrive(app, fake_system, make_card(topic="Уборка снега"))
    with _admin(app) as admin:
        page = admin.get("/admin/topics/").get_data(as_text=True)
        assert '<option value="Уборка снега">' in page  # known topics to pick from
        response = admin.submit(
            "/admin/topics/",
            "/admin/topics/",
            {"topic": "  Уборка  СНЕГА ", "subdivision": people["housing"].id},
        )
        page = response.get_data(as_text=True)
        assert "Правило для темы «уборка снега» добавлено" in page
        assert "Управление ЖКХ" in page and "Admin," in page

        again = admin.submit(
            "/admin/topics/",
            "/admin/topics/",
            {"topic": "уборка снёга", "subdivision": people["roads"].id},
        )
        assert "уже задано подразделение" in again.get_data(as_text=True)

        no_choice = admin.submit("/admin/topics/", "/admin/topics/", {"topic": "Мусор"})
        assert "Выберите подразделение из списка" in no_choice.get_data(as_text=True)

        with app.app_context():
            session = app.extensions["incident_bridge"].session()
            (rule,) = session.scalars(select(TopicRoute)).all()
            assert (rule.topic, rule.added_by) == ("уборка снега", "Admin")
            rule_id = rule.id
            session.close()

        refused = admin.client.post(f"/admin/topics/{rule_id}/remove", follow_redirects=True)
        assert "Форма устарела" in refused.get_data(as_text=True)
        removed = admin.submit("/admin/topics/", f"/admin/topics/{rule_id}/remove", {})
        assert "Правило удалено" in removed.get_data(as_text=True)
        assert "Правил нет" in removed.get_data(as_text=True)
