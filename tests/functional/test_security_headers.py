"""Security headers on every page of the bridge, and pages that need no inline script or style.

A strict Content-Security-Policy (no ``'unsafe-inline'``) only holds if no page has an inline
``<script>``, ``<style>``, ``style=""`` or ``on…=""`` attribute: every page is checked for both.
"""

from __future__ import annotations

import http.client
import io
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from werkzeug.serving import make_server

from incident_bridge.domain.errors import TransientDeliveryError
from incident_bridge.domain.model import DraftKind, RejectedRecord
from incident_bridge.persistence.models import Incident
from incident_bridge.services import calendar_admin, checks, outbox, polling, routing, workflow
from incident_bridge.services.actors import actor_for
from incident_bridge.web.security_headers import (
    CONTENT_SECURITY_POLICY,
    HEADERS,
    UnversionedRequestHandler,
)
from tests.conftest import make_app
from tests.fakes import GOOD_ANSWER, FakeIncidentSystem, make_card
from tests.functional.conftest import Browser

POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)
EXPECTED = {
    "Content-Security-Policy": POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Server": "incident-bridge",
}
#: A draft with a misspelling and a local word: the review shows «В словарь: «водоканальцы»».
MISSPELT = (
    "Здравствуйте, Иван! Яму у дома 12 на улице Ленина заделаем до 5 ноября. "
    "Бригада водоканальцы уже выехала, извените за неудобства."
)


# --- The bridge with something on every page ----------------------------------------------------


@dataclass(frozen=True)
class Page:
    """One page of the bridge as one person sees it."""

    name: str
    login: str | None  # None: signed out
    url: str
    status: int = 200


@dataclass(frozen=True)
class Seeded:
    """Messages in every state that has its own forms, and the admin pages' rows."""

    new: int  # route, redirect, exclude
    routed: int  # the executor's draft (live check, counter) and decline
    on_review: int  # the review: checks with «В словарь», edit (counter), approve, return
    stuck: int  # approved, its delivery out of attempts: «Отправить повторно»

    def pages(self) -> list[Page]:
        """Every page of the bridge, each as the person who sees the most of it."""
        return [
            Page("login", None, "/login"),
            Page("healthz", None, "/healthz"),
            Page("404 signed out", None, "/no-such-page", 404),
            Page("queue", "operator", "/"),
            Page("queue, executor", "roads", "/?mine=1"),
            Page("message: new", "operator", f"/incidents/{self.new}"),
            Page("message: draft", "roads", f"/incidents/{self.routed}"),
            Page("message: review", "operator", f"/incidents/{self.on_review}"),
            Page("message: delivery stuck", "operator", f"/incidents/{self.stuck}"),
            Page("import", "operator", "/admin/import/"),
            Page("admin", "admin", "/admin/"),
            Page("calendar", "admin", "/admin/calendar/?year=2025"),
            Page("topics", "admin", "/admin/topics/"),
            Page("403", "roads", "/admin/", 403),
            Page("404", "operator", "/incidents/999999", 404),
            Page("405", "operator", "/logout", 405),
        ]


def seed(app: Flask, people: dict[str, Any], fake_system: FakeIncidentSystem) -> Seeded:
    """Fill the bridge so that every page shows every kind of row and form it has."""
    now = datetime.now(UTC)
    state = app.extensions["incident_bridge"]
    operator = actor_for(people["operator"])
    executor, roads = actor_for(people["roads_executor"]), people["roads"].id
    cards = [fake_system.add(make_card(text=f"Яма у дома {n}. Когда заделают?")) for n in range(4)]
    fake_system.rejected.append(
        RejectedRecord("INC-BAD", '{"id": "INC-BAD", "text": 5}', "text: не строка")
    )
    with app.app_context():
        uow, ctx, session = state.unit_of_work(), state.context, state.session()
        polling.poll(uow, ctx, fake_system, now)
        new, routed, on_review, stuck = (
            session.scalar(select(Incident.id).where(Incident.external_id == card.external_id))
            for card in cards
        )
        for incident_id in (routed, on_review, stuck):
            workflow.route(uow, ctx, incident_id, operator, roads, now=now)
        workflow.submit_draft(uow, ctx, on_review, executor, DraftKind.ANSWER, MISSPELT, now=now)
        workflow.submit_draft(uow, ctx, stuck, executor, DraftKind.ANSWER, GOOD_ANSWER, now=now)
        workflow.approve(uow, ctx, stuck, operator, now=now)
        fake_system.failures.append(TransientDeliveryError("connection reset by peer"))
        outbox.push(uow, ctx, fake_system, now, max_attempts=1)
        checks.add_word(uow, "Ленина", by="Admin", now=now)
        routing.add_topic_route(
            uow, topic="Ямы на дорогах", subdivision_id=roads, by="Admin", now=now
        )
        calendar_admin.add_override(
            uow, day=date(2025, 11, 11), kind="holiday", reason="№ 1-р", by="Admin", now=now
        )
        session.remove()
    return Seeded(new=new, routed=routed, on_review=on_review, stuck=stuck)


