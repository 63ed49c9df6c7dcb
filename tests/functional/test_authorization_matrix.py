"""The authorization matrix: every route of the reference app × every method × every role.

The expected outcome of each cell is one table, ``tests/functional/authz_table.py``
(``EXPECTED``, with ``Outcome`` explained there). A route of ``app.url_map`` with no
row there, or a row for a route that is gone, fails ``test_every_route_has_a_row``.

Each cell is one request by a signed-in person of that role (or an anonymous
visitor), every POST with a valid CSRF token, on one world built once for the
module: people of every role, a NEW message, messages routed to subdivision A
(one with a submitted draft, one waiting for its author), a redirect whose
delivery failed, a quarantined record, a calendar override, a dictionary word
and a topic rule. Every table of the database is compared before and after the
cell: a denied cell must change nothing, an allowed POST must change something.
A cell that changed data is undone by restoring the SQLite file, so every cell
starts from the same state and the cells may run in any order.

The matrix runs on SQLite only: authorization does not depend on the database,
and the rest of the suite covers PostgreSQL.
"""

from __future__ import annotations

import io
import re
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from sqlalchemy import select
from werkzeug.routing import AnyConverter

from incident_bridge.domain.errors import TransientDeliveryError
from incident_bridge.domain.model import DraftKind, RejectedRecord
from incident_bridge.domain.workflow import OutboxState, Status
from incident_bridge.persistence.base import Base
from incident_bridge.persistence.models import (
    CalendarOverrideRow,
    DictionaryWord,
    Incident,
    OutboxMessage,
    QuarantinedRecord,
    TopicRoute,
)
from incident_bridge.services import (
    api_tokens,
    calendar_admin,
    checks,
    directory,
    outbox,
    phrases,
    polling,
    quarantine,
    repeats,
    routing,
    webhooks,
    workflow,
)
from incident_bridge.services import people as people_service
from incident_bridge.services.actors import actor_for
from tests.conftest import make_app, make_people, migrate
from tests.fakes import GOOD_ANSWER, FakeIncidentSystem, make_card
from tests.functional.authz_table import EXPECTED, KNOWN_BUGS, READ_ONLY, ROLES, Outcome, Route
from tests.functional.conftest import Browser

PASSWORD = "Proverka-Elets-2026"
NEW_PASSWORD = "Tri-Sinih-Kita-Plyvut-77"
#: Who signs in for each role (``make_people`` makes the first four).
LOGINS = {
    "operator": "operator",
    "admin": "admin",
    "executor_own": "roads",
    "executor_other": "housing",
    "curator": "curator",
    "regional_authority": "regional",
}
#: The message each route acts on: one in the state where its step is allowed.
INCIDENT_FOR = {
    "show": "on_review",
    "route": "new",
    "redirect": "new",
    "exclude": "new",
    "decline": "routed",
    "draft": "routed",
    "check_draft": "routed",
    "fix_draft_typography": "routed",
    "fix_typography": "on_review",
    "edit": "on_review",
    "approve": "on_review",
    "return": "on_review",
    "close": "awaiting_author",
    "resolved": "on_review",
    "assign": "new",
    "write": "routed",
    "return_part": "routed",
    "publish": "routed",
    "finish": "routed",
    "unlink": "routed",  # linked in the world as a repeat of the new message
    "link": "on_review",
}
SKIPPED_METHODS = {"HEAD", "OPTIONS"}
#: The REST API signs in with a token, not the session: its permissions are the same use
#: cases', checked per role in tests/functional/test_api.py and fuzzed by Schemathesis.
API_ENDPOINTS = ("incident_bridge_api_incidents.", "incident_bridge_api_directory.",
                 "incident_bridge_api_library.",
                 "incident_bridge_api_docs.", "incident-bridge-api-docs.")  # fmt: skip


def routes_of(app: Flask) -> set[Route]:
    """Every (endpoint, method, variant) the app answers; ``<any(a, b):x>`` gives one per value."""
    found: set[Route] = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith(API_ENDPOINTS):
            continue
        variants = [""]
        for converter in rule._converters.values():  # werkzeug keeps a rule's converters here
            if isinstance(converter, AnyConverter):
                variants = sorted(converter.items)
        for method in sorted((rule.methods or set()) - SKIPPED_METHODS):
            found.update(Route(rule.endpoint, method, variant) for variant in variants)
    return found


