"""``make run``: the whole product on one machine with nothing else installed.

Starts the mock incident system (seeded) on 127.0.0.1:5050, migrates a SQLite
database in ``instance/``, seeds demo subdivisions and people, prints their
logins, and serves the bridge at http://127.0.0.1:5000 with the sync jobs
running in-process.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import requests

MOCK_PORT = int(os.environ.get("MOCK_PORT", "5050"))
APP_PORT = int(os.environ.get("PORT", "5000"))
CLIENT_ID = "incident-bridge"
CLIENT_SECRET = "demo-secret"
_ROLE_NAMES = {
    "admin": "администратор",
    "operator": "отдел по обращениям",
    "curator": "куратор",
    "executor": "исполнитель",
    "regional_authority": "региональный орган",
}


def _start_mock() -> subprocess.Popen[bytes]:
    mock = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mocks",
            "--port",
            str(MOCK_PORT),
            "--seed",
            "1",
            "--count",
            "25",
            "--client-id",
            CLIENT_ID,
            "--client-secret",
            CLIENT_SECRET,
        ],
    )
    for _ in range(100):
        try:
            requests.get(f"http://127.0.0.1:{MOCK_PORT}/_control/stats", timeout=1)
            return mock
        except requests.RequestException:
            if mock.poll() is not None:
                raise SystemExit(
                    f"The mock incident system did not start (port {MOCK_PORT} busy?)."
                ) from None
            time.sleep(0.1)
    raise SystemExit("The mock incident system did not answer in 10 s.")


def main() -> None:
    """Start the mock, prepare the database and serve the bridge until interrupted."""
    mock = _start_mock()
    os.environ.setdefault("INCIDENT_BRIDGE_INCIDENT_API_URL", f"http://127.0.0.1:{MOCK_PORT}")
    os.environ.setdefault("INCIDENT_BRIDGE_INCIDENT_CLIENT_ID", CLIENT_ID)
    os.environ.setdefault("INCIDENT_BRIDGE_INCIDENT_CLIENT_SECRET", CLIENT_SECRET)
    os.environ.setdefault("INCIDENT_BRIDGE_RUN_JOBS_IN_PROCESS", "true")
    os.environ.setdefault("INCIDENT_BRIDGE_POLL_INTERVAL", "10")
    os.environ.setdefault("INCIDENT_BRIDGE_PUSH_INTERVAL", "5")
    profile = os.environ.get("INCIDENT_BRIDGE_PROFILE", "yelets")
    if profile != "yelets" and not os.environ.get("DATABASE_URL"):
        # Each regulation's demo keeps its own database: its people and messages only.
        Path("instance").mkdir(exist_ok=True)
        database = Path("instance").resolve() / f"incident_bridge-{profile}.sqlite3"
        os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    try:
        import flask_migrate

        from incident_bridge.extension import MIGRATIONS_DIR
        from incident_bridge.host import create_app
        from incident_bridge.services.demo import seed
        from incident_bridge.state import bridge_state

        # The database first, with no jobs running: the app that serves starts them after.
        setup = create_app({"INCIDENT_BRIDGE_RUN_JOBS_IN_PROCESS": False})
        with setup.app_context():
            flask_migrate.upgrade(directory=MIGRATIONS_DIR)
            state = bridge_state(setup)
            logins = seed(state.unit_of_work(), state.context.profile, datetime.now(UTC))
            state.db.engine.dispose()
        app = create_app()
        print(f"\nincident-bridge ({state.context.profile.title}): http://127.0.0.1:{APP_PORT}")
        print(f"Database: {setup.config['SQLALCHEMY_DATABASE_URI']}")
        print(f"Mock incident system (for testers): http://127.0.0.1:{MOCK_PORT}/_control/")
        print("Demo logins:")
        for login, password, role, name in logins:
            print(f"  {login:<12} {password:<16} {_ROLE_NAMES.get(role, role):<22} {name}")
        print(flush=True)
        from incident_bridge.web.security_headers import UnversionedRequestHandler

        app.run(
            host="127.0.0.1",
            port=APP_PORT,
            use_reloader=False,
            request_handler=UnversionedRequestHandler,  # no "Server: Werkzeug/… Python/…"
        )
    finally:
        mock.terminate()
        mock.wait(timeout=10)


if __name__ == "__main__":
    main()
