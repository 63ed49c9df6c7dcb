"""The attacks of the audit, replayed: redirects, password guessing, enumeration, replayed
cookies, weak passwords, the last admin, out-of-range ids, the secret key, the mock's forms."""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask.cli import ScriptInfo
from sqlalchemy import select

from incident_bridge.persistence.models import SecurityEvent, User
from tests.conftest import make_app
from tests.functional.conftest import Browser

PASSWORD = "Proverka-Elets-2026"
STRONG = "Tri-Sinih-Kita-Plyvut-77"
HOSTILE_TARGETS = [
    "/\t/evil.example/", "//evil.example/", "/\\evil.example", "https://evil.example/",
    "/\n/evil.example", "javascript:alert(1)", " //evil.example",
]  # fmt: skip


def _events(app: Any, kind: str | None = None) -> list[SecurityEvent]:
    with app.app_context():
        session = app.extensions["incident_bridge"].session()
        query = select(SecurityEvent).order_by(SecurityEvent.id)
        rows = [e for e in session.scalars(query) if kind is None or e.kind == kind]
        for row in rows:
            session.expunge(row)
        return rows


@pytest.mark.parametrize("target", HOSTILE_TARGETS)
def test_no_redirect_leaves_the_site(browser: Browser, people: Any, target: str) -> None:
    browser.login("operator")
    for action in ("/admin/dictionary", "/admin/outbox/1/retry"):
        page = browser.get("/")
        assert page.status_code == 200
        response = browser.submit("/", action, {"back": target, "word": "x"}, follow=False)
        location = response.headers.get("Location", "")
        assert "evil" not in location and not location.startswith("//"), (action, location)
        assert response.status_code in (302, 303, 404)
    # Without a CSRF token nothing runs, nothing redirects: a Russian 400 page.
    forged = browser.client.post("/admin/dictionary", data={"back": target, "word": "x"})
    assert forged.status_code == 400 and "Форма устарела" in forged.get_data(as_text=True)
    nxt = Browser(browser.client.application.test_client())
    landed = nxt.submit(f"/login?next={target}", f"/login?next={target}",
                        {"login": "admin", "password": PASSWORD}, follow=False)  # fmt: skip
    assert landed.headers["Location"] == "/"


def test_thirty_wrong_passwords_then_the_right_one_is_refused(
    browser: Browser, people: Any, app: Any
) -> None:
    for _ in range(30):
        browser.login("operator", "wrong-password")
    page = browser.login("operator")
    assert page.status_code == 429
    text = page.get_data(as_text=True)
    assert "Слишком много неудачных попыток входа" in text and "мин" in text
    assert browser.get("/").status_code == 302  # not signed in
    assert _events(app, "login_throttled") and len(_events(app, "login_failed")) == 5
    # The operator's lock does not lock the others out.
    assert Browser(app.test_client()).login("admin").status_code == 200


def test_one_address_guessing_many_logins_is_held_too(browser: Browser, people: Any) -> None:
    for n in range(30):
        browser.login(f"guess-{n}", "wrong-password")  # five logins' limits never reached
    assert browser.login("admin").status_code == 429


def test_five_failures_hold_a_login_and_a_right_password_clears_it(
    browser: Browser, people: Any
) -> None:
    for _ in range(4):
        browser.login("roads", "wrong-password")
    assert browser.login("roads").status_code == 200  # the right one, within the limit
    assert browser.get("/").status_code == 200


def test_an_unknown_login_costs_a_password_check_too(
    browser: Browser, people: Any, monkeypatch: Any
) -> None:
    """Enumeration by timing: unknown and known logins both hash the password once."""
    from incident_bridge.services import directory

    calls: list[str] = []
    real = directory.check_password_hash

    def counting(hashed: str, password: str) -> bool:
        calls.append(password)
        return real(hashed, password)

    monkeypatch.setattr(directory, "check_password_hash", counting)
    browser.login("nobody-at-all", "some-password")
    assert calls == ["some-password"]


def test_a_copied_cookie_stops_working_after_logout(
    browser: Browser, people: Any, app: Any
) -> None:
    browser.login("operator")
    thief = app.test_client()
    cookie = browser.client.get_cookie("session")
    assert cookie is not None
    thief.set_cookie("session", cookie.value)
    assert thief.get("/").status_code == 200  # the copy works while the session lives
    browser.submit("/", "/logout", {})
    assert thief.get("/").status_code == 302  # and not after logout
    assert _events(app, "logout")


@pytest.mark.parametrize("change", ["deactivate", "role", "password"])
def test_deactivation_a_new_role_or_password_end_the_sessions(
    browser: Browser, browser2: Browser, people: Any, app: Any, change: str
) -> None:
    browser2.login("roads")
    assert browser2.get("/").status_code == 200
    browser.login("admin")
    user_id = people["roads_executor"].id
    if change == "deactivate":
        browser.submit("/admin/", "/admin/users/deactivate", {"user_id": user_id})
    elif change == "role":
        browser.submit("/admin/", "/admin/users/role",
                       {"user_id": user_id, "role": "operator", "subdivision": 0})  # fmt: skip
    else:
        browser.submit("/admin/", "/admin/users/password", {"user_id": user_id, "password": STRONG})
    assert browser2.get("/").status_code == 302, change
    kinds = {"deactivate": "deactivated", "role": "role_changed", "password": "password_reset"}
    [entry] = _events(app, kinds[change])
    assert entry.login == "roads" and entry.actor_label == people["admin"].full_name


