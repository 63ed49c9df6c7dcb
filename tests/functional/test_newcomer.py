"""What a new user tripped on (issue 9): error pages, check messages, numbers, the dictionary button."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from flask import render_template
from sqlalchemy import event, select
from sqlalchemy import text as sql

from incident_bridge.checks.grammar import RULES, check_grammar
from incident_bridge.checks.style import check_style
from incident_bridge.checks.typography import check_typography
from incident_bridge.domain.errors import TransientDeliveryError
from incident_bridge.domain.model import DraftKind, RejectedRecord
from incident_bridge.domain.review import Check
from incident_bridge.persistence.models import Incident
from incident_bridge.services import outbox, polling, workflow
from incident_bridge.services.actors import actor_for
from incident_bridge.web.draft_checks import Finding, Section, review_context
from tests.conftest import make_app
from tests.fakes import GOOD_ANSWER, make_card
from tests.functional.conftest import Browser
from tests.functional.test_pages import _incident, _version

ENGLISH_ERRORS = ("Not Found", "Method Not Allowed", "Internal Server Error", "Traceback")


class _Text(HTMLParser):
    """The text a person sees (no scripts or styles), and every element with its attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))
        if tag in ("script", "style"):
            self._hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)

    @property
    def text(self) -> str:
        return re.sub(r"\s+", " ", " ".join(self.parts))


def _parse(page: str) -> _Text:
    parser = _Text()
    parser.feed(page)
    return parser


# --- 1. Russian 404, 405 and 500 pages for every URL --------------------------------------------


@pytest.mark.parametrize("signed_in", [False, True])
def test_an_unknown_url_gets_a_russian_404(browser, people, signed_in):
    if signed_in:
        browser.login("operator")
    response = browser.get("/no-such-page/at-all")
    page = response.get_data(as_text=True)
    assert response.status_code == 404
    assert '<html lang="ru">' in page and "Страница не найдена" in page
    assert "К очереди сообщений" in page
    assert not any(english in page for english in ENGLISH_ERRORS)


def test_a_get_on_a_post_only_route_gets_a_russian_405(browser, people, app, fake_system):
    incident = _incident(app, fake_system)
    browser.login("operator")
    for url in (f"/incidents/{incident.id}/route", "/logout", "/admin/dictionary"):
        response = browser.get(url)
        page = response.get_data(as_text=True)
        assert response.status_code == 405, url
        assert "POST" in response.headers["Allow"]
        assert "действие выполняется кнопкой на странице" in page
        assert not any(english in page for english in ENGLISH_ERRORS)


def test_json_endpoints_keep_json_errors(browser, people):
    response = browser.client.post("/healthz")
    assert response.status_code == 405
    assert response.is_json and response.get_json()["code"] == 405
    asked = browser.client.get("/no-such-api", headers={"Accept": "application/json"})
    assert asked.status_code == 404 and asked.is_json


def test_a_view_that_raises_gets_a_russian_500_without_the_exception(app, people, caplog):
    secret = "psycopg.OperationalError: password for user 'bridge' at 10.0.0.5"

    def explode() -> Any:
        raise RuntimeError(secret)

    app.config["PROPAGATE_EXCEPTIONS"] = False
    app.add_url_rule("/_test/explode", "test_explode", explode)
    browser = Browser(app.test_client())
    browser.login("operator")
    with caplog.at_level(logging.ERROR, logger="incident_bridge"):
        response = browser.get("/_test/explode")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Внутренняя ошибка сервера" in page and "сообщите администратору" in page
    assert secret not in page and "RuntimeError" not in page
    assert not any(english in page for english in ENGLISH_ERRORS)
    [record] = [r for r in caplog.records if r.name == "incident_bridge.web.errors"]
    assert record.exc_info is not None and secret in str(record.exc_info[1])
    assert record.path == "/_test/explode"  # type: ignore[attr-defined]


def test_a_failed_statement_still_gets_the_whole_russian_page(app, people):
    def broken_query() -> Any:
        app.extensions["incident_bridge"].session().execute(sql("SELECT * FROM ib_no_such"))

    app.config["PROPAGATE_EXCEPTIONS"] = False
    app.add_url_rule("/_test/broken-query", "test_broken_query", broken_query)
    browser = Browser(app.test_client())
    browser.login("operator")
    response = browser.get("/_test/broken-query")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Внутренняя ошибка сервера" in page and "ib_no_such" not in page
    assert "Operator" in page  # the layout rendered: the signed-in person is in the header


