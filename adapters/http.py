"""``HttpIncidentSystem``: the ``IncidentSystem`` port over the system's REST API v1."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, assert_never
from urllib.parse import quote

import requests
from marshmallow import ValidationError

from adapters.wire import (
    describe_errors,
    parse_delivery,
    parse_page,
    parse_record,
    parse_token,
)
from incident_bridge.domain.errors import DeliveryRejected, TransientDeliveryError
from incident_bridge.domain.model import (
    Delivery,
    IncidentPage,
    Outbound,
    OutboundKind,
    RejectedRecord,
)

API_PREFIX = "/api/v1"
MAX_LIMIT = 500
SYSTEM = "Система «Инцидент»"

Timeout = float | tuple[float, float]
#: A request body the bridge sends: flat JSON objects of strings (or nulls).
JsonBody = Mapping[str, str | None]


class HttpIncidentSystem:
    """The incident system over HTTP: one ``requests.Session``, a timeout on every call.

    Give either ``client_id`` and ``client_secret`` (a token is fetched and renewed
    when it expires) or a fixed bearer ``token``.
    """

    def __init__(
        self,
        base_url: str,
        client_id: str | None = None,
        client_secret: str | None = None,
        *,
        token: str | None = None,
        timeout: Timeout = (3.05, 10),
        session: requests.Session | None = None,
    ) -> None:
        if token is None and not (client_id and client_secret):
            raise ValueError("Pass either client_id and client_secret, or a bearer token.")
        if not base_url.startswith(("http://", "https://")):
            raise ValueError(f"base_url must be an http(s) URL, got {base_url!r}.")
        self.base_url = base_url.rstrip("/") + API_PREFIX
        self.timeout = timeout
        self._client_id = client_id
        self._client_secret = client_secret
        self._token = token
        self._token_lock = threading.Lock()
        self._session = session or requests.Session()

    # -- the port ---------------------------------------------------------

    def fetch_changes(self, cursor: str | None, limit: int = 100) -> IncidentPage:
        """Return incidents changed after ``cursor`` (``None``: from the beginning)."""
        if not 1 <= limit <= MAX_LIMIT:
            raise ValueError(f"limit must be between 1 and {MAX_LIMIT}, got {limit}.")
        params: dict[str, str | int] = {"limit": limit}
        if cursor:
            params["cursor"] = cursor
        payload = self._json(self._send("GET", "/incidents", params=params))
        try:
            return parse_page(payload)
        except ValidationError as exc:
            # The envelope is broken, so nothing of the page can be trusted; a later
            # fetch with the same cursor loses nothing.
            raise TransientDeliveryError(
                f"{SYSTEM} вернула повреждённую страницу: {describe_errors(exc.messages)}"
            ) from exc

    def fetch_incident(self, external_id: str) -> IncidentPage:
        """One incident as the system has it now (to retry a quarantined record)."""
        payload = self._json(self._send("GET", f"/incidents/{quote(external_id, safe='')}"))
        parsed = parse_record(payload)
        if isinstance(parsed, RejectedRecord):
            return IncidentPage((), (parsed,), None, False)
        return IncidentPage((parsed,), (), None, False)

    def deliver(self, outbound: Outbound) -> Delivery:
        """Deliver one reply, redirect or clarification request; idempotent by its key."""
        incident = quote(outbound.external_id, safe="")
        body: JsonBody
        match outbound.kind:
            case OutboundKind.REDIRECT:
                path = f"/incidents/{incident}/redirects"
                body = {"reason": outbound.text, "signed_by": outbound.signed_by}
            case OutboundKind.APPROVAL_REQUEST:
                path = f"/incidents/{incident}/approvals"
                body = {"text": outbound.text, "signed_by": outbound.signed_by}
            case OutboundKind.ANSWER | OutboundKind.INTERIM | OutboundKind.CLARIFICATION:
                # The API names the reply kinds as the bridge does: answer, interim, clarification.
                path = f"/incidents/{incident}/replies"
                body = {
                    "kind": outbound.kind.value,
                    "text": outbound.text,
                    "signed_by": outbound.signed_by,
                }
            case OutboundKind.PART_ANSWER:
                # A part published in turn is, to the incident system, one more answer.
                path = f"/incidents/{incident}/replies"
                body = {
                    "kind": OutboundKind.ANSWER.value,
                    "text": outbound.text,
                    "signed_by": outbound.signed_by,
                }
            case unknown:
                assert_never(unknown)
        response = self._send(
            "POST", path, json=body, headers={"Idempotency-Key": outbound.idempotency_key}
        )
        try:
            return parse_delivery(self._json(response))
        except ValidationError as exc:
            # The system may well have stored it; retrying with the same key is safe
            # and returns the stored result, so treat this as transient.
            raise TransientDeliveryError(
                f"{SYSTEM} ответила непонятно: {describe_errors(exc.messages)}"
            ) from exc

    def ping(self) -> bool:
        """Tell whether the system answers at all."""
        try:
            response = self._session.get(f"{self.base_url}/ping", timeout=self.timeout)
        except requests.RequestException:
            return False
        return response.status_code == 200

    def close(self) -> None:
        """Release the session's connections."""
        self._session.close()

    # -- plumbing ---------------------------------------------------------

    def _bearer(self) -> str:
        with self._token_lock:
            if self._token is None:
                response = self._send(
                    "POST",
                    "/auth/token",
                    authenticated=False,
                    json={
                        "grant_type": "client_credentials",
                        "client_id": self._client_id,
                        "client_secret": self._client_secret,
                    },
                )
                try:
                    self._token = parse_token(self._json(response))
                except ValidationError as exc:
                    raise TransientDeliveryError(f"{SYSTEM} не выдала токен: {exc}") from exc
            return self._token

    def _forget_token(self, used: str) -> bool:
        """Drop an expired token so the next call fetches a new one; False if we cannot."""
        if not (self._client_id and self._client_secret):
            return False
        with self._token_lock:
            if self._token == used:  # another thread may have renewed it already
                self._token = None
        return True

    def _send(
        self,
        method: str,
        path: str,
        *,
        authenticated: bool = True,
        params: Mapping[str, str | int] | None = None,
        json: JsonBody | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> requests.Response:
        """Send one request; on a 401 re-authenticate once and retry; map failures."""
        for attempt in (1, 2):
            sent_headers = dict(headers or {})
            token = self._bearer() if authenticated else None
            if token:
                sent_headers["Authorization"] = f"Bearer {token}"
            response = self._request(method, path, params, json, sent_headers)
            if response.status_code == 401 and token and attempt == 1 and self._forget_token(token):
                continue
            if (
                response.status_code == 401
                and attempt == 2
                and _error_of(response)[0] == "token_expired"
            ):
                # A fresh token expired at once: a clock or timing glitch, worth retrying later.
                raise TransientDeliveryError(
                    f"{SYSTEM}: токен истёк сразу после получения ({method} {path})."
                )
            return _checked(response)
        raise AssertionError("unreachable")  # the loop always returns

    def _request(
        self,
        method: str,
        path: str,
        params: Mapping[str, str | int] | None,
        json: JsonBody | None,
        headers: Mapping[str, str],
    ) -> requests.Response:
        url = self.base_url + path
        try:
            return self._session.request(
                method, url, params=params, json=json, headers=headers, timeout=self.timeout
            )
        except requests.Timeout as exc:
            raise TransientDeliveryError(
                f"{SYSTEM} не ответила вовремя ({method} {path})."
            ) from exc
        except requests.ConnectionError as exc:
            raise TransientDeliveryError(f"{SYSTEM} недоступна ({method} {path}): {exc}") from exc
        except requests.RequestException as exc:
            # A malformed URL or similar: retrying will not help.
            raise DeliveryRejected(f"Запрос к {SYSTEM} не отправлен: {exc}") from exc

    @staticmethod
    def _json(response: requests.Response) -> Any:
        try:
            return response.json()
        except ValueError as exc:
            raise TransientDeliveryError(
                f"{SYSTEM} ответила не JSON (HTTP {response.status_code})."
            ) from exc


def _checked(response: requests.Response) -> requests.Response:
    """The response if it succeeded; otherwise the domain error its status calls for."""
    status = response.status_code
    if status < 400:
        return response
    code, message = _error_of(response)
    text = f"{SYSTEM}: {message} (HTTP {status}, {code})"
    if status == 429 or status == 408 or status >= 500:
        raise TransientDeliveryError(
            text, retry_after=retry_after(response.headers.get("Retry-After"))
        )
    raise DeliveryRejected(text, status=status)


def _error_of(response: requests.Response) -> tuple[str, str]:
    """The ``error`` code and ``message`` of an error body, tolerating non-JSON bodies."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        return str(body.get("error") or "error"), str(body.get("message") or response.reason)
    return "error", (response.text or response.reason or "")[:200]


def retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
