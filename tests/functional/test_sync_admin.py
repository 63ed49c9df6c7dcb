"""What admins and operators see of the sync: quarantine with retry, failed deliveries, the alert."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from incident_bridge.domain.errors import DeliveryRejected, TransientDeliveryError
from incident_bridge.domain.model import DraftKind, RejectedRecord
from incident_bridge.persistence.models import Incident, QuarantinedRecord
from incident_bridge.services import outbox, polling, workflow
from incident_bridge.services.actors import actor_for
from tests.fakes import GOOD_ANSWER, make_card
from tests.functional.test_pages import _version


def _session(app):
    return app.extensions["incident_bridge"].session()


def _uow(app):
    return app.extensions["incident_bridge"].unit_of_work()


def _ctx(app):
    return app.extensions["incident_bridge"].context


def test_quarantined_record_is_shown_and_retried(browser, people, app, fake_system):
    good = make_card(external_id="INC-Q")
    fake_system.rejected.append(
        RejectedRecord("INC-Q", '{"id": "INC-Q", "text": 5}', "text: не строка")
    )
    with app.app_context():
        polling.poll(_uow(app), _ctx(app), fake_system, datetime.now(UTC))
    browser.login("admin")
    page = browser.get("/admin/").get_data(as_text=True)
    assert "text: не строка" in page and "INC-Q" in page
    with app.app_context():
        record_id = _session(app).scalar(select(QuarantinedRecord.id))
    fake_system.add(good)  # the system has fixed the record
    page = browser.submit("/admin/", f"/admin/quarantine/{record_id}/retry", {}).get_data(
        as_text=True
    )
    assert "получена заново" in page
    with app.app_context():
        assert (
            _session(app).scalar(select(Incident).where(Incident.external_id == "INC-Q"))
            is not None
        )
        assert _session(app).get(QuarantinedRecord, record_id).resolved_at is not None


def _approved(app, people, fake_system, now):
    fake_system.add(make_card())
    with app.app_context():
        session, uow, ctx = _session(app), _uow(app), _ctx(app)
        polling.poll(uow, ctx, fake_system, now)
        incident = session.scalars(select(Incident)).first()
        operator, executor = actor_for(people["operator"]), actor_for(people["roads_executor"])
        workflow.route(uow, ctx, incident.id, operator, people["roads"].id, now=now)
        workflow.submit_draft(
            uow, ctx, incident.id, executor, DraftKind.ANSWER, GOOD_ANSWER, now=now
        )
        workflow.approve(uow, ctx, incident.id, operator, now=now)
        return incident.id


def test_delivery_out_of_attempts_needs_attention_and_is_retried_once(
    browser, people, app, fake_system
):
    now = datetime.now(UTC)
    incident_id = _approved(app, people, fake_system, now)
    fake_system.failures.append(TransientDeliveryError("connection reset by peer"))
    with app.app_context():
        result = outbox.push(_uow(app), _ctx(app), fake_system, now, max_attempts=1)
        assert result.needs_attention == 1
    browser.login("operator")
    url = f"/incidents/{incident_id}"
    page = browser.get(url).get_data(as_text=True)
    assert "не доставлено — нужно вмешательство" in page and "connection reset by peer" in page
    row_id = page.split("/admin/outbox/")[1].split("/retry")[0]
    browser.submit(url, f"/admin/outbox/{row_id}/retry", {"back": url})
    with app.app_context():
        assert outbox.push(_uow(app), _ctx(app), fake_system, datetime.now(UTC)).sent == 1
    assert len(fake_system.effects) == 1
    assert "доставлено" in browser.get(url).get_data(as_text=True)


def test_a_refused_reply_is_corrected_and_approved_again_never_a_dead_end(
    browser, people, app, fake_system
):
    """The system refuses a 10,000-character Telegram answer: the department sees why, fixes it."""
    now = datetime.now(UTC)
    incident_id = _approved(app, people, fake_system, now)
    fake_system.failures.append(DeliveryRejected("text: не длиннее 4096 символов", 422))
    with app.app_context():
        assert outbox.push(_uow(app), _ctx(app), fake_system, now).needs_attention == 1
    browser.login("operator")
    url = f"/incidents/{incident_id}"
    page = browser.get(url).get_data(as_text=True)
    assert "Система Инцидент не приняла одобренный ответ" in page and "не длиннее 4096" in page
    assert "отклонено системой Инцидент" in page
    assert "/retry" not in page  # the same text would be refused again
    assert 'id="form-edit"' in page and 'id="form-approve"' in page
    fixed = GOOD_ANSWER + " Благодарим за обращение."
    browser.submit(url, f"{url}/edit", {"text": fixed, "version": _version(page)})
    page = browser.get(url).get_data(as_text=True)
    assert "Проект исправлен проверяющим" in page
    browser.submit(url, f"{url}/approve", {"version": _version(page)})
    with app.app_context():
        assert outbox.push(_uow(app), _ctx(app), fake_system, datetime.now(UTC)).sent == 1
    assert [o.text for o in fake_system.effects.values()] == [fixed]
    assert "Закрыто" in browser.get(url).get_data(as_text=True)


@pytest.mark.parametrize("minutes_down, alert", [(5, False), (20, True)])
def test_operators_are_alerted_when_the_system_is_unreachable(
    browser, people, app, fake_system, minutes_down, alert
):
    now = datetime.now(UTC)
    _approved(app, people, fake_system, now - timedelta(minutes=minutes_down))
    fake_system.failures.append(TransientDeliveryError("connection refused"))
    with app.app_context():
        outbox.push(_uow(app), _ctx(app), fake_system, now - timedelta(minutes=minutes_down))
    browser.login("operator")
    page = browser.get("/").get_data(as_text=True)
    assert ("Система Инцидент недоступна более 15 мин" in page) is alert
