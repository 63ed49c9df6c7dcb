"""A real Chromium (Debian's package) driven by Playwright against the bridge on loopback."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from tests.conftest import require

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def backend(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Page tests run on SQLite; the services' tests cover PostgreSQL."""
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'bridge.sqlite3'}"


@pytest.fixture
def live_server(app: Any) -> Iterator[str]:
    """The app served by a real HTTP server on 127.0.0.1 (a free port)."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def chromium(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    require("Chromium", CHROMIUM is not None, "Debian package 'chromium' is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page_factory(chromium: Any, tmp_path: Path) -> Iterator[Any]:
    """New isolated browser pages (one per person); every JS dialog is recorded, never accepted."""
    contexts: list[Any] = []
    dialogs: list[str] = []

    def new_page() -> Any:
        context = chromium.new_context(locale="ru-RU")
        contexts.append(context)
        page = context.new_page()
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.set_default_timeout(10_000)
        return page

    new_page.dialogs = dialogs  # type: ignore[attr-defined]
    yield new_page
    for context in contexts:
        context.close()