# --- the world every cell runs in ----------------------------------------------------------


@dataclass
class World:
    """The app, its objects' ids, one browser per role, and the saved database to go back to."""

    app: Flask
    database: Path
    saved: Path
    ids: dict[str, int]
    versions: dict[str, int]
    baseline: dict[str, list[str]] = field(default_factory=dict)
    browsers: dict[str, Browser] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    identities: dict[str, str | None] = field(default_factory=dict)

    def snapshot(self) -> dict[str, list[str]]:
        """Every row of every bridge table (sorted), so any change anywhere shows."""
        with self.app.app_context():
            session = self.app.extensions["incident_bridge"].session()
            tables = {
                table.name: sorted(repr(tuple(r)) for r in session.execute(select(table)))
                for table in Base.metadata.sorted_tables
            }
            session.remove()
        return tables

    def restore(self) -> None:
        """Put the database back as it was before the first cell."""
        self.dispose()
        _copy_database(self.saved, self.database)

    def dispose(self) -> None:
        """Close the app's pooled connections (before the file underneath them is replaced)."""
        with self.app.app_context():
            self.app.extensions["incident_bridge"].db.engine.dispose()

    def sign_in(self, role: str) -> None:
        """A fresh browser for ``role``, signed in (anonymous: not), with its CSRF token."""
        browser = Browser(self.app.test_client())
        if role == "anonymous":
            self.tokens[role] = browser.token("/login")
        else:
            assert browser.login(LOGINS[role], PASSWORD).status_code == 200
            self.tokens[role] = browser.token("/")
        self.browsers[role] = browser
        self.identities[role] = _session(browser).get("_user_id")

    def identity_kept(self, role: str) -> bool:
        """Whether the role's browser is still who it was (a logout or a new password end it)."""
        return _session(self.browsers[role]).get("_user_id") == self.identities[role]


def _session(browser: Browser) -> dict[str, Any]:
    with browser.client.session_transaction() as session:
        return dict(session)


def _take_flashes(browser: Browser) -> list[tuple[str, str]]:
    """The messages flashed for the next page (taken, so the next cell starts with none)."""
    with browser.client.session_transaction() as session:
        return list(session.pop("_flashes", [])) if "_flashes" in session else []


