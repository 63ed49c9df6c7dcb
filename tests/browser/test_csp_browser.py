"""The Content-Security-Policy in Chromium: no page breaks it, every feature still works, no frame.

Chromium enforces the bridge's policy (Playwright's ``bypass_csp`` stays off); a violation is
seen both as a ``securitypolicyviolation`` event and as a console message.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.functional.test_security_headers import POLICY, Seeded, seed

PASSWORD = "Proverka-Elets-2026"  # make_people's (tests/conftest.py)
#: Records every violation of the page's policy, from before the page's own script runs.
WATCH_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


class Person:
    """One person's Chromium tab, recording every CSP violation and every dialog."""

    def __init__(self, page: Any, base: str) -> None:
        self.page = page
        self.base = base
        self.console: list[str] = []
        self.dialogs: list[str] = []
        page.add_init_script(WATCH_VIOLATIONS)
        page.on("console", lambda message: self.console.append(message.text))
        page.on("dialog", lambda dialog: (self.dialogs.append(dialog.message), dialog.dismiss()))
        page.set_default_timeout(10_000)

    def login(self, login: str) -> None:
        self.open("/login")
        self.page.fill("input[name=login]", login)
        self.page.fill("input[name=password]", PASSWORD)
        with self.page.expect_navigation():
            self.page.click("input[type=submit]")

    def open(self, url: str) -> Any:
        """Go to a page of the bridge; the HTTP response."""
        return self.page.goto(self.base + url, wait_until="load")

    def violations(self) -> list[str]:
        """Every violation on the current page, and every one the console reported in this tab."""
        reported = self.page.evaluate("window.__violations || []")
        in_console = [m for m in self.console if "Content Security Policy" in m]
        return [*reported, *in_console]


@pytest.fixture
def app(app: Any) -> Any:
    """The reference app with one page of the host's own (no headers), for the framing control."""
    app.add_url_rule("/host-page", "host_page", lambda: '<p id="host">страница приложения</p>')
    return app


@pytest.fixture
def person(chromium: Any, live_server: str) -> Iterator[Any]:
    """A factory of signed-in (or signed-out) tabs, each in its own browser context."""
    contexts: list[Any] = []

    def new(login: str | None = None) -> Person:
        context = chromium.new_context(locale="ru-RU", viewport={"width": 1280, "height": 900})
        contexts.append(context)
        someone = Person(context.new_page(), live_server)
        if login is not None:
            someone.login(login)
        return someone

    yield new
    for context in contexts:
        context.close()


@pytest.fixture
def seeded(app: Any, people: dict[str, Any], fake_system: Any) -> Seeded:
    return seed(app, people, fake_system)


def test_no_page_of_the_bridge_violates_the_policy(seeded, person):
    tabs: dict[str | None, Person] = {}
    for page in seeded.pages():
        if page.login not in tabs:
            tabs[page.login] = person(page.login)
        tab = tabs[page.login]
        response = tab.open(page.url)
        assert response.status == page.status, page
        assert response.headers["content-security-policy"] == POLICY, page
        assert tab.violations() == [], page
        if response.headers["content-type"].startswith("text/html"):
            # The stylesheet applied: the header is the bridge's blue, the organisation paler.
            assert (
                tab.page.eval_on_selector("header", "e => getComputedStyle(e).backgroundColor")
                == "rgb(31, 78, 121)"
            ), page
            assert (
                tab.page.eval_on_selector("header .organisation", "e => getComputedStyle(e).color")
                == "rgb(223, 232, 242)"
            ), page


def test_the_policy_is_enforced_so_no_violation_means_something(person):
    """A control: an inline script and an inline style put in the page are blocked and reported."""
    tab = person()
    tab.open("/login")
    ran = tab.page.evaluate(
        """() => new Promise((resolve) => {
             window.__ran = false;
             const script = document.createElement("script");
             script.textContent = "window.__ran = true";
             document.body.append(script);
             const style = document.createElement("style");
             style.textContent = "body { background: red }";
             document.head.append(style);
             setTimeout(() => resolve(window.__ran), 200);
           })"""
    )
    assert ran is False
    reported = tab.page.evaluate("window.__violations")
    assert any(v.startswith("script-src") for v in reported)
    assert any(v.startswith("style-src") for v in reported)
    assert tab.page.eval_on_selector("body", "e => getComputedStyle(e).backgroundColor") != (
        "rgb(255, 0, 0)"
    )


