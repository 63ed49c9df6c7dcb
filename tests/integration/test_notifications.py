"""Notifications on SQLite and PostgreSQL: a clock past its warning and its breach, deficiencies,
significant messages, surges, stand-ins, and the e-mail through a real SMTP server."""

from __future__ import annotations

import socket
import threading
from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes
from email.header import decode_header, make_header
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from adapters.smtp import SmtpMailer
from incident_bridge.domain.model import DraftKind, Importance, IncidentPage
from incident_bridge.persistence.models import Absence, Incident, IncidentEvent, Notification, User
from incident_bridge.services import directory, ingest, notifications, workflow
from incident_bridge.services.actors import actor_for
from tests.fakes import make_card

MSK = ZoneInfo("Europe/Moscow")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def at(day: int, hh: int, mm: int = 0) -> datetime:
    return datetime(2026, 9, day, hh, mm, tzinfo=MSK).astimezone(UTC)


def _arrive(uow: Any, ctx: Any, created: datetime, **fields: Any) -> Incident:
    card = make_card(created_at=created, detected_at=created, **fields)
    with uow:
        result = ingest.ingest_page(uow, ctx, IncidentPage((card,), (), None, False), created)
    incident = uow.incidents.get(result.incident_ids[0])
    assert incident is not None
    return incident


def _user(uow: Any, login: str, role: str = "operator", **extra: Any) -> User:
    user = directory.create_user(uow, login=login, full_name=login.title(),
                                 password="Proverka-Elets-2026", role=role,
                                 subdivision_id=extra.pop("subdivision_id", None),
                                 now=at(1, 8))  # fmt: skip
    if extra:
        directory.set_contact(uow, user.id, extra.get("email"), extra.get("duty"),
                              by=directory.CONSOLE, now=at(1, 8))  # fmt: skip
    return user


def _told(db_session: Any, **where: Any) -> list[tuple[str, str]]:
    """(login, kind) of every notification, oldest first."""
    db_session.expire_all()
    rows = db_session.scalars(select(Notification).order_by(Notification.id)).all()
    return [(n.user.login, n.kind) for n in rows
            if all(getattr(n, k) == v for k, v in where.items())]  # fmt: skip


def _routed(uow: Any, ctx: Any, people: dict[str, Any], created: datetime, **card: Any) -> Incident:
    incident = _arrive(uow, ctx, created, **card)
    workflow.route(uow, ctx, incident.id, actor_for(people["operator"]), people["roads"].id,
                   now=created + timedelta(minutes=10),
                   assignee_id=people["roads_executor"].id)  # fmt: skip
    return incident


def test_a_clock_past_its_warning_then_its_breach_is_told_once_each(uow, ctx, people, db_session):
    boss = _user(uow, "boss", "executor", subdivision_id=people["roads"].id)
    with uow:
        uow.people.subdivision(people["roads"].id).responsible_user_id = boss.id
    # A new message's routing is warned once; its redirect alternative never (no flood).
    early = _arrive(uow, ctx, at(1, 8, 50), number="R-1")  # routing due 10:00, warned at 9:45
    assert notifications.scan(uow, ctx, at(1, 9, 50)).made == {"due_soon": 1}
    assert _told(db_session) == [("operator", "due_soon")]
    workflow.exclude(uow, ctx, early.id, actor_for(people["operator"]), "Оскорбления",
                     now=at(1, 9, 51))  # fmt: skip
    with uow:
        for n in db_session.scalars(select(Notification)).all():
            db_session.delete(n)
    incident = _routed(uow, ctx, people, at(1, 9))  # drafting: 6 wh from 09:10, due 16:10
    assert notifications.scan(uow, ctx, at(1, 15, 0)).made == {}  # 70 minutes left
    made = notifications.scan(uow, ctx, at(1, 15, 20)).made
    assert made == {"due_soon": 1}
    assert _told(db_session) == [("roads", "due_soon")]
    (warning,) = db_session.scalars(select(Notification)).all()
    assert warning.body == ("Срок «Подготовка проекта ответа» (п. 6) — 01.09.2026 16:10: "
                            "осталось 50 мин рабочего времени.")  # fmt: skip
    assert notifications.scan(uow, ctx, at(1, 15, 40)).made == {}  # told once
    # Past due: the executor and the body's responsible official; the history shows it.
    assert notifications.scan(uow, ctx, at(1, 16, 20)).made == {"overdue": 2}
    assert _told(db_session, kind="overdue") == [("roads", "overdue"), ("boss", "overdue")]
    assert notifications.scan(uow, ctx, at(1, 16, 50)).made == {}
    # The whole cycle's warning (8 wh: due 18:00, warned an hour before) goes to the department.
    assert notifications.scan(uow, ctx, at(1, 17, 5)).made == {"due_soon": 1}
    assert _told(db_session)[-1] == ("operator", "due_soon")
    events = db_session.scalars(select(IncidentEvent).where(
        IncidentEvent.incident_id == incident.id, IncidentEvent.kind == "notified")).all()  # fmt: skip
    assert [e.data["notice"] for e in events] == ["due_soon", "overdue", "due_soon"]
    assert "Срок нарушен: Подготовка проекта ответа" in events[1].comment
    assert notifications.unread(uow, people["roads_executor"].id) == 2