def _build(app: Flask, fake: FakeIncidentSystem) -> tuple[dict[str, int], dict[str, int]]:
    """People of every role and one object of every kind a route acts on: (ids, versions)."""
    now = datetime.now(UTC)
    people = make_people(app, now)
    names = ("new", "routed", "on_review", "awaiting_author", "redirected")
    cards = {name: fake.add(make_card(external_id=f"AUTHZ-{name.upper()}")) for name in names}
    with app.app_context():
        state = app.extensions["incident_bridge"]
        session, uow, ctx = state.session(), state.unit_of_work(), state.context

        def person(login: str, role: str, *, active: bool = True) -> int:
            user = directory.create_user(
                uow, login=login, full_name=login.title(), password=PASSWORD, role=role,
                subdivision_id=None, now=now,
            )  # fmt: skip
            if not active:
                directory.set_active(uow, user.id, False, by=directory.CONSOLE, now=now)
            return user.id

        ids = {
            "subdivision_a": people["roads"].id,
            "subdivision_b": people["housing"].id,
            "curator": person("curator", "curator"),
            "regional": person("regional", "regional_authority"),
            "spare": person("spare", "operator"),  # whom the admin deactivates, re-roles, resets
            "retired": person("retired", "operator", active=False),  # whom the admin activates
            "operator": people["operator"].id,
            "roads_executor": people["roads_executor"].id,
        }
        polling.poll(uow, ctx, fake, now)
        stored = dict(session.execute(select(Incident.external_id, Incident.id)).all())
        incident = {name: stored[card.external_id] for name, card in cards.items()}
        operator, executor = actor_for(people["operator"]), actor_for(people["roads_executor"])
        for name in ("routed", "on_review", "awaiting_author"):
            workflow.route(uow, ctx, incident[name], operator, ids["subdivision_a"], now=now)
        answer, clarification = DraftKind.ANSWER, DraftKind.CLARIFICATION
        question = "Здравствуйте, Иван! Уточните, пожалуйста, номер дома."
        workflow.submit_draft(
            uow, ctx, incident["on_review"], executor, answer, GOOD_ANSWER, now=now
        )
        workflow.submit_draft(uow, ctx, incident["awaiting_author"], executor, clarification,
                              question, now=now)  # fmt: skip
        workflow.approve(uow, ctx, incident["awaiting_author"], operator, now=now,
                         override_reason="Уточнение проверено.")  # fmt: skip
        assert outbox.push(uow, ctx, fake, now).sent == 1  # the author is asked
        reason = "Не в компетенции администрации."
        workflow.redirect(uow, ctx, incident["redirected"], operator, reason, now=now)
        fake.failures.append(TransientDeliveryError("connection reset by peer"))
        assert outbox.push(uow, ctx, fake, now, max_attempts=1).needs_attention == 1
        bad = RejectedRecord("AUTHZ-Q", '{"id": "AUTHZ-Q", "text": 5}', "text: не строка")
        with uow:
            quarantine.quarantine(uow, bad, now, source=quarantine.FETCH)
        fake.add(make_card(external_id="AUTHZ-Q"))  # fixed in the system: a retry fetches it
        holiday = date(now.year + 1, 3, 10)
        calendar_admin.add_override(uow, day=holiday, kind="holiday", reason="Распоряжение № 1",
                                    by="Admin", now=now)  # fmt: skip
        checks.add_word(uow, "Ельчане", by="Admin", now=now)
        leave = people_service.AbsenceInput("leave", date(now.year + 1, 7, 1),
                                            date(now.year + 1, 7, 14), None)  # fmt: skip
        absence = people_service.record_absence(uow, ctx, actor_for(people["admin"]),
                                                people["housing_executor"].id, leave, now=now)  # fmt: skip
        routing.add_topic_route(uow, topic="Уборка снега", subdivision_id=ids["subdivision_a"],
                                by="Admin", now=now)  # fmt: skip
        repeats.link(uow, ctx, incident["routed"], operator, cards["new"].number, now=now)
        hook = webhooks.subscribe(uow, "https://dms.example/hook", [webhooks.INCIDENT_CREATED],
                                  "СЭД", actor_for(people["admin"]), now).webhook  # fmt: skip
        ids["webhook"] = hook.id
        phrase = phrases.add(uow, operator, subdivision_id=ids["subdivision_a"], title="Сроки",
                             text="Работы запланированы на май.", now=now)  # fmt: skip
        assert session.get(Incident, incident["awaiting_author"]).status is Status.AWAITING_AUTHOR
        ids |= {f"incident:{name}": number for name, number in incident.items()}
        failed = OutboxState.NEEDS_ATTENTION
        ids |= {
            "outbox": session.scalar(select(OutboxMessage.id).where(OutboxMessage.state == failed)),
            "quarantine": session.scalar(select(QuarantinedRecord.id)),
            "override": session.scalar(select(CalendarOverrideRow.id)),
            "word": session.scalar(select(DictionaryWord.id)),
            "topic_route": session.scalar(select(TopicRoute.id)),
            "absence": absence.id,
            "token": api_tokens.create(uow, people["operator"].id, name="СЭД", expires_days=None,
                                       by=actor_for(people["admin"]), now=now).row.id,
            "phrase": phrase.id,
        }  # fmt: skip
        versions = {name: session.get(Incident, n).version_id for name, n in incident.items()}
        session.remove()
    return ids, versions


def _copy_database(source: Path, target: Path) -> None:
    """Copy one SQLite file onto another with SQLite's backup (pages, not a file copy)."""
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """The app on a SQLite file with the objects every route needs, a browser per role."""
    folder = tmp_path_factory.mktemp("authz")
    database = folder / "bridge.sqlite3"
    app = make_app(f"sqlite:///{database}", folder)
    fake = FakeIncidentSystem()
    app.extensions["incident_bridge"].system_factory = lambda settings: fake
    migrate(app)
    ids, versions = _build(app, fake)
    result = World(app, database, folder / "saved.sqlite3", ids, versions)
    for role in ROLES:
        result.sign_in(role)
    result.dispose()
    _copy_database(database, result.saved)
    result.baseline = result.snapshot()
    yield result
    result.dispose()


# --- what each request carries -------------------------------------------------------------


def _import_file() -> dict[str, Any]:
    csv = (
        "Номер;Дата создания;Текст инцидента;Муниципалитет;Группа тем;Тема;Урл блога;Важность\n"
        "7001;30.10.2025 10:15;Яма на ул. Мира, когда заделают?;Елец;Дороги;Ямы;"
        "https://vk.com/wall-1_7;Обычная\n"
    )
    return {"file": (io.BytesIO(csv.encode()), "export.csv")}


