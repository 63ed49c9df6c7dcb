"""«Сотрудники и замещения» over HTTP: absences hand messages to the stand-in and back,
«Мои» follows them, the profile says who may record them, Sobolevo's staffing alert."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlalchemy import select

from incident_bridge.domain.events import EventKind
from incident_bridge.persistence.models import Absence, Incident, PeopleChange, StaffingGap
from incident_bridge.services import directory, polling, workflow
from incident_bridge.services import people as people_service
from incident_bridge.services.actors import actor_for
from tests import conftest as shared
from tests.fakes import FakeIncidentSystem, make_card
from tests.functional.conftest import Browser

PASSWORD = "Proverka-Elets-2026"
PEOPLE_PAGE = "/admin/people/"


def _app(backend: str, tmp_path: Path, profile: str, fake: FakeIncidentSystem) -> Flask:
    app = shared.make_app(backend, tmp_path, INCIDENT_BRIDGE_PROFILE=profile)
    app.extensions["incident_bridge"].system_factory = lambda settings: fake
    if backend not in shared._migrated:
        shared.migrate(app)
        shared._migrated.add(backend)
    shared.clean(app)
    return app


@pytest.fixture
def lipetsk(backend: str, tmp_path: Path, fake_system: FakeIncidentSystem) -> Iterator[Flask]:
    app = _app(backend, tmp_path, "lipetsk", fake_system)
    yield app
    with app.app_context():
        app.extensions["incident_bridge"].db.engine.dispose()


@pytest.fixture
def sobolevo(backend: str, tmp_path: Path, fake_system: FakeIncidentSystem) -> Iterator[Flask]:
    app = _app(backend, tmp_path, "sobolevo", fake_system)
    yield app
    with app.app_context():
        app.extensions["incident_bridge"].db.engine.dispose()


def _second_executor(app: Flask, subdivision_id: int, login: str = "roads2") -> Any:
    with app.app_context():
        state = app.extensions["incident_bridge"]
        user = directory.create_user(
            state.unit_of_work(), login=login, full_name=login.title(), password=PASSWORD,
            role="executor", subdivision_id=subdivision_id, now=datetime.now(UTC),
        )  # fmt: skip
        user_id = user.id
        state.db.session.remove()
    return user_id


def _routed(
    app: Flask,
    fake: FakeIncidentSystem,
    cast: dict[str, Any],
    *numbers: str,
    assignee: int | None = None,
) -> list[int]:
    """Bring messages in and route them to the roads body (its default executor takes them)."""
    for number in numbers:
        fake.add(make_card(external_id=f"P-{number}", number=number))
    with app.app_context():
        state = app.extensions["incident_bridge"]
        now = datetime.now(UTC)
        polling.poll(state.unit_of_work(), state.context, fake, now)
        session = state.session()
        ids = [session.scalar(select(Incident.id).where(Incident.number == n)) for n in numbers]
        router = actor_for(cast["operator"])
        for incident_id in ids:
            workflow.route(state.unit_of_work(), state.context, incident_id, router,
                           cast["roads"].id, now=now, assignee_id=assignee)  # fmt: skip
        session.remove()
    return ids


def _incident(app: Flask, incident_id: int) -> tuple[int | None, datetime | None, list[str]]:
    """The message's assignee, its due time and the comments of its reassignments."""
    with app.app_context():
        session = app.extensions["incident_bridge"].session()
        incident = session.get(Incident, incident_id)
        notes = [e.comment for e in incident.events if e.kind == EventKind.REASSIGNED.value]
        found = (incident.assignee_id, incident.due_at, notes)
        session.remove()
    return found


def _today(app: Flask) -> Any:
    zone = ZoneInfo(app.extensions["incident_bridge"].context.profile.timezone)
    return datetime.now(UTC).astimezone(zone).date()


