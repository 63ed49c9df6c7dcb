"""«Исправить пробелы и знаки» in Chromium, under the bridge's strict CSP: the executor's button
puts the fixed text into the form; the reviewer's corrects the draft on review."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from incident_bridge.services import polling
from tests.fakes import make_card

SLOPPY = "Здравствуйте,Иван! Яму у дома 12 на улице Ленина  заделаем до 5 ноября ."
FIXED = "Здравствуйте, Иван! Яму у дома 12 на улице Ленина заделаем до 5 ноября."
WATCH_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


def _login(page: Any, base: str, login: str) -> None:
    page.add_init_script(WATCH_VIOLATIONS)
    page.goto(f"{base}/login")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", "Proverka-Elets-2026")
    page.click("input[type=submit]")
    page.wait_for_selector("h1")


def _routed_message(app: Any, fake_system: Any, page_factory: Any, base: str) -> tuple[Any, str]:
    fake_system.add(make_card())
    with app.app_context():
        state = app.extensions["incident_bridge"]
        polling.poll(state.unit_of_work(), state.context, fake_system, datetime.now(UTC))
    operator = page_factory()
    _login(operator, base, "operator")
    operator.locator("#queue tbody tr a").first.click()
    operator.wait_for_selector("#citizen-text")
    operator.select_option(
        "#form-route select[name=subdivision]", label="Управление дорожного хозяйства"
    )
    operator.click("#form-route input[type=submit]")
    operator.wait_for_selector(".flash.success")
    return operator, operator.url


def test_the_executor_fixes_the_draft_in_the_form(
    app: Any, live_server: str, page_factory: Any, people: Any, fake_system: Any
) -> None:
    _, url = _routed_message(app, fake_system, page_factory, live_server)
    executor = page_factory()
    _login(executor, live_server, "roads")
    executor.goto(url)
    area = "#form-draft textarea[name=text]"
    executor.fill(area, SLOPPY)
    assert executor.locator("#fix-typography").count() == 0
    executor.click("#check-draft")
    section = executor.locator('#live-checks [data-check="typography"]')
    assert "есть замечания" in section.inner_text()
    assert "два пробела подряд" in section.inner_text()

    executor.click("#fix-typography")
    executor.wait_for_function(
        "([sel, text]) => document.querySelector(sel).value === text", arg=[area, FIXED]
    )
    # The live check ran again on the fixed text: nothing left to fix, the length note follows.
    executor.wait_for_selector("#live-checks #fix-typography", state="detached")
    assert "в порядке" in section.inner_text()
    assert f"Знаков: {len(FIXED)} из" in executor.inner_text(".char-count[data-for=draft-text]")
    assert executor.evaluate("window.__violations") == []

    executor.click("#form-draft input[name=submit]")
    assert "на проверку" in executor.inner_text(".flash.success")
    assert executor.inner_text("#draft-text") == FIXED


def test_the_reviewer_fixes_the_draft_on_review(
    app: Any, live_server: str, page_factory: Any, people: Any, fake_system: Any
) -> None:
    operator, url = _routed_message(app, fake_system, page_factory, live_server)
    executor = page_factory()
    _login(executor, live_server, "roads")
    executor.goto(url)
    executor.fill("#form-draft textarea[name=text]", SLOPPY)
    executor.click("#form-draft input[name=submit]")
    assert "на проверку" in executor.inner_text(".flash.success")

    operator.goto(url)
    assert "Все обязательные проверки пройдены." in operator.inner_text("#checks-verdict")
    operator.click("#form-fix-typography input[type=submit]")
    assert "Пробелы и знаки исправлены" in operator.inner_text(".flash.success")
    assert operator.inner_text("#draft #draft-text") == FIXED
    assert operator.locator("#form-fix-typography").count() == 0
    assert "Проект исправлен проверяющим" in operator.inner_text("#history")
    assert operator.evaluate("window.__violations") == []