def test_the_live_check_and_the_counter_work_under_the_policy(seeded, person):
    executor = person("roads")
    executor.open(f"/incidents/{seeded.routed}")
    note = executor.page.locator('.char-count[data-for="draft-text"]')
    assert note.inner_text() == "Знаков: 0 из 4096."
    executor.page.fill("#draft-text", "Здравствуйте, Иван! Яму заделаем.")
    assert note.inner_text() == "Знаков: 33 из 4096."
    executor.page.locator("#draft-text").press_sequentially("!!")
    assert note.inner_text() == "Знаков: 35 из 4096."
    assert "overdue" not in (note.get_attribute("class") or "")
    executor.page.fill("#draft-text", "я" * 4100)
    assert note.inner_text().startswith("Знаков: 4100 из 4096 — на 4 больше")
    assert "overdue" in (note.get_attribute("class") or "")

    executor.page.fill("#draft-text", "заделаем яму")
    executor.page.click("#check-draft")
    executor.page.wait_for_selector("#live-checks #checks")
    assert "Автоматическая проверка проекта" in executor.page.inner_text("#live-checks")
    assert executor.page.url.endswith(f"/incidents/{seeded.routed}")  # checked, not saved
    assert executor.violations() == []


def test_the_dictionary_button_still_asks_first(seeded, person, app):
    operator = person("operator")
    operator.open(f"/incidents/{seeded.on_review}")
    button = operator.page.locator('#checks input[type=submit][value="В словарь: «водоканальцы»"]')
    button.click()
    assert operator.dialogs == [
        "Добавить «водоканальцы» в словарь организации? Проверка орфографии перестанет его отмечать."
    ]
    operator.page.wait_for_timeout(300)  # a submitted form would have navigated by now
    assert operator.page.url.endswith(f"/incidents/{seeded.on_review}")
    assert operator.page.locator(".flash.success").count() == 0
    edit = operator.page.locator('.char-count[data-for="edit-text"]')
    assert edit.inner_text().startswith("Знаков: ")  # the reviewer's correction counts too
    assert operator.violations() == []


# --- Framing --------------------------------------------------------------------------------------


@pytest.fixture
def framing_site() -> Iterator[Any]:
    """Another origin (a loopback port of its own) whose page frames a URL it is given."""
    target: dict[str, str] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            body = (
                "<!doctype html><html><body><h1>Чужой сайт</h1>"
                f'<iframe id="victim" src="{target["url"]}" width="800" height="600"></iframe>'
                "</body></html>"
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def frame(url: str) -> str:
        target["url"] = url
        return f"http://127.0.0.1:{server.server_port}/"

    yield frame
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def _framed(
    person: Any, framing_site: Any, url: str, login: str | None = None
) -> tuple[Any, Person]:
    """Open the other site framing ``url`` (as a signed-in person); return the frame and the tab."""
    tab = person(login)
    tab.page.goto(framing_site(url), wait_until="load")
    tab.page.wait_for_timeout(500)
    frames = [f for f in tab.page.frames if f != tab.page.main_frame]
    assert len(frames) == 1
    return frames[0], tab


def test_a_page_of_the_bridge_cannot_be_framed_by_another_site(
    app, people, seeded, person, framing_site, live_server
):
    # The clickjacking case: the operator is signed in, the other site frames the approve form.
    for url, login in (("/login", None), (f"/incidents/{seeded.on_review}", "operator")):
        frame, tab = _framed(person, framing_site, f"{live_server}{url}", login)
        # Chromium shows its own error page in the frame: nothing of the bridge, no form to click.
        assert not frame.url.startswith(live_server), url
        assert frame.locator("input[name=login], #form-approve, header").count() == 0, url
        refused = [m for m in tab.console if "frame-ancestors 'none'" in m]
        assert refused, (url, tab.console)


def test_the_framing_check_would_see_a_framed_page(app, people, person, framing_site, live_server):
    """A control: a page without the headers (the host's own) does show in the other site's frame."""
    frame, tab = _framed(person, framing_site, f"{live_server}/host-page")
    assert frame.locator("#host").inner_text() == "страница приложения"
    assert not [m for m in tab.console if "frame-ancestors" in m or "X-Frame-Options" in m]
