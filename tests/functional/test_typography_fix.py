"""«Исправить пробелы и знаки»: the executor's one-click fix in the draft form, the reviewer's on review.

Typography is reported in its own section and blocks nothing under the shipped profiles.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from incident_bridge.domain.events import EventKind
from incident_bridge.domain.workflow import Status
from incident_bridge.persistence.models import Draft, IncidentEvent
from tests.functional.conftest import Browser
from tests.functional.test_pages import _incident, _status, _version
from tests.functional.test_review_page import _routed_with_draft as _submitted

SLOPPY = "Здравствуйте,Иван! Яму у дома 12 на улице Ленина  заделаем до 5 ноября ."
FIXED = "Здравствуйте, Иван! Яму у дома 12 на улице Ленина заделаем до 5 ноября."


def _text(fragment: str) -> str:
    """What a person reads in an HTML fragment (tags dropped; spaces kept inside quotes)."""
    return re.sub(r"\s*\n\s*", " ", re.sub(r"<[^>]+>", "", fragment.split(">", 1)[1])).strip()


def _routed(app: Any, fake_system: Any, people: Any, operator: Browser) -> tuple[Any, str]:
    incident = _incident(app, fake_system)
    url = f"/incidents/{incident.id}"
    operator.login("operator")
    operator.get(url)
    operator.submit(
        url,
        f"{url}/route",
        {"subdivision": people["roads"].id, "version": _version(operator.last_page)},
    )
    return incident, url


def _draft(app: Any, incident_id: int) -> Draft:
    with app.app_context():
        session = app.extensions["incident_bridge"].db.session
        session.expire_all()
        return session.scalars(select(Draft).where(Draft.incident_id == incident_id)).one()


def test_the_live_check_offers_the_fix_only_when_typography_has_findings(
    browser: Browser, browser2: Browser, people: Any, app: Any, fake_system: Any
) -> None:
    incident, url = _routed(app, fake_system, people, browser)
    browser2.login("roads")
    page = browser2.get(url).get_data(as_text=True)
    assert f'data-fix-url="/incidents/{incident.id}/draft/typography"' in page
    assert "data-fix-typography" not in page  # nothing checked yet
    token = browser2.token(url)

    def check(text: str) -> str:
        response = browser2.client.post(
            f"{url}/draft/check", data={"csrf_token": token, "kind": "answer", "text": text}
        )
        assert response.status_code == 200
        return str(response.get_data(as_text=True))

    sloppy = check(SLOPPY)
    typography = _text(sloppy[sloppy.index('data-check="typography"') :])
    assert typography.startswith("Типографика (пробелы и знаки): есть замечания")
    assert "(обязательная)" not in typography.split("Ответы на все вопросы")[0]
    assert "«Ленина  заделаем» — два пробела подряд." in typography
    assert "«Здравствуйте,Иван!» — после «,» нужен пробел." in typography
    assert "data-fix-typography" in sloppy and "Исправить пробелы и знаки" in sloppy
    assert "Все обязательные проверки пройдены." in sloppy  # typography blocks nothing
    assert "Грамматика и пунктуация (обязательная): в порядке" in _text(sloppy)

    clean = check(FIXED)
    assert "Типографика (пробелы и знаки): в порядке" in _text(clean)
    assert "data-fix-typography" not in clean


def test_the_executor_gets_the_fixed_text_and_nothing_is_saved(
    browser: Browser, browser2: Browser, people: Any, app: Any, fake_system: Any
) -> None:
    incident, url = _routed(app, fake_system, people, browser)
    browser2.login("roads")
    token = browser2.token(url)
    response = browser2.client.post(
        f"{url}/draft/typography", data={"csrf_token": token, "kind": "answer", "text": SLOPPY}
    )
    assert response.status_code == 200
    assert response.get_json() == {"text": FIXED}
    assert _status(app, incident.id) == Status.ROUTED
    with app.app_context():
        session = app.extensions["incident_bridge"].db.session
        assert session.scalars(select(Draft).where(Draft.incident_id == incident.id)).all() == []

    # Like the live check: CSRF-protected, and only for those who may see the message.
    refused = browser2.client.post(
        f"{url}/draft/typography", data={"kind": "answer", "text": SLOPPY}
    )
    assert refused.status_code == 400
    other = Browser(app.test_client())
    other.login("housing")
    foreign = other.client.post(
        f"{url}/draft/typography",
        data={"csrf_token": other.token("/"), "kind": "answer", "text": SLOPPY},
    )
    assert foreign.status_code == 403


def test_the_reviewer_fixes_the_draft_and_the_history_keeps_the_old_text(
    browser: Browser, browser2: Browser, people: Any, app: Any, fake_system: Any
) -> None:
    incident, url = _submitted(app, fake_system, people, browser, browser2, SLOPPY)
    page = browser.get(url).get_data(as_text=True)
    checks = page[page.index('id="checks"') :]
    assert "Все обязательные проверки пройдены." in checks
    assert 'id="form-fix-typography"' in checks
    assert f'action="/incidents/{incident.id}/typography"' in checks
    # The executor sees the draft under review but may not correct it.
    assert 'id="form-fix-typography"' not in browser2.get(url).get_data(as_text=True)

    page = browser.submit(
        url, f"{url}/typography", {"version": _version(browser.last_page)}
    ).get_data(as_text=True)
    assert "Пробелы и знаки исправлены" in page
    draft = _draft(app, incident.id)
    assert draft.text == FIXED
    assert draft.check_report is not None and draft.check_report["typography"]["ok"] is True
    assert _status(app, incident.id) == Status.ON_REVIEW
    with app.app_context():
        session = app.extensions["incident_bridge"].db.session
        [edited] = session.scalars(
            select(IncidentEvent).where(
                IncidentEvent.incident_id == incident.id,
                IncidentEvent.kind == EventKind.DRAFT_EDITED,
            )
        ).all()
        assert edited.data["previous_text"] == SLOPPY
    assert "Проект исправлен проверяющим" in page[page.index('id="history"') :]
    assert 'id="form-fix-typography"' not in page  # nothing left to fix
    again = browser.submit(url, f"{url}/typography", {"version": _version(page)})
    assert "исправлять нечего" in again.get_data(as_text=True)
    assert _draft(app, incident.id).text == FIXED


def test_the_reviewer_fix_is_refused_to_executors_and_on_a_stale_page(
    browser: Browser, browser2: Browser, people: Any, app: Any, fake_system: Any
) -> None:
    incident, url = _submitted(app, fake_system, people, browser, browser2, SLOPPY)
    version = _version(browser.get(url).get_data(as_text=True))
    executor = browser2.submit(url, f"{url}/typography", {"version": version}, follow=False)
    assert executor.status_code == 403
    stale = browser.submit(url, f"{url}/typography", {"version": str(int(version) - 1)})
    assert "Сообщение уже изменил другой сотрудник" in stale.get_data(as_text=True)
    assert _draft(app, incident.id).text == SLOPPY