def test_an_absence_hands_open_messages_to_the_stand_in_and_ending_it_gives_them_back(
    app: Flask, people: dict[str, Any], fake_system: FakeIncidentSystem, browser: Browser
) -> None:
    stand_in = _second_executor(app, people["roads"].id)
    first, second = _routed(app, fake_system, people, "2025-P-1", "2025-P-2")
    absent = people["roads_executor"].id
    assignee, due_before, _ = _incident(app, first)
    assert assignee == absent  # «Roads» comes before «Roads2»: the body's default executor

    browser.login("operator")
    yesterday = _today(app) - timedelta(days=1)
    browser.submit(PEOPLE_PAGE, "/admin/people/absences", {
        "user_id": absent, "kind": "leave", "first_day": yesterday.isoformat(),
        "last_day": (yesterday + timedelta(days=10)).isoformat(), "stand_in_id": stand_in,
        "note": "Ежегодный отпуск",
    })  # fmt: skip
    assert "Отсутствие записано." in browser.last_page
    assert "замещает Roads2" in browser.last_page

    for incident_id in (first, second):
        assignee, due_after, notes = _incident(app, incident_id)
        assert assignee == stand_in
        assert due_after == due_before  # the clocks go on
        assert notes and notes[-1].startswith("Передано замещающему Roads2: отпуск Roads с ")
    page = browser.get(f"/incidents/{first}").get_data(as_text=True)
    assert "Ответственный исполнитель: <strong>Roads2</strong>" in page
    assert "Передано замещающему Roads2" in page

    deputy = Browser(app.test_client())
    deputy.login("roads2")
    mine = deputy.get("/?mine=1").get_data(as_text=True)
    assert "2025-P-1" in mine and "2025-P-2" in mine

    # Routed to the absent executor by name: on to the stand-in, with the history's word.
    (third,) = _routed(app, fake_system, people, "2025-P-3", assignee=absent)
    assert _incident(app, third)[0] == stand_in
    assert _incident(app, third)[2][-1].startswith("Передано замещающему Roads2: отпуск Roads")
    # Routed to the body: its default executor is the one present, and keeps it afterwards.
    (fourth,) = _routed(app, fake_system, people, "2025-P-4")
    assert _incident(app, fourth)[0] == stand_in and not _incident(app, fourth)[2]

    with app.app_context():
        absence_id = app.extensions["incident_bridge"].session().scalar(select(Absence.id))
    browser.submit(PEOPLE_PAGE, f"/admin/people/absences/{absence_id}/end",
                   {"last_day": yesterday.isoformat()})  # fmt: skip
    assert "Отсутствие завершено." in browser.last_page
    for incident_id in (first, second, third):
        assignee, _, notes = _incident(app, incident_id)
        assert assignee == absent
        assert notes[-1] == "Возвращено исполнителю Roads: отсутствие окончено"
    assert _incident(app, fourth)[0] == stand_in
    with app.app_context():
        session = app.extensions["incident_bridge"].session()
        kinds = [c.kind for c in session.scalars(select(PeopleChange).order_by(PeopleChange.id))]
        ended = session.get(Absence, absence_id)
        assert kinds == ["absence_recorded", "absence_ended"]
        assert ended.ended_by == "Operator" and ended.last_day == yesterday
        session.remove()


def test_an_absence_starting_later_takes_effect_when_its_day_comes(
    app: Flask, people: dict[str, Any], fake_system: FakeIncidentSystem
) -> None:
    stand_in = _second_executor(app, people["roads"].id)
    (incident_id,) = _routed(app, fake_system, people, "2025-P-7")
    tomorrow = _today(app) + timedelta(days=1)
    absent = people["roads_executor"].id
    with app.app_context():
        state = app.extensions["incident_bridge"]
        data = people_service.AbsenceInput(
            "illness", tomorrow, tomorrow + timedelta(days=2), stand_in
        )
        people_service.record_absence(state.unit_of_work(), state.context,
                                      actor_for(people["admin"]), absent, data,
                                      now=datetime.now(UTC))  # fmt: skip
        state.db.session.remove()
    assert _incident(app, incident_id)[0] == absent  # not yet
    later = datetime.now(UTC) + timedelta(days=1)
    with app.app_context():
        state = app.extensions["incident_bridge"]
        uow, ctx = state.unit_of_work(), state.context
        assert people_service.apply_absences(uow, ctx, later) == 1
        assert people_service.apply_absences(uow, ctx, later) == 0  # once only
        assert people_service.stand_in_for(uow, absent, tomorrow).id == stand_in
        assert people_service.stand_in_for(uow, absent, _today(app)).id == absent
        state.db.session.remove()
    assert _incident(app, incident_id)[0] == stand_in
    assert _incident(app, incident_id)[2][-1].startswith("Передано замещающему Roads2: болезнь")


