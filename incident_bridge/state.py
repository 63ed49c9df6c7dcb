"""The extension's per-application state, which pages, commands and jobs read."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from flask import Flask
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import Session

from incident_bridge.config import Settings
from incident_bridge.domain.ports import IncidentSystem, Mailer, WebhookPoster
from incident_bridge.persistence.uow import SqlAlchemyUnitOfWork
from incident_bridge.services.context import Context

EXTENSION_KEY = "incident_bridge"


@dataclass
class BridgeState:
    """What the extension keeps per application (in ``app.extensions['incident_bridge']``)."""

    settings: Settings
    db: SQLAlchemy
    #: The organisation's profile, calendars and draft checker: built once per app.
    context: Context
    system_factory: Any = None
    scheduler: Any = None
    # Set by the extension: run the push soon; probe the queue. Kept as callables so the
    # pages depend on this state only, not on the jobs package.
    kicker: Callable[[], Any] | None = None
    #: The sign-in throttle (``web.access.LoginThrottle``), set up by the extension.
    throttle: Any = None
    queue_probe: Callable[[Any], dict[str, Any]] | None = None
    _system: IncidentSystem | None = field(default=None, repr=False)
    #: Builds the mailer from the settings (tests point it at their own SMTP server).
    mailer_factory: Any = None

    def mailer(self) -> Mailer | None:
        """The SMTP mailer of the notifications, or None when no server is configured."""
        if self.mailer_factory is not None:
            built: Mailer | None = self.mailer_factory(self.settings)
            return built
        if not self.settings.smtp_host:
            return None
        from adapters.smtp import SmtpMailer

        return SmtpMailer(
            self.settings.smtp_host,
            self.settings.smtp_port,
            sender=self.settings.smtp_from,
            user=self.settings.smtp_user,
            password=self.settings.smtp_password,
            starttls=self.settings.smtp_starttls,
        )

    #: Builds the webhook poster (tests may swap in their own).
    webhook_poster_factory: Any = None

    def webhook_poster(self) -> WebhookPoster:
        """What posts the webhook deliveries: HTTP, unless a test gave its own."""
        if self.webhook_poster_factory is not None:
            built: WebhookPoster = self.webhook_poster_factory(self.settings)
            return built
        from adapters.webhooks import HttpWebhookPoster

        return HttpWebhookPoster()

    def incident_system(self) -> IncidentSystem | None:
        """The configured incident system adapter (one per process), or None."""
        if self._system is None:
            if self.system_factory is not None:
                self._system = self.system_factory(self.settings)
            elif self.settings.incident_api_url:
                from adapters.http import HttpIncidentSystem

                self._system = HttpIncidentSystem(
                    self.settings.incident_api_url,
                    client_id=self.settings.incident_client_id,
                    client_secret=self.settings.incident_client_secret,
                    timeout=self.settings.incident_timeout,
                )
        return self._system

    def session(self) -> Session:
        """The database session of this app context (for the read-side views)."""
        return self.db.session  # type: ignore[return-value]

    def unit_of_work(self) -> SqlAlchemyUnitOfWork:
        """A unit of work on this app context's session: what the use cases take."""
        return SqlAlchemyUnitOfWork(self.session())

    @property
    def concurrent_writers(self) -> bool:
        """Whether the database lets writers work side by side on rows they claim
        (PostgreSQL's ``FOR UPDATE SKIP LOCKED``); SQLite has one writer at a time."""
        return bool(self.db.engine.dialect.name == "postgresql")

    @contextmanager
    def side_unit_of_work(self) -> Iterator[SqlAlchemyUnitOfWork | None]:
        """A unit of work on a connection of its own, for one other thread of this task
        (the deadlines job's writer); None without concurrent writers (SQLite)."""
        if not self.concurrent_writers:
            yield None
            return
        session = Session(self.db.engine)
        try:
            yield SqlAlchemyUnitOfWork(session)
        finally:
            session.close()

    def kick(self) -> None:
        """Ask the jobs to push the outbox now instead of at their next tick."""
        if self.kicker is not None:
            self.kicker()

    def queue_health(self) -> dict[str, Any]:
        """Probe the job queue (raises when it does not answer)."""
        if self.queue_probe is None:
            return {"mode": "none"}
        return self.queue_probe(self.settings)


def bridge_state(app: Flask) -> BridgeState:
    """The extension's state on ``app``, with a helpful error when it is missing."""
    try:
        state: BridgeState = app.extensions[EXTENSION_KEY]
        return state
    except KeyError:
        raise RuntimeError(
            "incident-bridge is not registered on this app. Did you forget to call 'init_app'?"
        ) from None
