"""The review screen: each check's verdict, flagged spans, the dictionary, approval with a reason."""

from __future__ import annotations

import re

from incident_bridge.domain.workflow import Status
from tests.functional.test_pages import _incident, _status, _version

MISSPELT = "Здравствуйте, Иван! Яму у дома 12 на улице Ленина заделаем до 5 ноября. Бригада водоканальцы уже выехала, извените за неудобства."


def _routed_with_draft(app, fake_system, people, browser, executor, text):
    incident = _incident(app, fake_system)
    url = f"/incidents/{incident.id}"
    browser.login("operator")
    browser.get(url)
    browser.submit(
        url,
        f"{url}/route",
        {"subdivision": people["roads"].id, "version": _version(browser.last_page)},
    )
    executor.login("roads")
    executor.get(url)
    executor.submit(
        url,
        f"{url}/draft",
        {"kind": "answer", "text": text, "submit": "1", "version": _version(executor.last_page)},
    )
    return incident, url


def test_review_highlights_misspelling_and_dictionary_accepts_a_name(
    browser, browser2, people, app, fake_system
):
    incident, url = _routed_with_draft(app, fake_system, people, browser, browser2, MISSPELT)
    page = browser.get(url).get_data(as_text=True)
    checks = page[page.index('id="checks"') :]
    assert re.search(r'<mark title="[^"]+">извените</mark>', checks)
    assert "извините" in checks  # a suggestion
    assert 'data-check="completeness"' in checks and "есть ответ" in checks
    # A local word is no error: add it to the organisation's dictionary from the review screen.
    assert "водоканальцы</mark>" in checks
    browser.submit(url, "/admin/dictionary", {"word": "водоканальцы", "back": url})
    page = browser.get(url).get_data(as_text=True)
    assert "водоканальцы</mark>" not in page and "извените</mark>" in page

    # Spelling blocks approval (Yelets cl.7): refused without a reason, change nothing.
    page = browser.submit(url, f"{url}/approve", {"version": _version(browser.last_page)}).get_data(
        as_text=True
    )
    assert "не прошёл обязательные проверки: орфография" in page
    assert _status(app, incident.id) == Status.ON_REVIEW
    browser.submit(
        url,
        f"{url}/approve",
        {
            "version": _version(browser.last_page),
            "override_reason": "Опечатку исправим в следующем ответе.",
        },
    )
    assert _status(app, incident.id) == Status.PUBLISHING
    assert "Опечатку исправим в следующем ответе." in browser.get(url).get_data(as_text=True)


def test_executor_checks_the_draft_live_before_submitting(
    browser, browser2, people, app, fake_system
):
    incident = _incident(app, fake_system)
    url = f"/incidents/{incident.id}"
    browser.login("operator")
    browser.get(url)
    browser.submit(
        url,
        f"{url}/route",
        {"subdivision": people["roads"].id, "version": _version(browser.last_page)},
    )
    browser2.login("roads")
    browser2.get(url)
    token = browser2.token(url)
    response = browser2.client.post(
        f"{url}/draft/check",
        data={"csrf_token": token, "kind": "answer", "text": "яму заделаем <script>x</script>"},
    )
    fragment = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'data-check="greeting"' in fragment and "check-fail" in fragment
    assert "<script>x</script>" not in fragment and "&lt;script&gt;" in fragment
    assert _status(app, incident.id) == Status.ROUTED  # checking submits nothing
