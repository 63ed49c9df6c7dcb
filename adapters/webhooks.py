"""Posting webhook deliveries to host systems over HTTP (one ``requests.Session``)."""

from __future__ import annotations

from collections.abc import Mapping

import requests

from adapters.http import Timeout, retry_after
from incident_bridge.domain.errors import WebhookRejected, WebhookTransientError

#: Short: a slow receiver must not hold up the deliveries to the others for long.
DEFAULT_TIMEOUT: Timeout = (3.05, 10.0)


class HttpWebhookPoster:
    """POSTs signed bodies; follows no redirects (the subscription names the final URL)."""

    def __init__(
        self, *, timeout: Timeout = DEFAULT_TIMEOUT, session: requests.Session | None = None
    ) -> None:
        self.timeout = timeout
        self._session = session or requests.Session()

    def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> int:
        try:
            response = self._session.post(
                url, data=body, headers=dict(headers), timeout=self.timeout, allow_redirects=False
            )
        except requests.Timeout as exc:
            raise WebhookTransientError("Получатель не ответил вовремя.") from exc
        except requests.ConnectionError as exc:
            raise WebhookTransientError(f"Получатель недоступен: {exc}") from exc
        except requests.RequestException as exc:
            raise WebhookRejected(f"Запрос не отправлен: {exc}") from exc
        status = response.status_code
        response.close()
        if 200 <= status < 300:
            return status
        text = f"Получатель ответил HTTP {status}"
        if status in (408, 429) or status >= 500:
            raise WebhookTransientError(
                text, status, retry_after=retry_after(response.headers.get("Retry-After"))
            )
        if 300 <= status < 400:
            raise WebhookRejected(f"{text} (перенаправление не выполняется)", status)
        raise WebhookRejected(text, status)