def test_changing_ones_own_password_ends_the_other_sessions(
    browser: Browser, browser2: Browser, people: Any, app: Any
) -> None:
    browser.login("operator")
    browser2.login("operator")
    page = browser.submit("/account/password", "/account/password",
                          {"current": PASSWORD, "new": STRONG, "repeat": STRONG})  # fmt: skip
    assert "Пароль изменён" in page.get_data(as_text=True)
    assert browser.get("/").status_code == 200  # this session goes on
    assert browser2.get("/").status_code == 302  # the other one ended
    assert Browser(app.test_client()).login("operator", STRONG).status_code == 200


@pytest.mark.parametrize("weak", ["1", "password1234", "qwerty123456", "123456789012"])
def test_weak_passwords_are_refused_on_the_page_and_in_the_cli(
    browser: Browser, people: Any, app: Any, weak: str
) -> None:
    browser.login("admin")
    page = browser.submit("/admin/", "/admin/users", {
        "login": "newbie", "full_name": "Новичков Пётр", "password": weak, "role": "operator",
        "subdivision": 0,
    }).get_data(as_text=True)  # fmt: skip
    assert "Пароль" in page and ("не короче 12" in page or "легко подобрать" in page)
    result = CliRunner().invoke(
        app.cli,
        ["bridge", "create-user", "--login", "newbie2", "--name", "Новичков Иван",
         "--role", "admin", "--password", weak],
        obj=ScriptInfo(create_app=lambda: app),
    )  # fmt: skip
    assert result.exit_code != 0 and "Пароль" in result.output
    with app.app_context():
        session = app.extensions["incident_bridge"].session()
        assert session.scalar(select(User).where(User.login.in_(["newbie", "newbie2"]))) is None


def test_the_last_admin_can_be_neither_deactivated_nor_demoted(
    browser: Browser, people: Any, app: Any
) -> None:
    browser.login("admin")
    admin_id = people["admin"].id
    page = browser.submit("/admin/", "/admin/users/deactivate", {"user_id": admin_id})
    assert "Собственную учётную запись отключить нельзя" in page.get_data(as_text=True)
    with app.app_context():  # nor can anyone else switch the last admin off
        from incident_bridge.domain.errors import InvalidInput
        from incident_bridge.services import directory
        from incident_bridge.services.actors import Actor

        state = app.extensions["incident_bridge"]
        other = Actor(user_id=None, role="admin", name="Другой")
        with pytest.raises(InvalidInput, match="последний действующий администратор"):
            directory.set_active(state.unit_of_work(), admin_id, False, by=other,
                                 now=datetime.now(UTC))  # fmt: skip
    page = browser.submit("/admin/", "/admin/users/role",
                          {"user_id": admin_id, "role": "operator", "subdivision": 0})  # fmt: skip
    assert "последний действующий администратор" in page.get_data(as_text=True)
    assert browser.get("/admin/").status_code == 200  # still an admin, still signed in


def test_the_security_log_is_for_admins(browser: Browser, people: Any) -> None:
    browser.login("operator", "wrong-password")
    browser.login("operator")
    assert browser.get("/admin/security/").status_code == 403
    admin = Browser(browser.client.application.test_client())
    admin.login("admin")
    page = admin.get("/admin/security/?login=operator").get_data(as_text=True)
    assert "Неверный логин или пароль" in page and "Вход" in page


@pytest.mark.parametrize(
    "url", ["/incidents/99999999999999999999", "/incidents/0", "/incidents/-1", "/incidents/2147483648"]
)
def test_an_out_of_range_id_is_a_404(browser: Browser, people: Any, url: str) -> None:
    browser.login("operator")
    assert browser.get(url).status_code == 404


def test_the_secret_key_file_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    from incident_bridge.host import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "TESTING": True})
    del app
    # create_app uses the instance folder; make one of our own to look at.
    from flask import Flask

    from incident_bridge.host import _secret_key

    host = Flask("probe", instance_path=str(tmp_path))
    key = _secret_key(host)
    mode = stat.S_IMODE(os.stat(tmp_path / "secret_key").st_mode)
    assert mode == 0o600 and len(key) == 64
    assert _secret_key(host) == key  # read back, not made anew


def test_cookies_are_httponly_lax_and_secure_when_asked(tmp_path: Path) -> None:
    plain = make_app("sqlite://", tmp_path)
    assert plain.config["SESSION_COOKIE_HTTPONLY"] is True
    assert plain.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert not plain.config["SESSION_COOKIE_SECURE"]
    behind_https = make_app("sqlite://", tmp_path, INCIDENT_BRIDGE_SECURE_COOKIES=True)
    assert behind_https.config["SESSION_COOKIE_SECURE"] is True


def test_the_mocks_tester_page_refuses_a_cross_site_form() -> None:
    from mocks import create_app as create_mock

    client = create_mock({"MOCK_COUNT": 0}).test_client()
    evil = client.post("/_control/reset", headers={"Origin": "https://evil.example"})
    assert evil.status_code == 403
    same = client.post("/_control/reset", headers={"Origin": "http://localhost"})
    assert same.status_code == 200
    assert client.post("/_control/reset").status_code == 200  # scripts send no Origin


def test_the_product_hashes_passwords_with_scrypt() -> None:
    """The suite swaps in a cheap hash (tests/conftest.py); a real process keeps scrypt."""
    import subprocess
    import sys

    code = "from incident_bridge.persistence.models import hash_password; print(hash_password('x'))"
    stored = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert stored.startswith("scrypt:")
