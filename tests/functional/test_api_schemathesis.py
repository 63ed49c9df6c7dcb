"""Schemathesis against a running reference app, with a token: every operation of the document
is fuzzed; no server error, no answer off the document, no operation that ignores its token."""

from __future__ import annotations

import subprocess
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from tests.conftest import _migrated, clean, make_app, make_people, migrate
from tests.fakes import FakeIncidentSystem
from tests.functional.api_client import issue
from tests.functional.test_pages import _incident

SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"


@pytest.mark.slow
def test_schemathesis_finds_nothing(backend: str, tmp_path: Path) -> None:
    app = make_app(backend, tmp_path, INCIDENT_BRIDGE_API_RATE_LIMIT="1000000 per minute")
    system = FakeIncidentSystem()
    app.extensions["incident_bridge"].system_factory = lambda settings: system
    if backend not in _migrated:
        migrate(app)
        _migrated.add(backend)
    clean(app)
    people = make_people(app, datetime.now(UTC))
    for _ in range(3):  # messages to find, so the steps reach the use cases, not only 404s
        _incident(app, system)
    token = issue(app, people["admin"].id)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        result = _run(f"http://127.0.0.1:{server.server_port}/api/v1/openapi.json", token)
    finally:
        server.shutdown()
        thread.join(10)
        with app.app_context():
            app.extensions["incident_bridge"].db.engine.dispose()
    assert result.returncode == 0, result.stdout[-6000:]
    assert " passed" in result.stdout and "failures" not in result.stdout.split("SUMMARY")[-1]


def _run(url: str, token: str) -> Any:
    """The Schemathesis CLI: every check but "a schema-valid request is accepted".

    That one cannot hold for rules the document cannot state (a duplicate name, a
    weak password, a period that does not parse, a cursor of another query): those
    are refused with a 422 problem, as documented.
    """
    command = [str(SCHEMATHESIS), "run", url, "-H", f"Authorization: Bearer {token}",
               "--checks", "all", "--exclude-checks", "positive_data_acceptance",
               "--max-examples", "15", "--seed", "20261202", "--no-color",
               "--request-timeout", "30"]  # fmt: skip
    return subprocess.run(command, capture_output=True, text=True, timeout=900, check=False)