Form = Callable[[World, str], dict[str, Any]]

#: The fields of each POST (besides its CSRF token): what a person of the role would send.
FORMS: dict[str, Form] = {
    "incident_bridge_api_tokens.issue": lambda w, role: {"user": w.ids["operator"], "name": "СЭД"},
    "incident_bridge_auth.login": lambda w, role: {
        "login": LOGINS.get(role, "operator"),
        "password": PASSWORD,
    },
    "incident_bridge_auth.change_password": lambda w, role: {
        "current": PASSWORD,
        "new": NEW_PASSWORD,
        "repeat": NEW_PASSWORD,
    },
    "incident_bridge_incidents.route": lambda w, role: {
        "subdivision": w.ids["subdivision_a"],
    },
    "incident_bridge_incidents.with_reason": lambda w, role: {"reason": "Причина указана в тесте."},
    "incident_bridge_incidents.draft": lambda w, role: {
        "kind": "answer",
        "text": GOOD_ANSWER,
        "submit": "1",
    },
    "incident_bridge_incidents.check_draft": lambda w, role: {
        "kind": "answer",
        "text": GOOD_ANSWER,
    },
    "incident_bridge_incidents.fix_draft_typography": lambda w, role: {
        "kind": "answer",
        "text": GOOD_ANSWER,
    },
    "incident_bridge_incidents.edit": lambda w, role: {
        "text": GOOD_ANSWER + " Благодарим за обращение.",
    },
    "incident_bridge_admin.add_word": lambda w, role: {"word": "Черноземье", "back": ""},
    "incident_bridge_admin.add_subdivision": lambda w, role: {"name": "Управление культуры"},
    "incident_bridge_admin.add_user": lambda w, role: {
        "login": "novichok",
        "full_name": "Новый Сотрудник",
        "password": NEW_PASSWORD,
        "role": "operator",
        "subdivision": "0",
    },
    "incident_bridge_admin.change_role": lambda w, role: {
        "user_id": w.ids["spare"],
        "role": "curator",
        "subdivision": "0",
    },
    "incident_bridge_admin.set_contact": lambda w, role: {
        "user_id": w.ids["spare"],
        "email": "spare@elets.example",
        "duty": "deputy",
    },
    "incident_bridge_admin.reset_password": lambda w, role: {
        "user_id": w.ids["spare"],
        "password": NEW_PASSWORD,
    },
    "incident_bridge_admin.retry_outbox": lambda w, role: {"back": ""},
    "incident_bridge_calendar.add": lambda w, role: {
        "day": f"{datetime.now(UTC).year + 1}-05-12",
        "kind": "holiday",
        "reason": "Распоряжение главы № 2",
        "hours": "",
    },
    "incident_bridge_topics.add": lambda w, role: {
        "topic": "Освещение улиц",
        "subdivision": w.ids["subdivision_a"],
    },
    "incident_bridge_import.index": lambda w, role: _import_file(),
    "incident_bridge_webhooks.create": lambda w, role: {
        "url": "https://dashboard.example/events",
        "description": "Региональная панель",
        "events": ["incident.created", "incident.overdue"],
    },
    "incident_bridge_parts.assign": lambda w, role: {
        "bodies-0": w.ids["subdivision_a"],
        "bodies-1": w.ids["subdivision_b"],
        "mode": "in_order",
        "combiner": "last",
    },
    "incident_bridge_parts.write": lambda w, role: {"text": GOOD_ANSWER, "submit": "1"},
    "incident_bridge_parts.decline": lambda w, role: {"reason": "Не в компетенции органа."},
    "incident_bridge_parts.return_part": lambda w, role: {"reason": "Уточните сроки."},
    "incident_bridge_repeats.unlink": lambda w, role: {"reason": "Другой адрес."},
    "incident_bridge_repeats.link": lambda w, role: {"number": _number_of(w, "new")},
    "incident_bridge_people.record_absence": lambda w, role: {
        "user_id": w.ids["roads_executor"],
        "kind": "illness",
        "first_day": f"{datetime.now(UTC).year + 1}-03-02",
        "last_day": f"{datetime.now(UTC).year + 1}-03-06",
        "stand_in_id": "",
        "note": "",
    },
    "incident_bridge_people.change_absence": lambda w, role: {
        "user_id": w.ids["roads_executor"],
        "kind": "travel",
        "first_day": f"{datetime.now(UTC).year + 1}-07-02",
        "last_day": f"{datetime.now(UTC).year + 1}-07-10",
        "stand_in_id": "",
        "note": "Командировка в область",
    },
    "incident_bridge_people.end_absence": lambda w, role: {
        "last_day": f"{datetime.now(UTC).year + 1}-07-05",
    },
    "incident_bridge_phrases.add": lambda w, role: {
        "subdivision": "0",
        "title": "Направлено в УК",
        "text": "Ваше обращение направлено в управляющую компанию.",
    },
    "incident_bridge_phrases.edit": lambda w, role: {
        "subdivision": w.ids["subdivision_a"],
        "title": "Сроки",
        "text": "Работы запланированы на июнь.",
    },
    "incident_bridge_people.set_responsible": lambda w, role: {
        "subdivision_id": w.ids["subdivision_a"],
        "user_id": w.ids["operator"],
    },
}