# --- What a page may contain under the policy ----------------------------------------------------


class InlineCode(HTMLParser):
    """Everything in a page that a CSP without ``'unsafe-inline'`` would block."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self.sources: list[str] = []  # every script's and stylesheet's URL

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if tag == "script":
            if named.get("src"):
                self.sources.append(str(named["src"]))
            else:
                self.found.append("<script> without src")
        if tag == "style":
            self.found.append("<style>")
        if tag == "link" and named.get("rel") == "stylesheet":
            self.sources.append(str(named.get("href")))
        for name, value in attrs:
            if name == "style" or re.fullmatch(r"on[a-z]+", name):
                self.found.append(f'<{tag} {name}="{value}">')
            if value and value.strip().lower().startswith("javascript:"):
                self.found.append(f'<{tag} {name}="{value}">')


def inline_code(page: str) -> InlineCode:
    parser = InlineCode()
    parser.feed(page)
    return parser


def _signed_in(app: Flask, login: str | None) -> Browser:
    browser = Browser(app.test_client())
    if login is not None:
        browser.login(login)
    return browser


def _headers(response: Any) -> dict[str, list[str]]:
    return {name: response.headers.getlist(name) for name in EXPECTED}


@pytest.fixture
def seeded(app: Flask, people: dict[str, Any], fake_system: FakeIncidentSystem) -> Seeded:
    return seed(app, people, fake_system)


def test_the_policy_is_the_one_the_audit_asked_for():
    assert CONTENT_SECURITY_POLICY == POLICY
    assert HEADERS == EXPECTED


def test_every_page_carries_the_headers_and_no_inline_script_or_style(app, seeded):
    browsers: dict[str | None, Browser] = {}
    for page in seeded.pages():
        if page.login not in browsers:
            browsers[page.login] = _signed_in(app, page.login)
        response = browsers[page.login].get(page.url)
        assert response.status_code == page.status, page
        assert _headers(response) == {k: [v] for k, v in EXPECTED.items()}, page
        html = response.get_data(as_text=True)
        found = inline_code(html)
        assert found.found == [], page
        assert not re.search(r' style="| on[a-z]+="', html), page
        if response.mimetype == "text/html":
            assert found.sources and all(s.startswith("/bridge-static/") for s in found.sources)


TEMPLATES = Path(__file__).parents[2] / "incident_bridge" / "web" / "templates" / "incident_bridge"
INLINE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b| style=\"| on[a-z]+=\"", re.I)


@pytest.mark.parametrize("template", sorted(p.name for p in TEMPLATES.glob("*.html")))
def test_no_template_has_inline_script_style_or_handler(template):
    """Also the templates of pages no test here opens (a page added later is covered too)."""
    assert INLINE.findall((TEMPLATES / template).read_text(encoding="utf-8")) == []


def test_the_pages_show_their_forms_and_configure_the_script_with_data_attributes(app, seeded):
    executor = _signed_in(app, "roads")
    draft = executor.get(f"/incidents/{seeded.routed}").get_data(as_text=True)
    assert f'data-check-url="/incidents/{seeded.routed}/draft/check"' in draft
    assert (
        'id="check-draft"' in draft and "data-live-check" in draft and "data-live-checks" in draft
    )
    [textarea] = [t for t in re.findall(r"<textarea[^>]+>", draft) if 'id="draft-text"' in t]
    assert 'data-limit="4096"' in textarea
    assert 'class="muted char-count" data-for="draft-text"' in draft
    review = _signed_in(app, "operator").get(f"/incidents/{seeded.on_review}")
    page = review.get_data(as_text=True)
    assert 'data-confirm="Добавить «водоканальцы» в словарь организации?' in page
    assert 'data-for="edit-text"' in page
    assert 'id="form-approve"' in page and 'id="form-return"' in page
    new = _signed_in(app, "operator").get(f"/incidents/{seeded.new}").get_data(as_text=True)
    assert all(f'id="form-{step}"' in new for step in ("route", "redirect", "exclude"))
    stuck = _signed_in(app, "operator").get(f"/incidents/{seeded.stuck}").get_data(as_text=True)
    assert 'value="Отправить повторно"' in stuck


def test_the_static_files_have_their_types_so_nosniff_keeps_them_working(app):
    client = app.test_client()
    for name, mimetype in (
        ("bridge.css", "text/css"),
        ("bridge.js", "text/javascript"),
        ("favicon.svg", "image/svg+xml"),
    ):
        with client.get(f"/bridge-static/incident_bridge/{name}") as response:
            assert response.status_code == 200 and response.mimetype == mimetype, name
            assert _headers(response) == {k: [v] for k, v in EXPECTED.items()}, name


def test_posts_redirects_fragments_and_500_pages_carry_them_too(app, seeded):
    def explode() -> Any:
        raise RuntimeError("boom")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    app.add_url_rule("/_test/explode", "test_explode", explode)
    browser = Browser(app.test_client())
    signed_in = browser.login("roads")  # a POST that redirects, followed
    assert _headers(signed_in.history[0])["X-Frame-Options"] == ["DENY"]
    url = f"/incidents/{seeded.routed}"
    fragment = browser.submit(url, f"{url}/draft/check", {"kind": "answer", "text": "Заделаем."})
    assert fragment.status_code == 200 and 'id="checks"' in fragment.get_data(as_text=True)
    assert _headers(fragment) == {k: [v] for k, v in EXPECTED.items()}
    assert inline_code(fragment.get_data(as_text=True)).found == []
    failed = browser.get("/_test/explode")
    assert failed.status_code == 500 and "Внутренняя ошибка сервера" in browser.last_page
    assert _headers(failed) == {k: [v] for k, v in EXPECTED.items()}


def test_the_host_keeps_its_own_headers_and_its_own_pages(app, people):
    def host_page() -> str:
        return "<p>страница приложения</p>"

    def host_headers(response: Any) -> Any:
        response.headers["X-Frame-Options"] = "SAMEORIGIN"
        return response

    app.add_url_rule("/host-page", "host_page", host_page)
    app.after_request(host_headers)  # runs before the bridge's: the bridge keeps what it set
    client = app.test_client()
    login = client.get("/login")
    assert login.headers.getlist("X-Frame-Options") == ["SAMEORIGIN"]
    assert login.headers["Content-Security-Policy"] == POLICY
    host = client.get("/host-page")
    assert "Content-Security-Policy" not in host.headers and "Server" not in host.headers


@contextmanager
def _app_with(tmp_path: Path, app: Flask, **config: Any) -> Iterator[Flask]:
    """Another reference app on the test's database, with ``config``."""
    other = make_app(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path / "other", **config)
    try:
        yield other
    finally:
        with other.app_context():
            other.extensions["incident_bridge"].db.engine.dispose()


