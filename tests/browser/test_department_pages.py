"""A person's view: an operator and an executor work a hostile message through the cycle in Chromium."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from incident_bridge.domain.model import Author
from incident_bridge.services import outbox, polling
from tests.fakes import make_card

HOSTILE = 'Яма у дома 5. <script>alert(1)</script> "><img src=x onerror=alert(1)> Когда заделают?'


def _login(page: Any, base: str, login: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", "Proverka-Elets-2026")
    page.click("input[type=submit]")
    page.wait_for_selector("h1")


def _run(app: Any, task: Any, fake_system: Any) -> None:
    with app.app_context():
        state = app.extensions["incident_bridge"]
        task(state.unit_of_work(), state.context, fake_system, datetime.now(UTC))


def test_operator_and_executor_work_a_hostile_message_through_the_cycle(
    app, live_server, page_factory, people, fake_system
):
    fake_system.add(
        make_card(text=HOSTILE, author=Author('<b>Иван</b>"><script>alert(2)</script>', None))
    )
    _run(app, polling.poll, fake_system)

    operator = page_factory()
    _login(operator, live_server, "operator")
    row = operator.locator("#queue tbody tr").first
    assert "<script>alert(1)</script>" in row.inner_text()
    row.locator("a").first.click()
    operator.wait_for_selector("#citizen-text")
    assert operator.inner_text("#citizen-text") == HOSTILE
    assert operator.locator("img[src=x]").count() == 0

    operator.select_option(
        "#form-route select[name=subdivision]", label="Управление дорожного хозяйства"
    )
    operator.click("#form-route input[type=submit]")
    assert "направлено исполнителю" in operator.inner_text(".flash.success")
    message_url = operator.url

    executor = page_factory()
    _login(executor, live_server, "roads")
    executor.goto(message_url)
    executor.fill("#form-draft textarea[name=text]", "Заделаем.")
    executor.click("#form-draft input[name=submit]")
    assert "на проверку" in executor.inner_text(".flash.success")

    operator.goto(message_url)
    assert "Автоматическая проверка проекта" in operator.inner_text("#checks")
    operator.fill("#form-return textarea[name=reason]", "Нет приветствия и срока.")
    operator.click("#form-return input[type=submit]")
    assert "на доработку" in operator.inner_text(".flash.success")

    executor.goto(message_url)
    assert "Нет приветствия и срока." in executor.inner_text("#draft")
    executor.fill(
        "#form-draft textarea[name=text]", "Здравствуйте, Иван! Яму у дома 5 заделаем до 10 ноября."
    )
    executor.click("#form-draft input[name=submit]")

    operator.goto(message_url)
    operator.click("#form-approve input[type=submit]")
    assert "одобрен" in operator.inner_text(".flash.success")
    _run(app, outbox.push, fake_system)
    operator.goto(message_url)
    assert operator.inner_text("#status") == "Закрыто"
    assert "доставлено" in operator.inner_text("#delivery")
    history = operator.inner_text("#history")
    assert "Operator" in history and "Roads" in history and "Нет приветствия и срока." in history
    assert [o.text for o in fake_system.delivered] == [
        "Здравствуйте, Иван! Яму у дома 5 заделаем до 10 ноября."
    ]
    assert page_factory.dialogs == []  # no script of the citizen's ever ran