def test_repeated_breaches_go_to_the_deputy_once_a_day(uow, ctx, people, db_session):
    _user(uow, "deputy", duty="deputy")
    for n in range(3):
        _routed(uow, ctx, people, at(1, 9, n), number=f"D-{n}")
    notifications.scan(uow, ctx, at(1, 16, 30))  # all three past their drafting clock
    assert _told(db_session, kind="deficiency") == [("deputy", "deficiency")]
    (notice,) = [n for n in db_session.scalars(select(Notification)) if n.kind == "deficiency"]
    assert "Управление дорожного хозяйства" in notice.title and "3 сообщениям" in notice.body
    notifications.scan(uow, ctx, at(1, 17, 30))
    assert len(_told(db_session, kind="deficiency")) == 1


def test_a_message_returned_twice_goes_to_the_deputy(uow, ctx, people, db_session):
    _user(uow, "deputy", duty="deputy")
    incident = _routed(uow, ctx, people, at(1, 9))
    operator, executor = actor_for(people["operator"]), actor_for(people["roads_executor"])
    text = "Здравствуйте, Иван! Яму на улице Ленина у дома 12 заделают до 5 сентября."
    for n in range(2):
        workflow.submit_draft(uow, ctx, incident.id, executor, DraftKind.ANSWER, text,
                              now=at(1, 10 + n))  # fmt: skip
        workflow.return_for_rework(
            uow, ctx, incident.id, operator, "Уточните", now=at(1, 10 + n, 5)
        )
    notifications.scan(uow, ctx, at(1, 11, 10))
    assert _told(db_session, kind="deficiency") == [("deputy", "deficiency")]


def test_a_significant_message_goes_to_the_head_and_the_deputy_at_once(
    uow, ctx, people, db_session
):
    _user(uow, "head", duty="head")
    _user(uow, "deputy", duty="deputy")
    _arrive(uow, ctx, at(1, 9), number="S-1", importance=Importance.HIGH)
    _arrive(uow, ctx, at(1, 9, 1), number="S-2",
            text="Здравствуйте! На улице Мира авария водопровода, затопило подвал.")  # fmt: skip
    _arrive(uow, ctx, at(1, 9, 2), number="S-3")  # an ordinary pothole
    assert notifications.scan(uow, ctx, at(1, 9, 3)).made == {"significant": 4}
    db_session.expire_all()
    titles = sorted({n.title for n in db_session.scalars(select(Notification))})
    assert titles == [
        "Общественно значимое сообщение № S-1",
        "Общественно значимое сообщение № S-2",
    ]
    bodies = {n.body.split(";")[0] for n in db_session.scalars(select(Notification))}
    assert bodies == {"важность «Высокая»", "ключевое слово «авари»"}
    assert notifications.scan(uow, ctx, at(1, 9, 4)).made == {}


