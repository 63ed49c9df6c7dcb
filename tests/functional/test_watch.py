"""«Посты Губернатора» on a Leningrad app (cl. 7.2, 7.4): register, schedule, tick, link comments."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from incident_bridge.persistence.models import WatchedPost, WatchEvent, WatchTask
from incident_bridge.services import directory, polling, routing
from tests.conftest import _migrated, clean, make_app, make_people, migrate
from tests.fakes import FakeIncidentSystem, make_card
from tests.functional.conftest import Browser

#: Monday 2 March 2026, 10:30 in St Petersburg: the continuous watch of a 10:00 post is running.
NOW = datetime(2026, 3, 2, 7, 30, tzinfo=UTC)
POST = "https://vk.com/wall-100_500"


@pytest.fixture
def leningrad(
    backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Flask, FakeIncidentSystem]]:
    """The reference app on the Leningrad regulation, its pages' clock at ``NOW``."""
    system = FakeIncidentSystem()
    app = make_app(backend, tmp_path, INCIDENT_BRIDGE_PROFILE="leningrad")
    app.extensions["incident_bridge"].system_factory = lambda settings: system
    if backend not in _migrated:
        migrate(app)
        _migrated.add(backend)
    clean(app)
    clock = {"now": NOW}
    monkeypatch.setattr("incident_bridge.web.watch.now", lambda: clock["now"])
    app.config["TEST_CLOCK"] = clock
    yield app, system
    with app.app_context():
        app.extensions["incident_bridge"].db.engine.dispose()


@pytest.fixture
def world(leningrad: tuple[Flask, FakeIncidentSystem]) -> dict[str, Any]:
    app, _ = leningrad
    people = make_people(app, NOW)
    with app.app_context():
        uow = app.extensions["incident_bridge"].unit_of_work()
        directory.create_user(uow, login="curator", full_name="Куратор Иванова",
                              password="Proverka-Elets-2026", role="curator",
                              subdivision_id=None, now=NOW)  # fmt: skip
    return people


def _as(app: Flask, login: str) -> Browser:
    browser = Browser(app.test_client())
    browser.login(login)
    return browser


def _register(browser: Browser, *bodies: int, url: str = POST) -> Any:
    return browser.submit("/watch/", "/watch/", {
        "url": url, "account": "Губернатор Ленинградской области",
        "published_at": "2026-03-02T10:00", "bodies": list(bodies),
    })  # fmt: skip


def _tasks(app: Flask) -> list[WatchTask]:
    with app.app_context():
        session = app.extensions["incident_bridge"].session()
        rows = list(
            session.scalars(select(WatchTask).order_by(WatchTask.subdivision_id, WatchTask.seq))
        )
        for row in rows:
            session.expunge(row)
        return rows


def _post(app: Flask) -> WatchedPost:
    with app.app_context():
        session = app.extensions["incident_bridge"].session()
        post = session.scalar(select(WatchedPost))
        assert post is not None
        session.expunge(post)
        return post


def _count(app: Flask, model: Any) -> int:
    with app.app_context():
        return int(
            app.extensions["incident_bridge"]
            .session()
            .scalar(select(func.count()).select_from(model))
        )


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def test_the_curator_registers_a_post_and_each_body_gets_its_schedule(leningrad, world):
    app, _ = leningrad
    curator = _as(app, "curator")
    assert 'id="nav-watch"' in curator.get("/watch/").get_data(as_text=True)
    _register(curator, world["roads"].id, world["housing"].id)
    assert "Пост зарегистрирован" in curator.last_page

    post = _post(app)
    assert post.url == POST and post.source == "admin" and post.registered_by == "Куратор Иванова"
    assert post.published_at == _utc(
        "2026-03-02T10:00:00+03:00"
    )  # typed in local time, kept in UTC
    tasks = _tasks(app)
    roads = [t for t in tasks if t.subdivision_id == world["roads"].id]
    assert len(tasks) == 2 * len(roads) == 2 * 9
    assert [(t.kind, t.opens_at, t.due_at) for t in roads[:3]] == [
        ("continuous", _utc("2026-03-02T10:00:00+03:00"), _utc("2026-03-02T12:00:00+03:00")),
        ("check", _utc("2026-03-02T12:00:00+03:00"), _utc("2026-03-02T15:00:00+03:00")),
        ("check", _utc("2026-03-02T15:00:00+03:00"), _utc("2026-03-02T17:00:00+03:00")),
    ]
    assert roads[-1].due_at == _utc("2026-03-04T12:00:00+03:00")

    page = curator.get(f"/watch/{post.id}").get_data(as_text=True)
    assert "Управление дорожного хозяйства" in page and "Управление ЖКХ" in page
    assert "осталось 1 ч 30 мин рабочего времени" in page  # the continuous watch's clock
    assert "Регистрация поста" in page  # the attributed history


