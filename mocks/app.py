"""App factory of the mock incident system."""

from __future__ import annotations

import secrets
from typing import Any

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException

from mocks import api, control
from mocks.faults import FaultInjector
from mocks.state import MockState

#: Every setting of the mock, with its default; override through ``create_app(config)``.
DEFAULTS: dict[str, Any] = {
    "MOCK_SEED": 1,  # seed of the data generator
    "MOCK_COUNT": 20,  # incidents generated at start
    "MOCK_FAULT_SEED": 0,  # seed of fault decisions
    "MOCK_CLIENT_ID": "bridge",  # credentials accepted by /api/v1/auth/token
    "MOCK_CLIENT_SECRET": "secret",
    "MOCK_TOKEN": None,  # a static bearer token that never expires, if set
    "MOCK_TOKEN_TTL": 3600.0,  # lifetime of issued tokens, seconds
    "MOCK_MUNICIPALITIES": None,  # list of names; the first one dominates; None: Yelets & co
    "MOCK_CLOCK": None,  # a callable returning an aware datetime, for tests
}


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the mock with its own state; ``config`` overrides ``DEFAULTS``."""
    app = Flask(__name__)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]  # testers read the Russian
    app.config.update(DEFAULTS)
    app.config["SECRET_KEY"] = secrets.token_hex(16)  # only for the page's flashed messages
    app.config.update(config or {})
    options: dict[str, Any] = {}
    if app.config["MOCK_CLOCK"] is not None:
        options["clock"] = app.config["MOCK_CLOCK"]
    state = MockState(
        seed=app.config["MOCK_SEED"],
        token_ttl=float(app.config["MOCK_TOKEN_TTL"]),
        static_token=app.config["MOCK_TOKEN"],
        municipalities=app.config["MOCK_MUNICIPALITIES"],
        **options,
    )
    if app.config["MOCK_COUNT"]:
        state.seed(app.config["MOCK_COUNT"], app.config["MOCK_SEED"])
    app.extensions["incident_mock"] = {
        "state": state,
        "faults": FaultInjector(app.config["MOCK_FAULT_SEED"]),
    }
    app.register_blueprint(api.bp)
    app.register_blueprint(control.bp)

    @app.errorhandler(HTTPException)
    def _json_http_error(exc: HTTPException) -> Response | HTTPException:
        # The API speaks JSON even for unknown paths and wrong methods.
        if not request.path.startswith(("/api/", "/_control/")) or request.path == "/_control/":
            return exc
        code = (exc.name or "error").lower().replace(" ", "_")
        return api.error_response(exc.code or 500, code, exc.description or code)

    return app
