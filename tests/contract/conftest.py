"""The real mock server on a loopback port, in a thread, and the adapter pointed at it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests
from flask import Flask
from werkzeug.serving import make_server

from adapters import HttpIncidentSystem
from mocks import create_app


@dataclass
class LiveMock:
    """A running mock: its URL and a requests session for its control API."""

    url: str
    app: Flask
    control: requests.Session

    def post(self, path: str, json: Any = None) -> Any:
        response = self.control.post(f"{self.url}/_control{path}", json=json, timeout=5)
        response.raise_for_status()
        return response.json()

    def get(self, path: str) -> Any:
        response = self.control.get(f"{self.url}/_control{path}", timeout=5)
        response.raise_for_status()
        return response.json()

    def faults(self, **settings: Any) -> None:
        response = self.control.put(f"{self.url}/_control/faults", json=settings, timeout=5)
        response.raise_for_status()


@pytest.fixture(scope="session")
def live_mock() -> Iterator[LiveMock]:
    app = create_app({"MOCK_COUNT": 0, "MOCK_FAULT_SEED": 7})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    with requests.Session() as control:
        yield LiveMock(f"http://127.0.0.1:{server.server_port}", app, control)
    server.shutdown()
    thread.join(timeout=5)
    server.server_close()


@pytest.fixture
def mock(live_mock: LiveMock) -> Iterator[LiveMock]:
    live_mock.post("/reset")
    live_mock.post("/seed", {"count": 30, "seed": 11})
    yield live_mock
    live_mock.post("/reset")


@pytest.fixture
def system(mock: LiveMock) -> Iterator[HttpIncidentSystem]:
    client = HttpIncidentSystem(mock.url, "bridge", "secret", timeout=(1, 2))
    yield client
    client.close()
