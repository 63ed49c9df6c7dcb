"""An operator works the queue in Chromium: a state tab, a search, a sort, page 2, a refresh."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

from incident_bridge.services import polling, workflow
from incident_bridge.services.actors import actor_for
from tests.fakes import make_card


def _login(page: Any, base: str, login: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", "Proverka-Elets-2026")
    page.click("input[type=submit]")
    page.wait_for_selector("h1")


def _seed(app: Any, fake_system: Any, people: Any) -> None:
    """70 new messages about a pothole, 5 of them routed, and 5 about a street lamp."""
    for n in range(1, 71):
        fake_system.add(make_card(number=f"2025-{n:06d}", text=f"Яма у дома {n}, когда заделают?"))
    for n in range(71, 76):
        fake_system.add(make_card(number=f"2025-{n:06d}", text=f"Не горит фонарь у дома {n}."))
    with app.app_context():
        state = app.extensions["incident_bridge"]
        now = datetime.now(UTC)
        polling.poll(state.unit_of_work(), state.context, fake_system, now)
        from sqlalchemy import select

        from incident_bridge.persistence.models import Incident

        session = state.session()
        for number in ("2025-000001", "2025-000002", "2025-000003", "2025-000004", "2025-000005"):
            incident = session.scalar(select(Incident).where(Incident.number == number))
            workflow.route(
                state.unit_of_work(),
                state.context,
                incident.id,
                actor_for(people["operator"]),
                people["roads"].id,
                now=now,
            )
        state.db.session.remove()


def _numbers(page: Any) -> list[str]:
    return page.locator("#queue tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.number).filter(Boolean)"
    )


def test_operator_filters_searches_sorts_pages_and_a_refresh_keeps_it_all(
    app, live_server, page_factory, people, fake_system
):
    _seed(app, fake_system, people)
    operator = page_factory()
    operator.set_viewport_size({"width": 1280, "height": 900})
    _login(operator, live_server, "operator")
    assert "Новые (70)" in operator.inner_text("#state-tabs")
    assert "Все в работе (75)" in operator.inner_text("#state-tabs")

    operator.click("#state-tabs a[data-status=new]")
    operator.wait_for_url("**status=new**")
    operator.fill("#search", "яма")
    operator.click("#filters button[type=submit]")
    operator.wait_for_url("**q=**")
    assert "Показаны 1–50 из 65" in operator.inner_text("#summary")

    operator.click("#queue th a[data-sort=number]")
    operator.wait_for_url("**sort=number**")
    assert _numbers(operator)[:3] == ["2025-000006", "2025-000007", "2025-000008"]

    operator.click("#pager a[rel=next]")
    operator.wait_for_url("**page=2**")

    def same_queue() -> None:
        query = parse_qs(urlsplit(operator.url).query)
        assert query == {"status": ["new"], "q": ["яма"], "sort": ["number"], "page": ["2"]}
        assert "Показаны 51–65 из 65" in operator.inner_text("#summary")
        assert _numbers(operator) == [f"2025-{n:06d}" for n in range(56, 71)]
        assert operator.input_value("#search") == "яма"
        assert operator.get_attribute("#state-tabs a[data-status=new]", "aria-current") == "page"
        assert "▲" in operator.inner_text("#queue th a[data-sort=number]")

    same_queue()
    operator.reload()
    same_queue()
    operator.screenshot(path="/tmp/queue.png", full_page=True)

    operator.go_back()  # to page 1, with the same filters
    operator.wait_for_url(lambda url: "page=2" not in url)
    assert "Показаны 1–50 из 65" in operator.inner_text("#summary")
    assert operator.input_value("#search") == "яма"
    assert page_factory.dialogs == []
