"""Ports: what the domain needs from the outside world, as Protocols."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from incident_bridge.domain.model import Delivery, IncidentPage, Outbound


class IncidentSystem(Protocol):
    """The federal incident system as the bridge sees it, whatever the transport."""

    def fetch_changes(self, cursor: str | None, limit: int = 100) -> IncidentPage:
        """Return incidents changed after ``cursor`` (``None``: from the beginning)."""
        ...

    def fetch_incident(self, external_id: str) -> IncidentPage:
        """One incident as the system has it now: a page of one card, or of one rejection."""
        ...

    def deliver(self, outbound: Outbound) -> Delivery:
        """Deliver one reply, redirect or clarification request; idempotent by its key.

        Raises ``TransientDeliveryError`` when worth retrying and
        ``DeliveryRejected`` when the system refused it for good.
        """
        ...

    def ping(self) -> bool:
        """Tell whether the system answers at all."""
        ...


class MailError(Exception):
    """The mail server did not take a message; ``transient``: worth trying again later."""

    def __init__(self, message: str, *, transient: bool = True) -> None:
        super().__init__(message)
        self.transient = transient


class Mailer(Protocol):
    """Where notifications are mailed (an SMTP server, in production)."""

    def send(self, to: str, subject: str, body: str, *, message_id: str) -> None:
        """Send one plain-text message, or raise ``MailError``."""
        ...


class WebhookPoster(Protocol):
    """Where webhook deliveries are posted (HTTP, in production)."""

    def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> int:
        """POST ``body`` to ``url``; return the 2xx status, or raise ``WebhookTransientError``
        (worth retrying) or ``WebhookRejected`` (refused for good)."""
        ...
