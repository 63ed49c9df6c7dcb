"""«В словарь» in Chromium: the dialog names the word; cancel adds nothing, OK adds it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from incident_bridge.domain.model import DraftKind
from incident_bridge.persistence.models import Incident
from incident_bridge.services import polling, workflow
from incident_bridge.services.actors import actor_for
from tests.fakes import make_card

DRAFT = "Здравствуйте, Иван! Яму у дома 12 заделаем до 5 ноября. Бригада водоканальцы уже выехала."
WORD = "водоканальцы"


def _on_review(app: Any, people: dict[str, Any], fake_system: Any) -> int:
    """A message whose draft, with a local word in it, waits for the operator's review."""
    now = datetime.now(UTC)
    fake_system.add(make_card())
    state = app.extensions["incident_bridge"]
    with app.app_context():
        uow, ctx = state.unit_of_work(), state.context
        polling.poll(uow, ctx, fake_system, now)
        incident_id = state.session().scalar(select(Incident.id))
        operator, executor = actor_for(people["operator"]), actor_for(people["roads_executor"])
        workflow.route(uow, ctx, incident_id, operator, people["roads"].id, now=now)
        workflow.submit_draft(uow, ctx, incident_id, executor, DraftKind.ANSWER, DRAFT, now=now)
        return int(incident_id)


def _dictionary(app: Any) -> list[str]:
    with app.app_context():
        return [w.word for w in app.extensions["incident_bridge"].unit_of_work().dictionary.words()]


def test_the_dictionary_button_asks_with_the_word_before_adding_it(
    app, live_server, chromium, people, fake_system
):
    incident_id = _on_review(app, people, fake_system)
    context = chromium.new_context(locale="ru-RU")
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        dialogs: list[str] = []
        answers = [False, True]  # cancel first, then confirm

        def answer(dialog: Any) -> None:
            dialogs.append(dialog.message)
            if answers.pop(0):
                dialog.accept()
            else:
                dialog.dismiss()

        page.on("dialog", answer)
        page.goto(f"{live_server}/login")
        page.fill("input[name=login]", "operator")
        page.fill("input[name=password]", "Proverka-Elets-2026")
        page.click("input[type=submit]")
        page.wait_for_selector("h1")
        page.goto(f"{live_server}/incidents/{incident_id}")
        button = page.locator(f'#checks input[type=submit][value="В словарь: «{WORD}»"]')

        button.click()
        assert dialogs == [
            f"Добавить «{WORD}» в словарь организации? Проверка орфографии перестанет его отмечать."
        ]
        page.wait_for_timeout(300)  # a submitted form would have navigated by now
        assert page.url.endswith(f"/incidents/{incident_id}")
        assert page.locator(".flash.success").count() == 0
        assert _dictionary(app) == []

        with page.expect_navigation():
            button.click()
        assert len(dialogs) == 2 and WORD in dialogs[1]
        assert f"Слово «{WORD}» добавлено" in page.inner_text(".flash.success")
        assert _dictionary(app) == [WORD]
        assert page.locator(f'#draft-highlighted mark:text-is("{WORD}")').count() == 0
    finally:
        context.close()