def test_a_host_with_its_own_error_pages_turns_them_off(app, people, tmp_path: Path):
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    host = make_app(uri, tmp_path / "host", INCIDENT_BRIDGE_ERROR_PAGES=False)
    try:
        client = Browser(host.test_client())
        assert "Not Found" in client.get("/no-such-page").get_data(as_text=True)
        client.login("operator")
        # The bridge's own pages keep their Russian 404.
        page = client.get("/incidents/999999").get_data(as_text=True)
        assert "Страница не найдена" in page
    finally:
        with host.app_context():
            host.extensions["incident_bridge"].db.engine.dispose()


# --- 2. Every finding reads as one clean Russian sentence --------------------------------------

GRAMMAR_SAMPLES = [
    "Работы выполним в течении недели.",
    "По окончанию работ сообщим.",
    "Работы идут согласно графика.",
    "Ремонт будет проводится завтра.",
    "Работы проводиться ежедневно.",
    "Установлена новый скамейка.",
    "Мы мы проверим.",
    "Яму заделали. бригада уехала.",
    "Яму заделали,бригада уехала . Всё  хорошо.Спасибо.",
    "Дopoга отремонтирована.",
    "Работы (ремонт ямы завершены.",
    "Благодарим вас за обращение.",
]
STYLE_SAMPLES = [
    "Рекомендуем обратиться в управляющую компанию.",
    "Фото прилагается. Щас проверим.",
    "Яма заделана. " * 300,
]
GLITCHES = re.compile(r"\.;|;\.|\.\.|\.»;|»\.;|,\.|\.\s*\.|;\s*;|:\s*;")


def _bureaucratese_samples() -> list[str]:
    path = Path(__file__).parents[2] / "incident_bridge/checks/data/bureaucratese.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    return [
        f"{line.partition(' | ')[0].capitalize()} сообщаем."
        for line in lines
        if line and line[0] != "#"
    ]


def test_the_samples_cover_every_grammar_and_style_rule():
    grammar = {e.rule for text in GRAMMAR_SAMPLES for e in check_grammar(text).errors}
    # The ten rule functions of grammar.py and their ids: a new rule needs a sample above.
    assert len(RULES) == 10
    assert grammar >= {
        "v_techenie", "po_okonchanii", "dative_after", "tsya", "agreement", "repeat",
        "lowercase_start", "homoglyph", "unbalanced", "polite_you",
    }  # fmt: skip
    typography = {e.rule for text in GRAMMAR_SAMPLES for e in check_typography(text).errors}
    assert typography >= {"space_after_punct", "space_before_punct", "double_space"}
    style = {e.rule for t in STYLE_SAMPLES for e in check_style(t, platform="vk").errors}
    assert style >= {"unjustified_redirect", "missing_attachment", "too_long"}
    hints = [check_style(t).errors for t in _bureaucratese_samples()]
    assert all(any(e.rule == "bureaucratese" for e in found) for found in hints)


def test_every_check_message_on_the_review_screen_is_one_clean_sentence(
    browser, browser2, people, app, fake_system
):
    incident = _incident(app, fake_system)
    url = f"/incidents/{incident.id}"
    browser.login("operator")
    browser.get(url)
    browser.submit(
        url,
        f"{url}/route",
        {"subdivision": people["roads"].id, "version": _version(browser.last_page)},
    )
    browser2.login("roads")
    token = browser2.token(url)
    findings: list[str] = []
    for text in [
        *GRAMMAR_SAMPLES,
        *STYLE_SAMPLES,
        *_bureaucratese_samples(),
        "Яму заделаем, извените.",
    ]:
        fragment = browser2.client.post(
            f"{url}/draft/check", data={"csrf_token": token, "kind": "answer", "text": text}
        ).get_data(as_text=True)
        items = re.findall(
            r'data-check="(?:spelling|grammar|typography|style)".*?</li>\s*</ul>', fragment, re.S
        )
        for block in items:
            findings += [
                _parse(li).text.strip() for li in re.findall(r"<li>(.*?)</li>", block, re.S)
            ]
    assert len(findings) > 60
    for sentence in findings:
        assert not GLITCHES.search(sentence), sentence
        assert "; варианты" not in sentence or sentence.endswith("»."), sentence
        assert sentence.endswith((".", "?", "!")), sentence
    joined = "\n".join(findings)
    assert "«в течении» — о периоде времени пишется «в течение»." in joined
    assert "«извените» — слово не найдено в словарях; варианты: «извините»" in joined
    assert "позволяет ВКонтакте" in joined