def test_an_executor_ticks_an_open_task_of_their_body_and_refusals_change_nothing(leningrad, world):
    app, _ = leningrad
    _register(_as(app, "curator"), world["roads"].id, world["housing"].id)
    post_id = _post(app).id
    roads_tasks = [t for t in _tasks(app) if t.subdivision_id == world["roads"].id]
    housing_tasks = [t for t in _tasks(app) if t.subdivision_id == world["housing"].id]
    continuous, first_check = roads_tasks[0], roads_tasks[1]
    page = f"/watch/{post_id}"

    roads = _as(app, "roads")
    roads.submit(
        page, f"/watch/tasks/{continuous.id}/tick", {"new_comments": 3, "note": "Ответили"}
    )
    assert "Проверено, новых комментариев: 3." in roads.last_page
    done = next(t for t in _tasks(app) if t.id == continuous.id)
    assert (done.done_by, done.new_comments, done.note) == ("Roads", 3, "Ответили")
    assert done.done_at == NOW

    events = _count(app, WatchEvent)
    refusals = [
        (roads, continuous.id, "уже отмечена"),
        (roads, first_check.id, "ещё не началась"),
        (_as(app, "housing"), continuous.id, "другого органа"),
        (_as(app, "admin"), housing_tasks[0].id, "Исполнитель"),  # an admin may not tick for a body
    ]
    for who, task_id, why in refusals:
        who.submit(page, f"/watch/tasks/{task_id}/tick", {"new_comments": 1})
        assert why in who.last_page, why
    assert _count(app, WatchEvent) == events
    assert [t.done_at for t in _tasks(app) if t.id != continuous.id] == [None] * 17

    # After its due time a tick is kept, as late.
    app.config["TEST_CLOCK"]["now"] = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)  # 12:30 local
    housing = _as(app, "housing")
    housing.submit(page, f"/watch/tasks/{housing_tasks[0].id}/tick", {"new_comments": 0})
    assert "Выполнена с опозданием" in housing.get(page).get_data(as_text=True)


def test_only_the_registering_role_and_an_admin_register_and_change_bodies(leningrad, world):
    app, _ = leningrad
    executor = _as(app, "roads")
    assert "form-watch-post" not in executor.get("/watch/").get_data(as_text=True)
    _register(executor, world["roads"].id)
    assert "Куратор" in executor.last_page and _count(app, WatchedPost) == 0
    operator = _as(app, "operator")
    _register(operator, world["roads"].id)
    assert _count(app, WatchedPost) == 0

    admin = _as(app, "admin")  # stands in for the curator
    _register(admin, world["roads"].id)
    post_id = _post(app).id
    _register(admin, world["roads"].id, url="http://m.vk.com/wall-100_500/?utm_source=tg")
    assert "уже зарегистрирован" in admin.last_page and _count(app, WatchedPost) == 1

    page = f"/watch/{post_id}"
    executor.submit(page, f"/watch/{post_id}/bodies/add", {"subdivision": world["housing"].id})
    assert "Куратор" in executor.last_page and _count(app, WatchTask) == 9

    curator = _as(app, "curator")
    curator.submit(page, f"/watch/{post_id}/bodies/add", {"subdivision": world["housing"].id})
    assert _count(app, WatchTask) == 18
    curator.submit(page, f"/watch/{post_id}/bodies/remove", {"subdivision": world["roads"].id})
    roads = [t for t in _tasks(app) if t.subdivision_id == world["roads"].id]
    assert all(t.cancelled_by == "Куратор Иванова" for t in roads) and len(roads) == 9
    shown = curator.get(page).get_data(as_text=True)
    assert "снят" in shown and "Отменена" in shown and "Орган снят" in shown

    # A cancelled task is kept and cannot be ticked.
    roads_exec = _as(app, "roads")
    roads_exec.submit(page, f"/watch/tasks/{roads[0].id}/tick", {"new_comments": 1})
    assert "отменена" in roads_exec.last_page


