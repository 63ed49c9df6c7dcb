"""«Вставить» beside the draft form in Chromium, under the bridge's strict CSP: the approved phrase
goes into the draft at the cursor, without leaving the page."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from incident_bridge.domain.model import IncidentPage
from incident_bridge.persistence.uow import SqlAlchemyUnitOfWork
from incident_bridge.services import ingest, phrases, workflow
from incident_bridge.services.actors import actor_for
from tests.browser.test_typography_browser import _login
from tests.fakes import make_card

PHRASE = "Работы запланированы на май."
BEFORE, AFTER = "Здравствуйте, Иван! ", " С уважением, администрация."


def _world(app: Any, people: dict[str, Any]) -> int:
    """A message routed to the roads subdivision and one approved phrase of that subdivision."""
    with app.app_context():
        state = app.extensions["incident_bridge"]
        uow, ctx, now = SqlAlchemyUnitOfWork(state.db.session), state.context, datetime.now(UTC)
        operator = actor_for(people["operator"])
        phrases.add(uow, operator, subdivision_id=people["roads"].id, title="Сроки работ",
                    text=PHRASE, now=now)  # fmt: skip
        with uow:
            (incident_id,) = ingest.ingest_page(
                uow, ctx, IncidentPage((make_card(),), (), None, False), now
            ).incident_ids
        workflow.route(uow, ctx, incident_id, operator, people["roads"].id, now=now,
                       assignee_id=people["roads_executor"].id)  # fmt: skip
        state.db.session.remove()
        return incident_id


def test_insert_puts_the_phrase_at_the_cursor(
    app: Any, live_server: str, page_factory: Any, people: Any
) -> None:
    incident_id = _world(app, people)
    executor = page_factory()
    _login(executor, live_server, "roads")
    url = f"{live_server}/incidents/{incident_id}"
    executor.goto(url)
    area = "#draft-text"
    executor.fill(area, BEFORE + AFTER)
    executor.evaluate(f"document.querySelector('{area}').setSelectionRange({len(BEFORE)}, "
                      f"{len(BEFORE)})")  # fmt: skip
    executor.click("#phrases-aid .insert-phrase")

    assert executor.input_value(area) == BEFORE + PHRASE + AFTER
    assert executor.url == url  # no navigation: the unsaved text stays in the form
    assert executor.evaluate(f"document.querySelector('{area}').selectionStart") == len(
        BEFORE + PHRASE
    )  # the cursor after the phrase, to go on typing
    total = len(BEFORE + PHRASE + AFTER)
    assert f"Знаков: {total} из" in executor.inner_text(".char-count[data-for=draft-text]")
    assert executor.evaluate("window.__violations") == []