def _number_of(world: World, name: str) -> str:
    """The number of one of the world's messages (to link another to it by number)."""
    with world.app.app_context():
        session = world.app.extensions["incident_bridge"].session()
        number = str(session.get(Incident, world.ids[f"incident:{name}"]).number)
        session.remove()
    return number


def _form(world: World, route: Route, role: str) -> dict[str, Any]:
    """The route's fields; an action on a message also carries the version the person saw."""
    if route.endpoint == "incident_bridge_admin.set_user_state":
        return {"user_id": world.ids["retired" if route.variant == "activate" else "spare"]}
    make = FORMS.get(route.endpoint)
    fields = make(world, role) if make else {}
    if _step(route) in INCIDENT_FOR:
        fields["version"] = world.versions[INCIDENT_FOR[_step(route)]]
    return fields


def _step(route: Route) -> str:
    """The step a route takes: its ``<any(...)>`` value, else its view's name."""
    return route.variant or route.endpoint.rpartition(".")[2]


def _incident_id(world: World, route: Route) -> int:
    assert _step(route) in INCIDENT_FOR, f"{route}: which message? Add it to INCIDENT_FOR"
    return world.ids[f"incident:{INCIDENT_FOR[_step(route)]}"]


#: Each path parameter of the app's rules, filled from the world.
PARAMS: dict[str, Callable[[World, Route], object]] = {
    "incident_id": _incident_id,
    "word_id": lambda w, route: w.ids["word"],
    "override_id": lambda w, route: w.ids["override"],
    "record_id": lambda w, route: w.ids["quarantine"],
    "outbox_id": lambda w, route: w.ids["outbox"],
    "route_id": lambda w, route: w.ids["topic_route"],
    # Yelets has no Governor's posts watch: any id of a post or a watch task is a 404.
    "post_id": lambda w, route: 1,
    "task_id": lambda w, route: 1,
    "absence_id": lambda w, route: w.ids["absence"],
    "token_id": lambda w, route: w.ids["token"],
    "webhook_id": lambda w, route: w.ids["webhook"],
    "phrase_id": lambda w, route: w.ids["phrase"],
    "filename": lambda w, route: (
        "site.css" if route.endpoint == "static" else "incident_bridge/favicon.svg"
    ),
    "part_id": lambda w, route: 1,  # Yelets has no parts: the step is refused before the id
    "step": lambda w, route: route.variant,
    "change": lambda w, route: route.variant,
}


def _url(world: World, route: Route) -> str:
    """The route's URL, its parameters filled with the ids of the world's objects."""
    (rule,) = world.app.url_map.iter_rules(route.endpoint)
    missing = sorted(set(rule.arguments) - set(PARAMS))
    assert not missing, f"{route}: no value for {missing}; add it to PARAMS"
    values = {name: PARAMS[name](world, route) for name in rule.arguments}
    return world.app.url_map.bind("localhost").build(route.endpoint, values)


# --- one cell ------------------------------------------------------------------------------


@dataclass
class Result:
    """What one request did: how it reads, its flashes, its page, the tables it changed."""

    outcome: Outcome | str
    flashes: list[tuple[str, str]]
    page: str
    changed: list[str]


