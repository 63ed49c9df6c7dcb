"""A Redis client from the one URL setting: a plain server, or a master found through Sentinel.

``INCIDENT_BRIDGE_REDIS_URL`` takes ``redis://…`` / ``rediss://…`` / ``unix://…`` (as
``Redis.from_url``) or ``redis+sentinel://[user:password@]host:port,host:port/service``
(``?db=N`` for a database other than 0) — the form Flask-Limiter's storage reads too,
so the sign-in throttle, the queues and the locks all follow the same master. With
Sentinel the client asks the sentinels for the master's address and asks again after
a failover; rq and Redis locks work on it unchanged.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from redis import Redis
from redis.sentinel import Sentinel

SENTINEL_SCHEME = "redis+sentinel"
#: Sentinel's own port when an address gives none.
SENTINEL_PORT = 26379


def connect(url: str, **options: Any) -> Redis:
    """The client for ``url``; ``options`` go to the connection (e.g. ``socket_connect_timeout``)."""
    parts = urlsplit(url)
    if parts.scheme != SENTINEL_SCHEME:
        return Redis.from_url(url, **options)
    auth, _, hosts = parts.netloc.rpartition("@")
    credentials: dict[str, str] = {}
    if auth:
        username, _, password = auth.partition(":")
        if username:
            credentials["username"] = unquote(username)
        if password:
            credentials["password"] = unquote(password)
    service = parts.path.strip("/")
    if not hosts or not service:
        raise ValueError(f"{SENTINEL_SCHEME} URL needs host:port,… and /service: {url!r}")
    sentinels = [_address(host) for host in hosts.split(",") if host]
    database = int(parse_qs(parts.query).get("db", ["0"])[0])
    timeouts = {k: v for k, v in options.items() if k.startswith("socket_")}
    sentinel = Sentinel(sentinels, sentinel_kwargs={**credentials, **timeouts}, **credentials)
    return sentinel.master_for(service, db=database, **options)


def limiter_storage(url: str | None) -> tuple[str, dict[str, Any]]:
    """Flask-Limiter's ``storage_uri`` and ``storage_options`` for the same Redis.

    Its Sentinel storage reads the service from the path but no database: the ``?db=``
    of the URL is handed to it as an option, so the throttle's keys sit beside the jobs'.
    """
    if not url:
        return "memory://", {}
    parts = urlsplit(url)
    if parts.scheme != SENTINEL_SCHEME or not parts.query:
        return url, {}
    database = int(parse_qs(parts.query).get("db", ["0"])[0])
    return parts._replace(query="").geturl(), {"db": database}


def _address(host: str) -> tuple[str, int]:
    name, _, port = host.rpartition(":")
    if not name:
        return host, SENTINEL_PORT
    return name.strip("[]"), int(port)