def test_a_suggestion_joins_the_message_in_one_sentence():
    finding = Finding(0, 7, "Слово не найдено в словарях.", "извените", ("извините", "извинете"))
    assert finding.sentence("извените") == (
        "«извените» — слово не найдено в словарях; варианты: «извините», «извинете»."
    )
    quoted = Finding(0, 9, "О периоде времени пишется «в течение».", None, ("в течение",))
    assert quoted.sentence("в течении") == "«в течении» — о периоде времени пишется «в течение»."
    spacing = Finding(0, 1, "После «,» нужен пробел.", None, (", ",))
    assert spacing.sentence(",") == "«,» — после «,» нужен пробел."


# --- 3. The admin page shows the incident's number, in a constant number of queries -------------


def _needs_attention(app: Any, people: dict[str, Any], fake_system: Any, count: int) -> list[Any]:
    now = datetime.now(UTC)
    state = app.extensions["incident_bridge"]
    cards = [fake_system.add(make_card()) for _ in range(count)]
    with app.app_context():
        uow, ctx, session = state.unit_of_work(), state.context, state.session()
        polling.poll(uow, ctx, fake_system, now)
        operator, executor = actor_for(people["operator"]), actor_for(people["roads_executor"])
        for card in cards:
            incident = session.scalar(
                select(Incident).where(Incident.external_id == card.external_id)
            )
            workflow.route(uow, ctx, incident.id, operator, people["roads"].id, now=now)
            workflow.submit_draft(
                uow, ctx, incident.id, executor, DraftKind.ANSWER, GOOD_ANSWER, now=now
            )
            workflow.approve(uow, ctx, incident.id, operator, now=now)
        # Out of attempts: each delivery now waits for a person.
        fake_system.failures.extend(TransientDeliveryError("connection reset") for _ in cards)
        outbox.push(uow, ctx, fake_system, now, max_attempts=1)
        return [
            session.scalar(select(Incident).where(Incident.external_id == c.external_id))
            for c in cards
        ]


def _admin_page_queries(app: Any, browser: Browser) -> tuple[int, str]:
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    with app.app_context():
        engine = app.extensions["incident_bridge"].db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        page = browser.get("/admin/").get_data(as_text=True)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(statements), page


def test_admin_lists_show_the_incident_number_without_a_query_per_row(
    browser, people, app, fake_system
):
    [first] = _needs_attention(app, people, fake_system, 1)
    fake_system.rejected.append(
        RejectedRecord(first.external_id, '{"id": "x", "text": 5}', "text: не строка")
    )
    fake_system.rejected.append(
        RejectedRecord("INC-NEW", '{"id": "INC-NEW", "number": "2025-777777"}', "text: нет")
    )
    with app.app_context():
        state = app.extensions["incident_bridge"]
        polling.poll(state.unit_of_work(), state.context, fake_system, datetime.now(UTC))
    browser.login("admin")
    one, page = _admin_page_queries(app, browser)
    attention = page[page.index('id="needs-attention"') : page.index('id="quarantine"')]
    assert f'href="/incidents/{first.id}">№ {first.number}</a>' in attention
    quarantine = page[page.index('id="quarantine"') :]
    assert f'href="/incidents/{first.id}">№ {first.number}</a>' in quarantine
    assert "№ 2025-777777" in quarantine  # not known here yet: the number the record gives

    more = _needs_attention(app, people, fake_system, 4)
    many, page = _admin_page_queries(app, browser)
    assert all(f"№ {i.number}</a>" in page for i in more)
    assert many == one


# --- 4. The screening warning goes once the message is excluded ---------------------------------

INSULTING = "Вы все там идиоты, когда уберёте мусор?"


def test_the_screening_warning_is_gone_once_the_message_is_excluded(
    browser, people, app, fake_system
):
    incident = _incident(app, fake_system, text=INSULTING)
    url = f"/incidents/{incident.id}"
    browser.login("operator")
    page = browser.get(url).get_data(as_text=True)
    assert 'id="screening"' in page and " — «" not in _screening(page)
    browser.submit(
        url,
        f"{url}/exclude",
        {"reason": "Нецензурная брань в тексте сообщения.", "version": _version(browser.last_page)},
    )
    page = browser.get(url).get_data(as_text=True)
    assert "Исключено из работы" in page
    assert 'id="screening"' not in page and "предлагает исключить" not in page
    assert 'id="screening-decided"' in page


def _screening(page: str) -> str:
    start = page.index('id="screening"')
    return page[start : page.index("</div>", start)]


# --- 5. «В словарь» names the word and asks first; a hostile word stays text -------------------

CONFIRM = "Добавить «{}» в словарь организации? Проверка орфографии перестанет его отмечать."
HOSTILE_WORD = 'слово"\' onclick="alert(1)"><script>alert(2)</script>&amp;'


