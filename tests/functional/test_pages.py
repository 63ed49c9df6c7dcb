"""The department's pages over HTTP: sign-in, CSRF, the queue, a message's actions, escaping."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from incident_bridge.domain.workflow import Status
from incident_bridge.persistence.models import Incident
from incident_bridge.services import outbox, polling, screening
from tests.fakes import make_card

XSS = '<script>alert(1)</script> и "><img src=x onerror=alert(1)>'


def _incident(app: Any, fake_system: Any, **card: Any) -> Incident:
    fake_system.add(make_card(**card))
    with app.app_context():
        from datetime import UTC, datetime

        state = app.extensions["incident_bridge"]
        session = state.session()
        polling.poll(state.unit_of_work(), state.context, fake_system, datetime.now(UTC))
        screening.screen_pending(state.unit_of_work(), state.context, datetime.now(UTC))
        incident = session.scalars(select(Incident).order_by(Incident.id.desc())).first()
        session.expunge(incident)
        return incident


def _version(page: str) -> str:
    match = re.search(r'name="version"[^>]*value="(\d+)"', page) or re.search(
        r'value="(\d+)"[^>]*name="version"', page
    )
    assert match
    return match.group(1)


def _status(app: Any, incident_id: int) -> str:
    with app.app_context():
        session = app.extensions["incident_bridge"].db.session
        session.expire_all()
        return session.get(Incident, incident_id).status


def test_pages_need_sign_in_and_wrong_password_is_refused(browser, people):
    assert browser.get("/").status_code == 302
    page = browser.login("operator", "wrong-password").get_data(as_text=True)
    assert "Неверный логин или пароль" in page
    assert browser.get("/").status_code == 302


def test_form_without_csrf_token_is_refused(browser, people, app, fake_system):
    incident = _incident(app, fake_system)
    browser.login("operator")
    response = browser.client.post(
        f"/incidents/{incident.id}/route",
        data={"subdivision": people["roads"].id},
        follow_redirects=True,
    )
    assert "Форма устарела" in response.get_data(as_text=True)
    assert _status(app, incident.id) == Status.NEW


def test_citizen_text_is_shown_as_text_everywhere(browser, people, app, fake_system):
    incident = _incident(
        app,
        fake_system,
        text=XSS,
        author=make_card().author.__class__(XSS, "javascript:alert(1)"),
        post_url="javascript:alert(1)",
        topic=XSS,
    )
    browser.login("operator")
    for page in (
        browser.get("/").get_data(as_text=True),
        browser.get(f"/incidents/{incident.id}").get_data(as_text=True),
    ):
        assert "<script>alert(1)</script>" not in page
        assert "<img src=x" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert 'href="javascript:' not in page


def test_whole_cycle_through_the_pages(browser, browser2, people, app, fake_system):
    incident = _incident(app, fake_system)
    page_url = f"/incidents/{incident.id}"
    browser.login("operator")
    browser2.login("roads")
    assert incident.number in browser.get("/").get_data(as_text=True)

    browser.get(page_url)
    page = browser.submit(
        page_url,
        f"{page_url}/route",
        {"subdivision": people["roads"].id, "version": _version(browser.last_page)},
    )
    assert "Сообщение направлено исполнителю" in page.get_data(as_text=True)

    # The executor sees it in their queue and drafts.
    assert incident.number in browser2.get("/").get_data(as_text=True)
    browser2.get(page_url)
    browser2.submit(
        page_url,
        f"{page_url}/draft",
        {
            "kind": "answer",
            "text": "Сделаем.",
            "submit": "1",
            "version": _version(browser2.last_page),
        },
    )
    assert "Проект отправлен" in browser2.last_page, re.findall(
        r'role="alert">([^<]*)', browser2.last_page
    )
    assert _status(app, incident.id) == Status.ON_REVIEW

    browser.get(page_url)
    assert "Автоматическая проверка проекта" in browser.last_page
    browser.submit(
        page_url,
        f"{page_url}/return",
        {"reason": "Нет приветствия.", "version": _version(browser.last_page)},
    )
    assert _status(app, incident.id) == Status.REWORK

    browser2.get(page_url)
    assert "Нет приветствия." in browser2.last_page
    browser2.submit(
        page_url,
        f"{page_url}/draft",
        {
            "kind": "answer",
            "submit": "1",
            "text": "Здравствуйте, Иван! Яму заделаем до 5 ноября.",
            "version": _version(browser2.last_page),
        },
    )
    browser.get(page_url)
    browser.submit(page_url, f"{page_url}/approve", {"version": _version(browser.last_page)})
    assert _status(app, incident.id) == Status.PUBLISHING

    with app.app_context():
        from datetime import UTC, datetime

        state = app.extensions["incident_bridge"]
        outbox.push(state.unit_of_work(), state.context, fake_system, datetime.now(UTC))
    assert _status(app, incident.id) == Status.CLOSED
    page = browser.get(page_url).get_data(as_text=True)
    assert "доставлено" in page
    assert [o.text for o in fake_system.delivered] == [
        "Здравствуйте, Иван! Яму заделаем до 5 ноября."
    ]
    history = page[page.index('id="history"') :]
    for who in ("Operator", "Roads"):
        assert who in history


def test_executor_of_another_subdivision_cannot_see_or_draft(browser, people, app, fake_system):
    incident = _incident(app, fake_system)
    page_url = f"/incidents/{incident.id}"
    browser.login("operator")
    browser.get(page_url)
    browser.submit(
        page_url,
        f"{page_url}/route",
        {"subdivision": people["roads"].id, "version": _version(browser.last_page)},
    )
    other = browser.__class__(app.test_client())
    other.login("housing")
    assert other.get(page_url).status_code == 403
    token = other.token("/")
    response = other.client.post(
        f"{page_url}/draft",
        data={"csrf_token": token, "kind": "answer", "text": "Здравствуйте!", "submit": "1"},
        follow_redirects=True,
    )
    assert "другому подразделению" in response.get_data(as_text=True)
    assert _status(app, incident.id) == Status.ROUTED


def test_stale_page_gets_a_clear_message(browser, browser2, people, app, fake_system):
    incident = _incident(app, fake_system)
    page_url = f"/incidents/{incident.id}"
    browser.login("operator")
    browser2.login("admin")
    browser.get(page_url)
    seen = _version(browser.last_page)
    browser2.get(page_url)
    browser2.submit(
        page_url,
        f"{page_url}/route",
        {"subdivision": people["housing"].id, "version": _version(browser2.last_page)},
    )
    page = browser.submit(page_url, f"{page_url}/redirect", {"reason": "Не наше", "version": seen})
    assert "уже изменил другой сотрудник" in page.get_data(as_text=True)
    assert _status(app, incident.id) == Status.ROUTED


def test_queue_filters(browser, people, app, fake_system):
    from incident_bridge.domain.model import Platform

    vk = _incident(app, fake_system, platform=Platform.VK, number="VK-1")
    ok = _incident(app, fake_system, platform=Platform.OK, number="OK-1")
    browser.login("operator")
    page = browser.get("/?platform=ok").get_data(as_text=True)
    assert ok.number in page and vk.number not in page
    page = browser.get("/?status=closed").get_data(as_text=True)
    assert "Сообщений нет" in page


def test_admin_adds_subdivision_and_user_others_cannot(browser, people, app):
    browser.login("operator")
    assert browser.get("/admin/").status_code == 403
    admin = browser.__class__(app.test_client())
    admin.login("admin")
    admin.submit("/admin/", "/admin/subdivisions", {"name": "Отдел культуры"})
    assert "Отдел культуры" in admin.get("/admin/").get_data(as_text=True)


def test_healthz_reports_database_queue_and_system(browser, people):
    response = browser.get("/healthz")
    body = response.get_json()
    assert response.status_code == 200
    assert body["database"]["ok"] is True
    assert body["queue"] == {"ok": True, "mode": "in-process"}
    assert body["incident_system"]["ok"] is True