def _observe(response: Any, flashes: list[tuple[str, str]]) -> Outcome | str:
    code = response.status_code
    location = urlsplit(response.headers.get("Location", ""))
    if code in (301, 302, 303) and location.path == "/login" and "next=" in location.query:
        return Outcome.LOGIN  # Flask-Login's redirect (a logout lands on /login too, without next)
    known = {400: Outcome.BAD_REQUEST, 403: Outcome.FORBIDDEN, 404: Outcome.NOT_FOUND}
    if code in known:
        return known[code]
    if 300 <= code < 400 and any(category == "error" for category, _ in flashes):
        return Outcome.REFUSED
    # /healthz answers 503 when a part of the bridge is down: an answer, not a refusal.
    if 200 <= code < 400 or (response.request.path == "/healthz" and code == 503):
        return Outcome.OK
    return f"HTTP {code}"


def _run(world: World, route: Route, role: str, *, csrf: bool = True) -> Result:
    """One request as ``role``; then the database and the role's browser are put back."""
    browser = world.browsers[role]
    url = _url(world, route)
    if route.method == "GET":
        response = browser.client.get(url)
    else:
        data = _form(world, route, role)
        if csrf:
            data["csrf_token"] = world.tokens[role]
        response = browser.client.open(url, method=route.method, data=data)
    binary = not response.mimetype.startswith(("text/", "application/json"))
    page = "" if binary else response.get_data(as_text=True)  # an XLSX or DOCX download
    response.close()  # a static file is streamed: its handle closes with the response
    flashes = _take_flashes(browser)
    after = world.snapshot()
    changed = [name for name in after if after[name] != world.baseline[name]]
    if changed:
        world.restore()
    if not world.identity_kept(role):  # signed out, signed in as someone, a new password
        world.sign_in(role)
        world.restore()  # the sign-in's own entry in the security log
    return Result(_observe(response, flashes), flashes, page, changed)


def _cell(route: Route, role: str) -> Any:
    bug = KNOWN_BUGS.get((route, role))
    marks = [pytest.mark.xfail(strict=True, reason=bug)] if bug else []
    return pytest.param(route, role, id=f"{route}-{role}", marks=marks)


@pytest.mark.parametrize(
    ("route", "role"), [_cell(route, role) for route in sorted(EXPECTED) for role in ROLES]
)
def test_cell(world: World, route: Route, role: str) -> None:
    """The role gets the table's outcome; denied, nothing changed; allowed, the action was done."""
    expected = EXPECTED[route][role]
    result = _run(world, route, role)
    where = f"{route} as {role}: flashed {result.flashes}, changed {result.changed}"
    assert result.outcome == expected, where
    errors = [text for category, text in result.flashes if category == "error"]
    if expected is Outcome.OK:
        assert not errors, where
        if route.method == "POST" and route not in READ_ONLY:
            assert result.changed, f"{where}: allowed, yet nothing was done"
    else:
        assert not result.changed, f"{where}: denied, yet the data changed"
    if expected is Outcome.REFUSED:
        assert all(re.search("[а-яё]", text.lower()) for text in errors), where
        assert not any("Форма устарела" in text for text in errors), f"{where}: the CSRF token"


def test_every_route_has_a_row(world: World) -> None:
    """A new route needs its row in ``authz_table.EXPECTED``; a removed route loses it."""
    present = routes_of(world.app)
    missing = sorted(map(str, present - set(EXPECTED)))
    extra = sorted(map(str, set(EXPECTED) - present))
    assert not missing and not extra, f"routes with no row: {missing}; rows of no route: {extra}"
    for route, outcomes in EXPECTED.items():
        assert set(outcomes) == set(ROLES), f"{route}: roles {sorted(set(ROLES) ^ set(outcomes))}"
    assert set(KNOWN_BUGS) <= {(route, role) for route in EXPECTED for role in ROLES}


POSTS = sorted(route for route in EXPECTED if route.method == "POST")


@pytest.mark.parametrize("route", POSTS, ids=map(str, POSTS))
def test_a_post_without_its_csrf_token_is_refused_before_the_view(
    world: World, route: Route
) -> None:
    """Even the admin's form without its token: a Russian 400 page, nothing changed."""
    result = _run(world, route, "admin", csrf=False)
    assert result.outcome is Outcome.BAD_REQUEST, f"{route}: {result.outcome}"
    assert "Форма устарела" in result.page
    assert not result.changed, f"{route}: changed {result.changed} without a CSRF token"