def test_a_stand_in_who_is_away_then_is_refused_and_nothing_changes(
    app: Flask, people: dict[str, Any], browser: Browser
) -> None:
    stand_in = _second_executor(app, people["roads"].id)
    day = _today(app) + timedelta(days=30)
    browser.login("admin")
    form = {"kind": "travel", "first_day": day.isoformat(),
            "last_day": (day + timedelta(days=3)).isoformat(), "note": ""}  # fmt: skip
    browser.submit(PEOPLE_PAGE, "/admin/people/absences",
                   {**form, "user_id": stand_in, "stand_in_id": ""})  # fmt: skip
    browser.submit(PEOPLE_PAGE, "/admin/people/absences",
                   {**form, "user_id": people["roads_executor"].id, "stand_in_id": stand_in})  # fmt: skip
    assert "Замещающий сам отсутствует с" in browser.last_page
    browser.submit(PEOPLE_PAGE, "/admin/people/absences",
                   {**form, "user_id": people["housing_executor"].id, "stand_in_id": stand_in})  # fmt: skip
    assert "Замещающий должен быть исполнителем того же подразделения." in browser.last_page
    with app.app_context():
        session = app.extensions["incident_bridge"].session()
        assert len(session.scalars(select(Absence)).all()) == 1
        session.remove()


def test_an_operator_is_refused_where_the_curator_keeps_the_people(
    lipetsk: Flask, now: datetime
) -> None:
    cast = shared.make_people(lipetsk, now)
    browser = Browser(lipetsk.test_client())
    browser.login("operator")
    day = _today(lipetsk)
    browser.submit(PEOPLE_PAGE, "/admin/people/absences", {
        "user_id": cast["roads_executor"].id, "kind": "illness", "first_day": day.isoformat(),
        "last_day": day.isoformat(), "stand_in_id": "", "note": "",
    })  # fmt: skip
    assert "Отсутствия, замещения и ответственных лиц ведёт куратор (п. 5)." in browser.last_page
    browser.submit(PEOPLE_PAGE, "/admin/people/responsible",
                   {"subdivision_id": cast["roads"].id, "user_id": cast["operator"].id})  # fmt: skip
    assert "ведёт куратор" in browser.last_page
    with lipetsk.app_context():
        session = lipetsk.extensions["incident_bridge"].session()
        assert session.scalars(select(Absence)).all() == []
        assert session.scalars(select(PeopleChange)).all() == []
        session.remove()


def test_sobolevo_a_body_left_without_an_executor_gets_a_72_hour_alert(
    sobolevo: Flask, now: datetime
) -> None:
    cast = shared.make_people(sobolevo, now)
    admin = Browser(sobolevo.test_client())
    admin.login("admin")
    admin.submit("/admin/", "/admin/users/deactivate", {"user_id": cast["roads_executor"].id})
    with sobolevo.app_context():
        session = sobolevo.extensions["incident_bridge"].session()
        (gap,) = session.scalars(select(StaffingGap)).all()
        since = gap.since
        session.remove()
    zone = ZoneInfo("Asia/Kamchatka")
    due = (since + timedelta(hours=72)).astimezone(zone)
    expected = (
        f"В подразделении «Управление дорожного хозяйства» нет действующего исполнителя "
        f"с {since.astimezone(zone):%d.%m.%Y %H:%M}: назначьте исполнителя "
        f"до {due:%d.%m.%Y %H:%M} (п. 7)."
    )
    page = admin.get(PEOPLE_PAGE).get_data(as_text=True)
    assert expected in page
    assert expected in admin.get("/").get_data(as_text=True)  # every page's alerts
    # An active executor added: the clock ends, the alert goes.
    _second_executor(sobolevo, cast["roads"].id, login="roads3")
    assert "нет действующего исполнителя" not in admin.get(PEOPLE_PAGE).get_data(as_text=True)


