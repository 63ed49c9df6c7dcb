"""Repeat messages end to end: a repeat arrives through the poll, is linked both ways by the
screening step, shown on both pages, routed by default to the earlier body where the
regulation says so, and its answer must report the measures taken (Leningrad 8.10)."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from incident_bridge.domain.model import Author, DraftKind
from incident_bridge.domain.workflow import Status
from incident_bridge.persistence.models import Incident, IncidentEvent, RepeatLink
from incident_bridge.services import directory, polling, screening, workflow
from incident_bridge.services.actors import actor_for
from tests import conftest as shared
from tests.fakes import FakeIncidentSystem, make_card
from tests.functional.conftest import Browser

EARLIER_NUMBER = "2025-000101"
REPEAT_TEXT = (
    f"Здравствуйте! Повторно обращаюсь по инциденту № {EARLIER_NUMBER}: яма на улице Ленина "
    "у дома 12 так и не заделана, прошу принять меры."
)
WITHOUT_MEASURES = (
    "Здравствуйте, Ольга! Ваше обращение о яме на улице Ленина у дома 12 рассмотрено."
)
WITH_MEASURES = (
    "Здравствуйте, Ольга! Яму у дома 12 на улице Ленина заделают до 5 ноября, работы включены "
    "в план дорожной службы."
)
_NOW = datetime.fromisoformat("2025-10-30T09:00:00+00:00")
_SELECTED = re.compile(r'<option selected value="(\d+)">')


def _version(page: str) -> str:
    match = re.search(r'name="version"[^>]*value="(\d+)"', page)
    assert match, "no version on the page"
    return match.group(1)


class Bridge:
    """An app on one regulation with its people, a fake incident system and the clock."""

    def __init__(self, app: Flask, system: FakeIncidentSystem, now: datetime) -> None:
        self.app, self.system, self.now = app, system, now
        self.people = shared.make_people(app, now)
        profile = app.extensions["incident_bridge"].context.profile
        self.router = "operator"
        if profile.performers[workflow.Action.ROUTE].value == "curator":
            with app.app_context():
                state = app.extensions["incident_bridge"]
                directory.create_user(
                    state.unit_of_work(), login="curator", full_name="Куратор Кураторова",
                    password="Proverka-Elets-2026", role="curator", subdivision_id=None, now=now,
                )  # fmt: skip
                state.session().remove()
            self.router = "curator"

    def run(self, step: Any) -> Any:
        with self.app.app_context():
            state = self.app.extensions["incident_bridge"]
            session = state.session()
            try:
                return step(state.unit_of_work(), state.context, session)
            finally:
                session.remove()

    def arrive(self, *cards: Any) -> None:
        """The poll stores the cards; the screening job reads them (and finds repeats)."""
        for card in cards:
            self.system.add(card)

        def poll_and_screen(uow: Any, ctx: Any, session: Any) -> None:
            polling.poll(uow, ctx, self.system, self.now)
            screening.screen_pending(uow, ctx, self.now)

        self.run(poll_and_screen)

    def id_of(self, number: str) -> int:
        return int(
            self.run(lambda u, c, s: s.scalar(select(Incident.id).where(Incident.number == number)))
        )

    def router_actor(self) -> Any:
        def find(uow: Any, ctx: Any, session: Any) -> Any:
            return actor_for(uow.people.user_by_login(self.router))

        return self.run(find)

    def browser(self, login: str) -> Browser:
        browser = Browser(self.app.test_client())
        assert browser.login(login).status_code == 200
        return browser


@pytest.fixture
def bridge(request: pytest.FixtureRequest, backend: str, tmp_path: Path) -> Iterator[Bridge]:
    """The reference app on the regulation named by the test's ``profile`` parameter."""
    profile = getattr(request, "param", "yelets")
    system = FakeIncidentSystem()
    app = shared.make_app(backend, tmp_path, INCIDENT_BRIDGE_PROFILE=profile)
    app.extensions["incident_bridge"].system_factory = lambda settings: system
    if backend not in shared._migrated:
        shared.migrate(app)
        shared._migrated.add(backend)
    shared.clean(app)
    yield Bridge(app, system, _NOW)
    with app.app_context():
        app.extensions["incident_bridge"].db.engine.dispose()


