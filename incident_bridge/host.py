"""The reference application: what ``wsgi.py``, ``make run`` and the tests start.

Configuration comes from ``test_config``, then the environment: every
``INCIDENT_BRIDGE_*`` variable (JSON values allowed), ``DATABASE_URL`` and
``REDIS_URL`` as the usual shorthands, and ``SECRET_KEY``.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask, redirect, url_for
from werkzeug.middleware.proxy_fix import ProxyFix

from incident_bridge.checks.report import DraftChecker
from incident_bridge.config import PREFIX
from incident_bridge.extension import IncidentBridge


def create_app(
    test_config: dict[str, Any] | None = None, *, checker: DraftChecker | None = None
) -> Flask:
    """Build the reference app with the bridge mounted at the root.

    ``checker`` shares one draft checker (and its dictionaries) between apps of one process.
    """
    app = Flask("incident_bridge_host", instance_relative_config=True)
    app.config.update(_from_environment())
    if test_config:
        app.config.update(test_config)
    if not app.config.get("SECRET_KEY"):  # Flask's default is None, so setdefault would not do
        app.config["SECRET_KEY"] = _secret_key(app)
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"pool_pre_ping": True})
    IncidentBridge(app, checker=checker)
    app.add_url_rule("/favicon.ico", "favicon", _favicon)
    proxies = int(app.config.get(f"{PREFIX}TRUSTED_PROXIES") or 0)
    if proxies:
        # Behind a reverse proxy (HTTPS ends there): trust its X-Forwarded-* headers, no more.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies
        )
    return app


def _favicon() -> Any:
    """Browsers ask for ``/favicon.ico`` where a page names no icon: point them to the SVG."""
    return redirect(
        url_for("incident_bridge_assets.static", filename="incident_bridge/favicon.svg")
    )


def database_url(url: str) -> str:
    """Normalise a ``DATABASE_URL`` for SQLAlchemy with psycopg 3."""
    for old in ("postgres://", "postgresql://"):
        if url.startswith(old):
            return "postgresql+psycopg://" + url[len(old) :]
    return url


def _from_environment() -> dict[str, Any]:
    config: dict[str, Any] = {}
    for key, raw in os.environ.items():
        if key.startswith(PREFIX):
            try:
                config[key] = json.loads(raw)
            except ValueError:
                config[key] = raw
    if os.environ.get("DATABASE_URL"):
        config["SQLALCHEMY_DATABASE_URI"] = database_url(os.environ["DATABASE_URL"])
    if os.environ.get("REDIS_URL") and f"{PREFIX}REDIS_URL" not in config:
        config[f"{PREFIX}REDIS_URL"] = os.environ["REDIS_URL"]
    if os.environ.get("SECRET_KEY"):
        config["SECRET_KEY"] = os.environ["SECRET_KEY"]
    return config


def _secret_key(app: Flask) -> str:
    """A random key kept in the instance folder, so sessions survive restarts."""
    path = Path(app.instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # Readable by the service's user only: whoever reads it can forge sessions.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(key)
    return key
