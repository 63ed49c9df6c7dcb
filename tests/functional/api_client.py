"""A test client for the API: a person's token on every request, JSON in and out."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from incident_bridge.services import api_tokens
from incident_bridge.services.directory import CONSOLE


def issue(app: Any, user_id: int, *, expires_days: int | None = None) -> str:
    """A new token for ``user_id``, issued as the CLI does."""
    with app.app_context():
        uow = app.extensions["incident_bridge"].unit_of_work()
        issued = api_tokens.create(uow, user_id, name="тест", expires_days=expires_days,
                                   by=CONSOLE, now=datetime.now(UTC))  # fmt: skip
        return issued.token


class ApiClient:
    """Flask's test client with ``Authorization: Bearer``; ``etag`` remembers the last one seen."""

    def __init__(self, app: Any, token: str) -> None:
        self.client = app.test_client()
        self.token = token

    def call(self, method: str, url: str, *, json: Any = None, headers: Any = None) -> Any:
        sent = {"Authorization": f"Bearer {self.token}", **(headers or {})}
        return self.client.open(url, method=method, json=json, headers=sent)

    def get(self, url: str, **kw: Any) -> Any:
        return self.call("GET", url, **kw)

    def step(self, incident_id: int, path: str, body: Any = None, *, method: str = "POST") -> Any:
        """Take a step with the message's current ETag."""
        tag = self.get(f"/api/v1/incidents/{incident_id}").headers["ETag"]
        return self.call(method, f"/api/v1/incidents/{incident_id}/{path}", json=body or {},
                         headers={"If-Match": tag})  # fmt: skip