def test_a_body_without_an_executor_has_no_alert_where_the_profile_sets_no_term(
    app: Flask, people: dict[str, Any], browser: Browser
) -> None:
    browser.login("admin")
    browser.submit("/admin/", "/admin/users/deactivate", {"user_id": people["roads_executor"].id})
    assert "Доступ изменён" in browser.last_page
    assert not re.search(
        "нет действующего исполнителя", browser.get(PEOPLE_PAGE).get_data(as_text=True)
    )


def test_changing_the_stand_in_moves_the_messages_and_the_log_keeps_what_was_before(
    app: Flask, people: dict[str, Any], fake_system: FakeIncidentSystem, browser: Browser
) -> None:
    first_deputy = _second_executor(app, people["roads"].id, login="roads2")
    second_deputy = _second_executor(app, people["roads"].id, login="roads3")
    (incident_id,) = _routed(app, fake_system, people, "2025-P-9")
    absent = people["roads_executor"].id
    day = _today(app)
    form = {"user_id": absent, "kind": "illness", "first_day": day.isoformat(),
            "last_day": (day + timedelta(days=4)).isoformat(), "note": ""}  # fmt: skip
    browser.login("operator")
    browser.submit(PEOPLE_PAGE, "/admin/people/absences", {**form, "stand_in_id": first_deputy})
    assert _incident(app, incident_id)[0] == first_deputy
    with app.app_context():
        absence_id = app.extensions["incident_bridge"].session().scalar(select(Absence.id))
    browser.submit(PEOPLE_PAGE, f"/admin/people/absences/{absence_id}",
                   {**form, "stand_in_id": second_deputy})  # fmt: skip
    assert "Отсутствие изменено." in browser.last_page
    assignee, _, notes = _incident(app, incident_id)
    assert assignee == second_deputy
    assert notes[-2] == "Возвращено исполнителю Roads: отсутствие изменено"
    assert notes[-1].startswith("Передано замещающему Roads3: болезнь Roads")
    with app.app_context():
        session = app.extensions["incident_bridge"].session()
        change = session.scalars(
            select(PeopleChange).where(PeopleChange.kind == "absence_changed")
        ).one()
        assert change.actor_label == "Operator"
        assert change.before is not None and change.before["stand_in_id"] == first_deputy
        assert change.after is not None and change.after["stand_in_id"] == second_deputy
        session.remove()
    assert "замещает Roads3" in browser.get(PEOPLE_PAGE).get_data(as_text=True)


def test_the_responsible_official_is_named_on_the_page_and_logged(
    app: Flask, people: dict[str, Any], browser: Browser
) -> None:
    browser.login("operator")
    browser.submit(PEOPLE_PAGE, "/admin/people/responsible",
                   {"subdivision_id": people["roads"].id, "user_id": people["roads_executor"].id})  # fmt: skip
    assert "Ответственное лицо назначено." in browser.last_page
    assert '<span class="responsible">Roads</span>' in browser.last_page
    with app.app_context():
        session = app.extensions["incident_bridge"].session()
        change = session.scalars(select(PeopleChange)).one()
        assert (change.kind, change.actor_label, change.before) == (
            "responsible_set", "Operator", {"responsible_user_id": None},
        )  # fmt: skip
        session.remove()