def test_the_dictionary_button_names_the_word_and_a_hostile_word_cannot_break_out(app, people):
    with app.test_request_context("/incidents/1"):
        section = Section(
            Check.SPELLING,
            "орфография",
            ok=False,
            blocking=True,
            findings=[Finding(0, 5, "Слово не найдено в словарях.", HOSTILE_WORD, ("<b>x</b>",))],
        )
        context = review_context(_report(app), HOSTILE_WORD)
        context.update(sections=[section], pieces=[(HOSTILE_WORD, "<i>note</i>")])
        html = render_template(
            "incident_bridge/_checks.html", **context, draft_text=HOSTILE_WORD, can_add_words=True
        )
    parsed = _parse(html)
    assert "<script>" not in html and "<b>x</b>" not in html and "<i>note</i>" not in html
    assert not any(tag == "script" for tag, _ in parsed.elements)
    assert not any(
        name.startswith("on") for _, attrs in parsed.elements for name in attrs
    )  # no handler attribute was injected
    [form] = [attrs for tag, attrs in parsed.elements if tag == "form" and "data-confirm" in attrs]
    assert form["data-confirm"] == CONFIRM.format(HOSTILE_WORD)
    [button] = [a for t, a in parsed.elements if t == "input" and a.get("type") == "submit"]
    assert button["value"] == f"В словарь: «{HOSTILE_WORD}»"
    [word] = [a for t, a in parsed.elements if t == "input" and a.get("name") == "word"]
    assert word["value"] == HOSTILE_WORD


def _report(app: Any) -> Any:
    checker = app.extensions["incident_bridge"].context.checker
    return checker.check("Яма.", "Заделаем.", blocking=["spelling"])


def test_the_review_screen_button_reads_the_word(browser, browser2, people, app, fake_system):
    from tests.functional.test_review_page import MISSPELT, _routed_with_draft

    _, url = _routed_with_draft(app, fake_system, people, browser, browser2, MISSPELT)
    page = browser.get(url).get_data(as_text=True)
    assert 'value="В словарь: «водоканальцы»"' in page
    assert f'data-confirm="{CONFIRM.format("водоканальцы")}"' in page


# --- 6. A favicon ----------------------------------------------------------------------------


def test_pages_link_a_favicon_and_favicon_ico_does_not_404(browser, people):
    page = browser.get("/login").get_data(as_text=True)
    [href] = re.findall(r'<link rel="icon" type="image/svg\+xml" href="([^"]+)"', page)
    with browser.client.get(href) as icon:
        assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
        assert icon.get_data(as_text=True).startswith("<svg")
    with browser.client.get("/favicon.ico", follow_redirects=True) as legacy:
        assert legacy.status_code == 200 and legacy.mimetype == "image/svg+xml"


def test_the_favicon_ships_with_the_package():
    import tomllib

    root = Path(__file__).parents[2]
    data = tomllib.loads((root / "pyproject.toml").read_text())
    assert "*.svg" in data["tool"]["setuptools"]["package-data"]["*"]
    assert (root / "incident_bridge/web/static/incident_bridge/favicon.svg").is_file()


# --- 7. Nothing English on the admin page --------------------------------------------------------

# Proper names and data the page shows as they are: tools, networks, people's logins.
ALLOWED_LATIN = {"incident-bridge", "rq", "api"}  # «API» is the word Russian uses
LOGINS = ("operator", "admin", "roads", "housing")


def test_the_admin_page_has_no_english_words(browser, people, app, fake_system):
    _needs_attention(app, people, fake_system, 1)
    fake_system.rejected.append(RejectedRecord("INC-Z", '{"id": "INC-Z"}', "нет текста"))
    with app.app_context():
        state = app.extensions["incident_bridge"]
        polling.poll(state.unit_of_work(), state.context, fake_system, datetime.now(UTC))
    browser.login("admin")
    page = browser.get("/admin/").get_data(as_text=True)
    # What the page shows as data, not as its own words: logins, codes, raw payloads, errors.
    page = re.sub(r"<(pre|code)[^>]*>.*?</\1>", " ", page, flags=re.S)
    text = _parse(page).text
    for data in ("connection reset", "INC-Z", *LOGINS):  # logins, and the names made of them
        text = re.sub(re.escape(data), " ", text, flags=re.IGNORECASE)
    latin = {w.lower() for w in re.findall(r"[A-Za-z][A-Za-z_-]+", text)}
    assert latin <= ALLOWED_LATIN, latin - ALLOWED_LATIN
