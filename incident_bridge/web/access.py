"""Who may come in, and how: CSRF on every form, strict cookies, throttled sign-ins, revocable sessions.

- CSRF is checked before anything else (Flask-WTF's ``CSRFProtect``): a form
  without its token is refused with a Russian page, before any view runs.
- Session cookies are HttpOnly and SameSite=Lax, and Secure with
  ``INCIDENT_BRIDGE_SECURE_COOKIES`` (behind HTTPS).
- Sign-ins are throttled per login and per client address (Flask-Limiter:
  Redis storage when Redis is configured, memory otherwise).
- A session carries the person's session generation; logout, deactivation and
  a new role or password bump it, so every older session (a copied cookie
  too) is refused on its next request.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from flask import Flask, render_template
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFError, CSRFProtect
from limits import parse

from incident_bridge.config import Settings
from incident_bridge.persistence.models import User
from incident_bridge.redis_url import limiter_storage


class LoginThrottle:
    """Failed sign-ins counted per login and per client address; too many and both wait."""

    def __init__(self, limiter: Limiter, per_login: str, per_address: str) -> None:
        self.limiter = limiter
        self._per_login = parse(per_login)
        self._per_address = parse(per_address)

    def wait(self, login: str, address: str) -> int | None:
        """Seconds until a sign-in with ``login`` from ``address`` is allowed again; None: now."""
        strategy = self.limiter.limiter
        blocked = [
            (limit, key)
            for limit, key in self._keys(login, address)
            if not strategy.test(limit, key)
        ]
        if not blocked:
            return None
        now = time.time()
        return max(
            max(1, int(strategy.get_window_stats(limit, key).reset_time - now))
            for limit, key in blocked
        )

    def failed(self, login: str, address: str) -> None:
        """Count one failed sign-in against the login and the address."""
        for limit, key in self._keys(login, address):
            self.limiter.limiter.hit(limit, key)

    def succeeded(self, login: str) -> None:
        """The right password: the login's own count starts again (the address's stays)."""
        self.limiter.limiter.clear(self._per_login, f"login:{login}")

    def _keys(self, login: str, address: str) -> list[tuple[Any, str]]:
        return [(self._per_login, f"login:{login}"), (self._per_address, f"address:{address}")]


def install(app: Flask, settings: Settings, db: SQLAlchemy) -> LoginThrottle:
    """Set up CSRF, cookies, the sign-in throttle and (if the bridge manages it) the login."""
    _cookies(app, settings)
    if "csrf" not in app.extensions:
        CSRFProtect(app)
        app.register_error_handler(CSRFError, _stale_form)
    storage_uri, storage_options = limiter_storage(settings.redis_url)
    limiter = Limiter(
        key_func=get_remote_address,
        app=app,
        storage_uri=storage_uri,
        storage_options=storage_options,
        strategy="moving-window",
        key_prefix=f"{settings.queue_name}-login",
        default_limits=[],
        headers_enabled=False,
    )
    if settings.manage_login:
        _login_manager(app, db)
    return LoginThrottle(limiter, settings.login_limit_per_login, settings.login_limit_per_address)


def _cookies(app: Flask, settings: Settings) -> None:
    """HttpOnly and SameSite=Lax unless the host chose; Secure when served over HTTPS."""
    for prefix in ("SESSION_COOKIE", "REMEMBER_COOKIE"):
        app.config[f"{prefix}_HTTPONLY"] = True
        if not app.config.get(f"{prefix}_SAMESITE"):
            app.config[f"{prefix}_SAMESITE"] = "Lax"
        if settings.secure_cookies:
            app.config[f"{prefix}_SECURE"] = True


def _stale_form(error: CSRFError) -> Any:
    """A form without a valid CSRF token (stale, or sent from another site): refused, nothing done."""
    message = (
        "Форма устарела или отправлена не с этой страницы. Обновите страницу и повторите действие."
    )
    page = render_template("incident_bridge/error.html", code=400, title="Форма не принята",
                           message=message)  # fmt: skip
    return page, 400


def _login_manager(app: Flask, db: SQLAlchemy) -> None:
    manager = LoginManager()
    manager.login_view = "incident_bridge_auth.login"
    manager.login_message = "Войдите, чтобы продолжить."
    manager.init_app(app)
    manager.user_loader(_loader(db))


def _loader(db: SQLAlchemy) -> Callable[[str], User | None]:
    def load_user(session_id: str) -> User | None:
        """The person of a session, if the session is still of their current generation."""
        ident, _, generation = session_id.partition(".")
        if not (ident.isdigit() and generation.isdigit()) or len(ident) > 18:
            return None  # a session from before revocable sessions, or a forged one
        user = db.session.get(User, int(ident))
        if user is None or not user.active or user.session_generation != int(generation):
            return None
        return user

    return load_user