def test_a_host_that_sets_its_own_headers_turns_them_off(app, people, tmp_path: Path):
    with _app_with(tmp_path, app, INCIDENT_BRIDGE_SECURITY_HEADERS=False) as own:
        client = own.test_client()
        for url in (
            "/login",
            "/healthz",
            "/no-such-page",
            "/bridge-static/incident_bridge/bridge.js",
        ):
            with client.get(url) as response:
                assert all(not values for values in _headers(response).values()), url


def test_a_host_with_its_own_error_pages_gets_no_headers_on_them(app, people, tmp_path: Path):
    with _app_with(tmp_path, app, INCIDENT_BRIDGE_ERROR_PAGES=False) as own:
        client = own.test_client()
        assert client.get("/login").headers["Content-Security-Policy"] == POLICY
        not_found = client.get("/no-such-page")
        assert not_found.status_code == 404 and "Content-Security-Policy" not in not_found.headers


# --- The Server header over a real socket -------------------------------------------------------


@pytest.fixture
def served(app: Flask) -> Iterator[int]:
    """The app on a loopback port, with the request handler ``make run`` uses."""
    server = make_server(
        "127.0.0.1", 0, app, threaded=True, request_handler=UnversionedRequestHandler
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_port
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def _server_headers(port: int, path: str) -> list[str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return [value for name, value in response.getheaders() if name.lower() == "server"]
    finally:
        connection.close()


def test_the_server_header_names_no_version_under_werkzeug(served, people):
    for path in ("/login", "/no-such-page", "/bridge-static/incident_bridge/bridge.css"):
        assert _server_headers(served, path) == ["incident-bridge"], path


def test_werkzeugs_own_handler_would_send_its_versions_beside_ours(app, people):
    """Why ``make run`` passes its own request handler: an app's Server header cannot replace it."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        values = _server_headers(server.server_port, "/login")
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
    assert "incident-bridge" in values and any(v.startswith("Werkzeug/") for v in values)


def test_the_import_report_page_has_no_inline_code_either(app, people):
    browser = _signed_in(app, "operator")
    token = browser.token("/admin/import/")
    rows = (
        "Номер;Дата создания;Текст инцидента;Муниципалитет;Группа тем;Тема;Урл блога;Важность\n"
        "1001;30.10.2025 10:15;Яма на ул. Ленина;Елец;Дороги;Ямы;https://vk.com/wall-1_1;Высокая\n"
    ).encode()
    response = browser.client.post(
        "/admin/import/",
        data={
            "csrf_token": token,
            "file": (io.BytesIO(rows), "export.csv"),
            "exported_at": "2025-10-30T13:00",
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="import-report"' in page
    assert _headers(response) == {k: [v] for k, v in EXPECTED.items()}
    assert inline_code(page).found == []
