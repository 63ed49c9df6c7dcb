"""``IncidentBridge``: the Flask extension that wires settings, database, jobs and pages."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

__all__ = ["IncidentBridge", "MIGRATIONS_DIR", "bridge_state"]

from flask import Flask
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy

from incident_bridge.checks.report import DraftChecker
from incident_bridge.config import DEFAULTS, Settings
from incident_bridge.domain.profile_loader import load_profile
from incident_bridge.services.context import Context
from incident_bridge.state import EXTENSION_KEY, BridgeState, bridge_state

MIGRATIONS_DIR = str(Path(__file__).parent / "persistence" / "migrations")


class IncidentBridge:
    """The incident-bridge Flask extension.

    ``IncidentBridge(app, db=db)`` or ``bridge = IncidentBridge(); bridge.init_app(app)``.
    Pass the host's Flask-SQLAlchemy ``db`` to share its engine; without one the
    bridge creates its own (SQLite in the instance folder unless configured).
    ``incident_system`` is a factory ``(Settings) -> IncidentSystem`` replacing the
    HTTP adapter (another transport, or a fake in tests). ``checker`` shares one
    ``DraftChecker`` (its dictionaries take seconds to load) between apps of one
    process; without one each app builds its own on first use.
    """

    def __init__(
        self,
        app: Flask | None = None,
        *,
        db: SQLAlchemy | None = None,
        incident_system: Any = None,
        checker: DraftChecker | None = None,
    ) -> None:
        self.db = db
        self.incident_system_factory = incident_system
        self.checker = checker
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask) -> None:
        """Register settings, database, migrations, login, blueprints and jobs on ``app``."""
        if EXTENSION_KEY in app.extensions:
            raise RuntimeError(
                "An 'IncidentBridge' instance is already registered on this Flask app."
                " Import and use that instance instead."
            )
        for key, default in DEFAULTS.items():
            app.config.setdefault(key, default)
        settings = Settings.from_mapping(app.config)
        if app.config.get("MAX_CONTENT_LENGTH") is None:
            # Without one Flask takes a body of any size; the bridge's largest is an import.
            app.config["MAX_CONTENT_LENGTH"] = settings.import_max_bytes
        from incident_bridge.logs import configure

        configure(settings.log_format)
        db = self._database(app)
        # The regulation profile is validated here, so a broken one stops the start, not a page.
        profile = load_profile(settings.profile, settings.profile_dirs)
        state = BridgeState(
            settings=settings,
            db=db,
            context=Context.build(profile, self.checker),
            system_factory=self.incident_system_factory,
        )
        app.extensions[EXTENSION_KEY] = state
        if "migrate" not in app.extensions:
            Migrate(app, db, directory=MIGRATIONS_DIR)
        from incident_bridge.web import access, register_blueprints

        state.throttle = access.install(app, settings, db)

        register_blueprints(app, settings.url_prefix, error_pages=settings.error_pages)
        from incident_bridge import api

        api.install(app, settings)
        from incident_bridge.web import security_headers

        security_headers.install(app, settings)
        from incident_bridge.cli import bridge

        app.cli.add_command(bridge)
        from incident_bridge.jobs import runner

        state.queue_probe = runner.queue_health
        if settings.embedded_jobs:
            if settings.run_jobs_in_process and not _reloader_parent():
                scheduler = runner.InProcessScheduler(app)
                scheduler.start()
                state.scheduler = scheduler
                state.kicker = scheduler.kick
        else:
            state.kicker = lambda: runner.enqueue(settings, "push")

    def _database(self, app: Flask) -> SQLAlchemy:
        if self.db is not None:
            if "sqlalchemy" not in app.extensions:
                self.db.init_app(app)
            return self.db
        existing = app.extensions.get("sqlalchemy")
        if existing is not None:
            return existing
        if not app.config.get("SQLALCHEMY_DATABASE_URI") and not app.config.get("SQLALCHEMY_BINDS"):
            os.makedirs(app.instance_path, exist_ok=True)
            app.config["SQLALCHEMY_DATABASE_URI"] = (
                f"sqlite:///{Path(app.instance_path) / 'incident_bridge.sqlite3'}"
            )
        db = SQLAlchemy()
        db.init_app(app)
        self.db = db
        return db


def _reloader_parent() -> bool:
    """True in the watcher process of Flask's reloader, which must not run jobs."""
    return bool(os.environ.get("FLASK_DEBUG")) and os.environ.get("WERKZEUG_RUN_MAIN") != "true"
