"""Every ``INCIDENT_BRIDGE_*`` setting with its default, read once into a typed ``Settings``.

The README's settings table is written from ``DEFAULTS``; keep them in step.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

PREFIX = "INCIDENT_BRIDGE_"

DEFAULTS: dict[str, Any] = {
    # URL of the incident system's API; None means: no incident system configured.
    "INCIDENT_BRIDGE_INCIDENT_API_URL": None,
    # Credentials the bridge uses to get a token from the incident system.
    "INCIDENT_BRIDGE_INCIDENT_CLIENT_ID": "incident-bridge",
    "INCIDENT_BRIDGE_INCIDENT_CLIENT_SECRET": "dev-secret",
    # Seconds: (connect, read) timeout of every call to the incident system.
    "INCIDENT_BRIDGE_INCIDENT_TIMEOUT": (3.05, 15.0),
    # Redis URL for rq; None runs the same jobs in-process (embedded mode).
    "INCIDENT_BRIDGE_REDIS_URL": None,
    # Name of the rq queue the bridge uses.
    "INCIDENT_BRIDGE_QUEUE_NAME": "incident-bridge",
    # Seconds between polls of the incident system.
    "INCIDENT_BRIDGE_POLL_INTERVAL": 30,
    # Seconds between screenings of new messages (the screen task, on the checks queue).
    "INCIDENT_BRIDGE_SCREEN_INTERVAL": 30,
    # Name of the rq queue of the tasks that read citizens' text (screening): workers can be
    # given to it alone.
    "INCIDENT_BRIDGE_CHECKS_QUEUE_NAME": "incident-bridge-checks",
    # Seconds between outbox pushes.
    "INCIDENT_BRIDGE_PUSH_INTERVAL": 10,
    # Seconds between deadline evaluations.
    "INCIDENT_BRIDGE_DEADLINE_INTERVAL": 60,
    # Start the in-process scheduler thread (embedded mode only).
    "INCIDENT_BRIDGE_RUN_JOBS_IN_PROCESS": False,
    # Incidents asked for per page when polling.
    "INCIDENT_BRIDGE_POLL_PAGE_SIZE": 500,
    # Maximum delivery attempts of one outbox row before it needs attention.
    "INCIDENT_BRIDGE_OUTBOX_MAX_ATTEMPTS": 8,
    # Log format of the bridge's own loggers: "json" (one object per line, with incident ids) or "text".
    "INCIDENT_BRIDGE_LOG_FORMAT": "json",
    # Seconds before the poller's or pusher's lock expires if its worker dies (renewed while it works).
    "INCIDENT_BRIDGE_LOCK_TIMEOUT": 30,
    # Minutes the incident system may stay unreachable before admins and operators are alerted.
    "INCIDENT_BRIDGE_UNREACHABLE_ALERT_MINUTES": 15,
    # Runs in a row a background job may fail before admins and operators are alerted.
    "INCIDENT_BRIDGE_JOB_ALERT_FAILURES": 3,
    # Regulation profile of the organisation (yelets, lipetsk, leningrad, luga, sobolevo).
    "INCIDENT_BRIDGE_PROFILE": "yelets",
    # Extra directories searched for profile TOML files (copies an admin changed).
    "INCIDENT_BRIDGE_PROFILE_DIRS": (),
    # Name of the organisation shown in the page header; None: the regulation profile's title.
    "INCIDENT_BRIDGE_ORGANISATION_NAME": None,
    # URL prefix of the bridge's pages; a host application may mount them elsewhere.
    "INCIDENT_BRIDGE_URL_PREFIX": "",
    # Register Flask-Login's login manager (False if the host has its own).
    "INCIDENT_BRIDGE_MANAGE_LOGIN": True,
    # Failed sign-ins allowed per login, and per client address, before they wait (limits syntax).
    "INCIDENT_BRIDGE_LOGIN_LIMIT_PER_LOGIN": "5 per 15 minutes",
    "INCIDENT_BRIDGE_LOGIN_LIMIT_PER_ADDRESS": "30 per 15 minutes",
    # Requests one API token may make (limits syntax); more are answered 429 with Retry-After.
    "INCIDENT_BRIDGE_API_RATE_LIMIT": "300 per minute",
    # Send the session cookie over HTTPS only: set True whenever the bridge is served over HTTPS.
    "INCIDENT_BRIDGE_SECURE_COOKIES": False,
    # How many reverse proxies in front of the app to trust for X-Forwarded-* (reference app).
    "INCIDENT_BRIDGE_TRUSTED_PROXIES": 0,
    # Largest import upload in bytes; also the app's MAX_CONTENT_LENGTH when the host sets none.
    "INCIDENT_BRIDGE_IMPORT_MAX_BYTES": 32 * 1024 * 1024,
    # Most rows an imported file may have (empty ones count); a longer file is refused whole.
    "INCIDENT_BRIDGE_IMPORT_MAX_ROWS": 20_000,
    # Most characters in one cell of an imported file (Excel's own limit); more rejects the row.
    "INCIDENT_BRIDGE_IMPORT_MAX_CELL_CHARS": 32_767,
    # Russian 404, 405 and 500 pages for every URL of the app (False if the host has its own).
    "INCIDENT_BRIDGE_ERROR_PAGES": True,
    # Content-Security-Policy, X-Frame-Options, nosniff, Referrer-Policy, Server (False: the host's).
    "INCIDENT_BRIDGE_SECURITY_HEADERS": True,
    # Seconds between notification runs (warnings, breaches, escalations; then the e-mail).
    "INCIDENT_BRIDGE_NOTIFY_INTERVAL": 60,
    # The SMTP server notifications are mailed through; None: in the app only.
    "INCIDENT_BRIDGE_SMTP_HOST": None,
    "INCIDENT_BRIDGE_SMTP_PORT": 25,
    "INCIDENT_BRIDGE_SMTP_USER": None,
    "INCIDENT_BRIDGE_SMTP_PASSWORD": None,
    # Upgrade the connection with STARTTLS before signing in.
    "INCIDENT_BRIDGE_SMTP_STARTTLS": False,
    # The From address of notification e-mails.
    "INCIDENT_BRIDGE_SMTP_FROM": "incident-bridge@localhost",
    # The bridge's public address, for the links in e-mails and webhooks (e.g. https://bridge.example.ru).
    "INCIDENT_BRIDGE_PUBLIC_URL": "http://127.0.0.1:5000",
    # Seconds between webhook delivery runs (host systems' subscriptions).
    "INCIDENT_BRIDGE_WEBHOOK_INTERVAL": 10,
    # Attempts of one webhook delivery (network errors, 5xx, 429) before it is marked failed.
    "INCIDENT_BRIDGE_WEBHOOK_MAX_ATTEMPTS": 10,
}


@dataclass(frozen=True, slots=True)
class Settings:
    """The bridge's settings, read from the app config once in ``init_app``."""

    incident_api_url: str | None
    incident_client_id: str
    incident_client_secret: str
    incident_timeout: tuple[float, float]
    redis_url: str | None
    queue_name: str
    checks_queue_name: str
    poll_interval: int
    screen_interval: int
    push_interval: int
    deadline_interval: int
    run_jobs_in_process: bool
    poll_page_size: int
    outbox_max_attempts: int
    unreachable_alert_minutes: int
    job_alert_failures: int
    lock_timeout: int
    log_format: str
    profile: str
    profile_dirs: tuple[str, ...]
    organisation_name: str | None
    url_prefix: str
    manage_login: bool
    login_limit_per_login: str
    login_limit_per_address: str
    api_rate_limit: str
    secure_cookies: bool
    trusted_proxies: int
    import_max_bytes: int
    import_max_rows: int
    import_max_cell_chars: int
    error_pages: bool
    security_headers: bool
    notify_interval: int
    smtp_host: str | None
    smtp_port: int
    smtp_user: str | None
    smtp_password: str | None
    smtp_starttls: bool
    smtp_from: str
    public_url: str
    webhook_interval: int
    webhook_max_attempts: int

    @classmethod
    def from_mapping(cls, config: Mapping[str, Any]) -> Settings:
        """Build settings from a Flask config (keys with the ``INCIDENT_BRIDGE_`` prefix)."""
        values = {
            key[len(PREFIX) :].lower(): config.get(key, default)
            for key, default in DEFAULTS.items()
        }
        values["incident_timeout"] = tuple(values["incident_timeout"])
        dirs = values["profile_dirs"] or ()
        # A plain string (an environment variable without JSON) is one directory, or several
        # separated like PATH: never its letters.
        values["profile_dirs"] = (
            tuple(d for d in dirs.split(os.pathsep) if d) if isinstance(dirs, str) else tuple(dirs)
        )
        return cls(**values)

    @property
    def embedded_jobs(self) -> bool:
        """True when no Redis is configured and jobs run inside the web process."""
        return not self.redis_url