def _earlier_and_repeat(bridge: Bridge) -> tuple[int, int]:
    """An earlier message routed to roads, then a repeat quoting its number (another topic)."""
    earlier = make_card(
        number=EARLIER_NUMBER, created_at=_NOW - timedelta(days=10),
        detected_at=_NOW - timedelta(days=10), author=Author("Иван Петров", "https://vk.com/id100"),
    )  # fmt: skip
    bridge.arrive(earlier)
    earlier_id = bridge.id_of(EARLIER_NUMBER)
    router = bridge.router_actor()
    bridge.run(
        lambda u, c, s: workflow.route(
            u, c, earlier_id, router, bridge.people["roads"].id, now=_NOW
        )
    )
    repeat = make_card(
        number="2025-000202", created_at=_NOW - timedelta(hours=1), detected_at=_NOW - timedelta(hours=1),
        text=REPEAT_TEXT, author=Author("Ольга Смирнова", "https://vk.com/id200"), topic="Ремонт дорог",
    )  # fmt: skip
    bridge.arrive(repeat)
    return earlier_id, bridge.id_of("2025-000202")


def test_a_repeat_is_linked_both_ways_and_shown_on_both_pages(bridge: Bridge) -> None:
    earlier_id, repeat_id = _earlier_and_repeat(bridge)

    links = bridge.run(
        lambda u, c, s: [
            (k.repeat_id, k.earlier_id, k.reason) for k in s.scalars(select(RepeatLink))
        ]
    )
    assert links == [(repeat_id, earlier_id, "quotes_number")]
    entries = bridge.run(lambda u, c, s: [(e.kind, e.actor_label) for e in s.scalars(
        select(IncidentEvent).where(IncidentEvent.incident_id == repeat_id))])  # fmt: skip
    assert ("repeat_found", "Система (синхронизация)") in entries

    browser = bridge.browser("operator")
    repeat_page = html.unescape(browser.get(f"/incidents/{repeat_id}").get_data(as_text=True))
    assert f'ранее\n      <a href="/incidents/{earlier_id}">№ {EARLIER_NUMBER}</a>' in repeat_page
    assert "Повторное сообщение:" in repeat_page
    assert "в тексте указан номер прежнего сообщения" in repeat_page
    earlier_page = html.unescape(browser.get(f"/incidents/{earlier_id}").get_data(as_text=True))
    assert "Повторные сообщения:" in earlier_page
    assert f'<a href="/incidents/{repeat_id}">№ 2025-000202</a>' in earlier_page
    queue = browser.get("/").get_data(as_text=True)
    row = queue.split(f'data-incident="{repeat_id}"')[1].split("</tr>")[0]
    assert "повторное" in row
    assert "повторное" not in queue.split(f'data-incident="{earlier_id}"')[1].split("</tr>")[0]


@pytest.mark.parametrize("bridge", ["lipetsk", "leningrad"], indirect=True)
def test_a_repeat_is_routed_by_default_to_the_earlier_body(bridge: Bridge) -> None:
    _, repeat_id = _earlier_and_repeat(bridge)
    page = html.unescape(
        bridge.browser("curator").get(f"/incidents/{repeat_id}").get_data(as_text=True)
    )
    assert _SELECTED.findall(page) == [str(bridge.people["roads"].id)]
    assert f"повторное сообщение: прежнее № {EARLIER_NUMBER} исполняло это подразделение" in page


def test_yelets_links_a_repeat_but_does_not_preselect_the_earlier_body(bridge: Bridge) -> None:
    _, repeat_id = _earlier_and_repeat(bridge)
    page = html.unescape(
        bridge.browser("operator").get(f"/incidents/{repeat_id}").get_data(as_text=True)
    )
    assert "Повторное сообщение:" in page
    assert _SELECTED.findall(page) == []
    assert "Правила для этой темы нет" in page


