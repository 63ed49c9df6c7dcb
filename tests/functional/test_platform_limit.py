"""A Telegram draft over the limit taken through review: never cut, never approved, fixed on the page."""

from __future__ import annotations

from typing import Any

from incident_bridge.domain.model import Platform
from incident_bridge.domain.workflow import Status
from tests.functional.conftest import Browser
from tests.functional.test_pages import _incident, _status, _version

GREETING = "Здравствуйте, Иван! Яму у дома 12 на улице Ленина заделаем до 5 ноября. "


def test_a_telegram_draft_over_the_limit_cannot_be_approved_and_is_fixed_on_the_page(
    browser: Browser, browser2: Browser, people: Any, app: Any, fake_system: Any
) -> None:
    incident = _incident(app, fake_system, platform=Platform.TELEGRAM)
    url = f"/incidents/{incident.id}"
    browser.login("operator")
    browser.submit(url, f"{url}/route",
                   {"subdivision": people["roads"].id, "version": _version(browser.get(url).get_data(as_text=True))})  # fmt: skip

    browser2.login("roads")
    page = browser2.get(url).get_data(as_text=True)
    assert 'data-limit="4096"' in page and "maxlength" not in page  # counted live, never cut
    long = GREETING + "Подробности работ. " * 1000  # about 20,000 characters
    browser2.submit(url, f"{url}/draft",
                    {"kind": "answer", "text": long, "submit": "1", "version": _version(page)})  # fmt: skip
    assert _status(app, incident.id) == Status.ON_REVIEW
    with app.app_context():
        from incident_bridge.persistence.models import Incident

        stored = app.extensions["incident_bridge"].session().get(Incident, incident.id)
        assert stored.drafts[-1].text == long  # the whole text, not a silently cut one

    page = browser.get(url).get_data(as_text=True)
    assert "Ответ длиннее, чем позволяет Telegram" in page  # the review says it before approval
    refused = browser.submit(url, f"{url}/approve",
                             {"version": _version(page), "override_reason": "Срочно, под мою ответственность"})  # fmt: skip
    assert "при пределе 4096" in refused.get_data(as_text=True)
    assert _status(app, incident.id) == Status.ON_REVIEW

    page = browser.get(url).get_data(as_text=True)
    short = GREETING.strip()
    browser.submit(url, f"{url}/edit", {"text": short, "version": _version(page)})
    page = browser.get(url).get_data(as_text=True)
    browser.submit(url, f"{url}/approve", {"version": _version(page)})
    assert _status(app, incident.id) == Status.PUBLISHING