def test_a_surge_on_one_topic_is_told_to_the_head_once(uow, ctx, people, db_session):
    _user(uow, "head", duty="head")
    rule = ctx.profile.escalation
    for n in range(rule.surge_count - 1):
        _arrive(uow, ctx, at(1, 9, n), number=f"W-{n}", topic="Отключение воды")
    assert "surge" not in notifications.scan(uow, ctx, at(1, 9, 30)).made
    _arrive(uow, ctx, at(1, 9, 31), number="W-last", topic="Отключение воды")
    assert notifications.scan(uow, ctx, at(1, 9, 32)).made.get("surge") == 1
    for n in range(5):  # it goes on: still one notice within the window
        _arrive(uow, ctx, at(1, 9, 40 + n), number=f"W-more-{n}", topic="Отключение воды")
        notifications.scan(uow, ctx, at(1, 9, 45 + n))
    assert _told(db_session, kind="surge") == [("head", "surge")]


def test_an_absent_executors_warning_goes_to_the_stand_in(uow, ctx, people, db_session):
    colleague = _user(uow, "roads2", "executor", subdivision_id=people["roads"].id)
    with uow:
        uow.add(Absence(user_id=people["roads_executor"].id, kind="leave", first_day=date(2026, 9, 1),
                        last_day=date(2026, 9, 5), stand_in_id=colleague.id, recorded_by="admin",
                        recorded_at=at(1, 8)))  # fmt: skip
    _routed(uow, ctx, people, at(1, 9))
    notifications.scan(uow, ctx, at(1, 15, 20))
    assert _told(db_session, kind="due_soon") == [("roads2", "due_soon")]


class _Inbox:
    """An aiosmtpd handler that keeps what it receives."""

    def __init__(self) -> None:
        self.messages: list[Any] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        with self.lock:
            self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def smtp() -> Any:
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


def test_each_notification_is_mailed_once_through_a_real_smtp_server(
    uow, ctx, people, db_session, smtp
):
    controller, inbox = smtp
    with uow:
        directory.set_contact(uow, people["roads_executor"].id, "roads@elets.example", None,
                              by=directory.CONSOLE, now=at(1, 8))  # fmt: skip
    incident = _routed(uow, ctx, people, at(1, 9))
    notifications.scan(uow, ctx, at(1, 15, 20))
    mailer = SmtpMailer("127.0.0.1", controller.port, sender="bridge@elets.example")
    result = notifications.deliver_mail(
        uow, mailer, at(1, 15, 21), public_url="https://bridge.example"
    )
    assert result == {"sent": 1, "retried": 0, "failed": 0}
    assert notifications.deliver_mail(uow, mailer, at(1, 15, 22), public_url="x")["sent"] == 0
    (message,) = inbox.messages
    assert message["To"] == "roads@elets.example"
    assert str(make_header(decode_header(message["Subject"]))).startswith("Срок истекает")
    body = message.get_payload(decode=True).decode()
    assert f"https://bridge.example/incidents/{incident.id}" in body
    # The operator has no address: told in the app only.
    notifications.scan(uow, ctx, at(1, 17, 5))
    db_session.expire_all()
    states = {
        (n.user.login, n.kind): n.mail_state for n in db_session.scalars(select(Notification))
    }
    assert states == {("roads", "due_soon"): "sent", ("roads", "overdue"): "pending",
                      ("operator", "due_soon"): "none"}  # fmt: skip


def test_a_mail_server_that_is_down_is_tried_again_later(uow, ctx, people, db_session):
    with uow:
        directory.set_contact(uow, people["roads_executor"].id, "roads@elets.example", None,
                              by=directory.CONSOLE, now=at(1, 8))  # fmt: skip
    _routed(uow, ctx, people, at(1, 9))
    notifications.scan(uow, ctx, at(1, 15, 20))
    down = SmtpMailer("127.0.0.1", free_port(), sender="bridge@elets.example", timeout=1)
    assert notifications.deliver_mail(uow, down, at(1, 15, 21), public_url="x")["retried"] == 1
    db_session.expire_all()
    (row,) = db_session.scalars(select(Notification)).all()
    assert (
        row.mail_state == "pending" and row.mail_attempts == 1 and row.mail_next_at > at(1, 15, 21)
    )
    assert "SMTP" in (row.mail_error or "")
