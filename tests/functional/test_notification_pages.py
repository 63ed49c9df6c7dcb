"""The bell, the list of notifications, marking them read; an admin sets a person's e-mail and duty."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from incident_bridge.domain.model import Importance, IncidentPage
from incident_bridge.persistence.models import User
from incident_bridge.persistence.uow import SqlAlchemyUnitOfWork
from incident_bridge.services import directory, ingest, notifications
from tests.fakes import make_card

HOSTILE = "<script>alert(1)</script> Авария на теплотрассе!"


def _significant(app: Any, login: str) -> None:
    """A high-importance message arrives; ``login`` is the head; the notifier runs."""
    with app.app_context():
        state = app.extensions["incident_bridge"]
        uow = SqlAlchemyUnitOfWork(state.db.session)
        user = uow.people.user_by_login(login)
        directory.set_contact(uow, user.id, None, "head", by=directory.CONSOLE,
                              now=datetime.now(UTC))  # fmt: skip
        now = datetime.now(UTC)
        card = make_card(created_at=now - timedelta(minutes=5), detected_at=now,
                         importance=Importance.HIGH, text=HOSTILE)  # fmt: skip
        with uow:
            ingest.ingest_page(uow, state.context, IncidentPage((card,), (), None, False), now)
        notifications.scan(uow, state.context, now)
        state.db.session.remove()


def test_the_bell_counts_the_unread_and_the_list_marks_them_read(browser, app, people):
    _significant(app, "operator")
    browser.login("operator")
    page = browser.get("/").get_data(as_text=True)
    assert 'id="bell-count">1<' in page
    listing = browser.get("/notifications/").get_data(as_text=True)
    assert "Общественно значимое сообщение" in listing and "важность «Высокая»" in listing
    assert "<script>alert(1)" not in listing and "&lt;script&gt;" in listing
    browser.submit("/notifications/", "/notifications/read", {})
    assert 'id="bell-count"' not in browser.get("/").get_data(as_text=True)
    # Another person sees none of it.
    browser.login("roads")
    assert "Уведомлений нет" in browser.get("/notifications/").get_data(as_text=True)


def test_an_admin_sets_the_e_mail_and_the_duty_with_russian_errors(browser, app, people):
    browser.login("admin")
    spare = people["roads_executor"].id
    done = browser.submit("/admin/", "/admin/users/contact",
                          {"user_id": spare, "email": "not-an-address", "duty": ""})  # fmt: skip
    assert "Адрес электронной почты указан неверно" in done.get_data(as_text=True)
    browser.submit("/admin/", "/admin/users/contact",
                   {"user_id": spare, "email": "roads@elets.example", "duty": "deputy"})  # fmt: skip
    with app.app_context():
        session = app.extensions["incident_bridge"].db.session
        user = session.scalar(select(User).where(User.id == spare))
        assert (user.email, user.duty) == ("roads@elets.example", "deputy")
        session.remove()
    page = browser.get("/admin/").get_data(as_text=True)
    assert 'value="roads@elets.example"' in page
    security = browser.get("/admin/security/").get_data(as_text=True)
    assert "Изменены адрес для уведомлений или обязанность" in security
