"""Redis through Sentinel: a real sentinel (``redis-server --sentinel``) in front of the local
Redis; the queues, the job locks and the sign-in throttle all take the one URL."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

import pytest
from limits import RateLimitItemPerMinute
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

from incident_bridge.jobs import runner
from incident_bridge.redis_url import connect, limiter_storage
from tests.conftest import REDIS_URL, redis_available, require


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def sentinel_url(tmp_path: Path) -> Iterator[str]:
    """A sentinel monitoring the tests' Redis as master «bridge»; its URL with the tests' db."""
    require("Redis", redis_available(), REDIS_URL)
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("redis-server is not installed: no sentinel to start")
    master = urlsplit(REDIS_URL)
    port = _free_port()
    config = tmp_path / "sentinel.conf"
    config.write_text(
        f"port {port}\nbind 127.0.0.1\ndir {tmp_path}\n"
        f"sentinel monitor bridge {master.hostname} {master.port or 6379} 1\n"
    )
    process = subprocess.Popen(
        [server, str(config), "--sentinel"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        from redis import Redis

        deadline = time.monotonic() + 10
        while True:
            try:
                if Redis(port=port).execute_command("SENTINEL", "get-master-addr-by-name", "bridge"):
                    break
            except Exception:
                if time.monotonic() > deadline:
                    raise
            time.sleep(0.1)
        database = (master.path or "/0").strip("/") or "0"
        yield f"redis+sentinel://127.0.0.1:{port}/bridge?db={database}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_jobs_locks_and_the_throttle_reach_the_master_through_sentinel(sentinel_url: str) -> None:
    direct = connect(REDIS_URL)
    through = connect(sentinel_url)
    through.set("ib-sentinel-probe", "через Sentinel")
    assert direct.get("ib-sentinel-probe") == "через Sentinel".encode()  # the same master and db

    settings = SimpleNamespace(
        redis_url=sentinel_url, queue_name="ib-sentinel-test", checks_queue_name="ib-sentinel-checks",
        poll_interval=30, screen_interval=30, push_interval=10, deadline_interval=60,
        notify_interval=60,
        webhook_interval=10,
    )  # fmt: skip
    for name in ("ib-sentinel-test", "ib-sentinel-checks"):
        runner.queue(settings, name).empty()
    assert runner.enqueue(settings, "screen") is not None
    assert runner.enqueue(settings, "push") is not None
    assert runner.queue(settings, "ib-sentinel-checks").count == 1  # the checks queue
    assert runner.queue(settings, "ib-sentinel-test").count == 1
    assert runner.queue_health(settings)["mode"] == "rq"

    lock = through.lock("ib-sentinel-lock", timeout=5, blocking=False)
    assert lock.acquire(blocking=False)
    assert not direct.lock("ib-sentinel-lock", timeout=5, blocking=False).acquire(blocking=False)
    lock.release()

    # The sign-in throttle's storage (Flask-Limiter's) on the very URL, in the same database.
    uri, options = limiter_storage(sentinel_url)
    limiter = FixedWindowRateLimiter(storage_from_string(uri, **options))
    once, login = RateLimitItemPerMinute(1), f"ib-sentinel-login-{uuid.uuid4().hex}"
    assert limiter.hit(once, login) and not limiter.hit(once, login)
    assert direct.keys(f"*{login}*")
    for name in ("ib-sentinel-test", "ib-sentinel-checks"):
        runner.queue(settings, name).empty()


def test_a_sentinel_url_without_a_service_is_refused() -> None:
    with pytest.raises(ValueError, match="service"):
        connect("redis+sentinel://127.0.0.1:26379")


def test_a_plain_url_is_a_plain_client() -> None:
    client: Any = connect("redis://127.0.0.1:6379/3")
    assert client.connection_pool.connection_kwargs["db"] == 3