@pytest.mark.parametrize("bridge", ["leningrad"], indirect=True)
def test_a_repeats_answer_without_measures_is_refused_approval(bridge: Bridge) -> None:
    _, repeat_id = _earlier_and_repeat(bridge)
    curator, executor = bridge.router_actor(), bridge.run(
        lambda u, c, s: actor_for(u.people.user_by_login("roads")))  # fmt: skip
    roads = bridge.people["roads"].id
    bridge.run(lambda u, c, s: workflow.route(u, c, repeat_id, curator, roads, now=_NOW))
    bridge.run(lambda u, c, s: workflow.submit_draft(
        u, c, repeat_id, executor, DraftKind.ANSWER, WITHOUT_MEASURES, now=_NOW))  # fmt: skip
    browser, url = bridge.browser("curator"), f"/incidents/{repeat_id}"
    page = browser.get(url).get_data(as_text=True)
    assert 'data-check="measures"' in page and "Сведения о принятых мерах" in page
    refused = browser.submit(url, f"{url}/approve", {"version": _version(page)})
    text = html.unescape(refused.get_data(as_text=True))
    assert "Проект не прошёл обязательные проверки: сведения о принятых мерах." in text
    assert bridge.run(lambda u, c, s: s.get(Incident, repeat_id).status) is Status.ON_REVIEW

    bridge.run(
        lambda u, c, s: workflow.return_for_rework(
            u, c, repeat_id, curator, "Сообщите о мерах.", now=_NOW
        )
    )
    bridge.run(lambda u, c, s: workflow.submit_draft(
        u, c, repeat_id, executor, DraftKind.ANSWER, WITH_MEASURES, now=_NOW))  # fmt: skip
    page = browser.get(url).get_data(as_text=True)
    approved = browser.submit(url, f"{url}/approve", {"version": _version(page)})
    assert "Проект одобрен" in approved.get_data(as_text=True)
    assert bridge.run(lambda u, c, s: s.get(Incident, repeat_id).status) is Status.PUBLISHING


@pytest.mark.parametrize("bridge", ["lipetsk"], indirect=True)
def test_the_router_unlinks_a_false_match_and_links_by_number(bridge: Bridge) -> None:
    earlier_id, repeat_id = _earlier_and_repeat(bridge)
    browser, url = bridge.browser("curator"), f"/incidents/{repeat_id}"
    empty = browser.submit(url, f"{url}/repeat/unlink", {"reason": " "})
    assert "Укажите, почему сообщение не повторное." in html.unescape(empty.get_data(as_text=True))
    browser.submit(url, f"{url}/repeat/unlink", {"reason": "Другой дом, другая яма."})
    assert bridge.run(lambda u, c, s: s.scalars(select(RepeatLink)).all()) == []
    page = html.unescape(browser.last_page)
    assert "Связь с прежним сообщением снята." in page and 'id="repeat-of"' not in page
    unlinked = bridge.run(lambda u, c, s: [(e.comment, e.actor_label) for e in s.scalars(
        select(IncidentEvent).where(IncidentEvent.kind == "repeat_unlinked"))])  # fmt: skip
    assert unlinked == [("Другой дом, другая яма.", "Куратор Кураторова")]

    later = browser.submit(url, f"{url}/repeat/link", {"number": "2025-999999"})
    assert "Сообщения № 2025-999999 нет в системе." in html.unescape(later.get_data(as_text=True))
    browser.submit(url, f"{url}/repeat/link", {"number": f"№ {EARLIER_NUMBER}"})
    links = bridge.run(
        lambda u, c, s: [
            (k.earlier_id, k.reason, k.found_by) for k in s.scalars(select(RepeatLink))
        ]
    )
    assert links == [(earlier_id, "manual", "Куратор Кураторова")]

    operator = bridge.browser("operator")  # Lipetsk: the curator routes, not the operator
    refused = operator.submit(url, f"{url}/repeat/unlink", {"reason": "Не повтор."})
    assert "Связывать повторные сообщения может тот, кто направляет" in html.unescape(
        refused.get_data(as_text=True))  # fmt: skip
    assert len(bridge.run(lambda u, c, s: s.scalars(select(RepeatLink)).all())) == 1