def test_a_comment_that_arrives_as_an_incident_is_linked_to_its_post(leningrad, world):
    app, system = leningrad
    _register(_as(app, "curator"), world["roads"].id)
    post_id = _post(app).id
    system.add(make_card(post_url="https://www.vk.com/wall-100_500?utm_medium=x",
                         text="<script>alert(1)</script> Когда отремонтируют дорогу?"))  # fmt: skip
    other = system.add(make_card(post_url="https://vk.com/wall-100_5001"))
    with app.app_context():
        state = app.extensions["incident_bridge"]
        polling.poll(state.unit_of_work(), state.context, system, NOW)
        from incident_bridge.persistence.models import Incident

        session = state.session()
        ids = {i.external_id: i.id for i in session.scalars(select(Incident))}
    curator = _as(app, "curator")
    page = curator.get(f"/watch/{post_id}").get_data(as_text=True)
    comment_id = next(v for k, v in ids.items() if k != other.external_id)
    assert f"/incidents/{comment_id}" in page and f"/incidents/{ids[other.external_id]}" not in page
    incident = curator.get(f"/incidents/{comment_id}").get_data(as_text=True)
    assert "Комментарий к посту Губернатора от 02.03.2026 10:00" in incident
    assert f"/watch/{post_id}" in incident and "<script>alert" not in incident
    assert "Комментарий к посту" not in curator.get(
        f"/incidents/{ids[other.external_id]}"
    ).get_data(as_text=True)


def test_a_post_the_incident_system_flags_is_registered_by_the_sync(leningrad, world):
    app, system = leningrad
    with app.app_context():
        state = app.extensions["incident_bridge"]
        routing.add_topic_route(state.unit_of_work(), topic="Ямы на дорогах",
                                subdivision_id=world["roads"].id, by="Админ", now=NOW)  # fmt: skip
    extra = {"governor_post_published_at": "2026-03-02T10:00:00+03:00",
             "governor_post_account": "Александр Дрозденко"}  # fmt: skip
    system.add(make_card(post_url=POST, extra=extra))
    system.add(make_card(post_url=POST + "/", extra=extra))  # the same post: registered once
    system.add(
        make_card(post_url="https://t.me/gov/7", extra={"governor_post_published_at": "вчера"})
    )
    with app.app_context():
        state = app.extensions["incident_bridge"]
        result = polling.poll(state.unit_of_work(), state.context, system, NOW)
    assert result.created == 3  # every card is stored, the unreadable flag too
    post = _post(app)
    assert (post.source, post.account, post.registered_by) == (
        "incident_system", "Александр Дрозденко", "Система (синхронизация)")  # fmt: skip
    assert {t.subdivision_id for t in _tasks(app)} == {world["roads"].id}  # the topic's rule
    page = _as(app, "curator").get("/watch/").get_data(as_text=True)
    assert "отмечен системой Инцидент" in page


def test_a_regulation_without_the_watch_says_why(app, people):
    browser = Browser(app.test_client())
    browser.login("operator")
    page = browser.get("/watch/").get_data(as_text=True)
    assert "положение не предусматривает мониторинга постов главы" in page
    assert "Посты Губернатора</a>" not in page  # no link in the header either
    assert browser.submit("/watch/", "/watch/", {"url": POST}, follow=False).status_code == 404
